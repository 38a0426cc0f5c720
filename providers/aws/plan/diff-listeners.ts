/**
 * Listeners, matched by port. One ModifyListener carries every differing part (protocol, default
 * action, default certificate, SSL policy); the listener's other certificates are added and removed
 * one per call (the API takes one per call). Certificates are named by `${Certificate:key}` and
 * compared through the certificate plan's references, so a certificate reimported in place (same
 * ARN) changes nothing here.
 *
 * Removals happen in the second half of the plan: a certificate leaves a listener, and a listener the
 * spec no longer has is deleted (its rules go with it), only after everything new is in place.
 * @module
 */
import type { ListenerSpec } from '../../../src/model.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { toElbv2Actions, toElbv2Tags } from './elbv2-shapes.js';
import type { ObservedListener } from '../observe/observed.js';
import type { AwsOperation } from './operations.js';
import { certificateRef, listenerId, listenerRef, LOAD_BALANCER_REF, targetGroupRef } from './resource-ids.js';
import { actionsKey, type NameArn } from './rule-content.js';
import { ownershipTags } from './tags.js';

export interface ListenerPlan {
  up: AwsOperation[];
  down: AwsOperation[];
  tagChanges: TagChange[];
  /** `${Listener:port}` → ARN for the observed listeners that are kept. */
  references: Record<string, string>;
  /** The observed listener kept for each desired port. */
  kept: Map<number, ObservedListener>;
}

export interface ListenerContext {
  clusterName: string;
  stackId: string;
  specTags: Record<string, string>;
  /** Placeholders already known (the certificate plan's references). */
  known: Readonly<Record<string, string>>;
  nameArn: NameArn;
}

export function planListeners(desired: readonly ListenerSpec[], observed: readonly ObservedListener[], context: ListenerContext): ListenerPlan {
  const plan: ListenerPlan = { up: [], down: [], tagChanges: [], references: {}, kept: new Map() };
  for (const listener of desired) {
    const match = observed.find((candidate) => candidate.description.Port === listener.port);
    const ref = listenerRef(listener.port);
    const tags = { ...context.specTags, ...ownershipTags(context.clusterName, context.stackId, listenerId(listener.port)) };
    if (!match) {
      plan.up.push(createListener(listener, ref, tags));
      plan.up.push(...certificateCalls('AddListenerCertificates', listener.port, ref, listener.certificateKeys.slice(1).map(certificateRef)));
      continue;
    }
    plan.kept.set(listener.port, match);
    plan.references[ref] = match.description.ListenerArn ?? '';
    const modification = listenerModification(listener, match, context);
    if (Object.keys(modification).length > 0) {
      plan.up.push({ action: 'ModifyListener', resource: listenerId(listener.port), detail: { service: 'elbv2', input: { ListenerArn: ref, ...modification } } });
    }
    const resolve = (value: string): string => context.known[value] ?? value;
    const wantedExtras = listener.certificateKeys.slice(1).map(certificateRef);
    const currentExtras = match.certificates.filter((certificate) => !certificate.IsDefault).flatMap((certificate) => certificate.CertificateArn ?? []);
    const wantedArns = new Set(wantedExtras.map(resolve));
    plan.up.push(...certificateCalls('AddListenerCertificates', listener.port, ref, wantedExtras.filter((extra) => !currentExtras.includes(resolve(extra)))));
    plan.down.push(...certificateCalls('RemoveListenerCertificates', listener.port, ref, currentExtras.filter((arn) => !wantedArns.has(arn))));
    const change = tagChange({ arn: ref, resource: listenerId(listener.port), desired: tags, observed: match.tags });
    if (change) plan.tagChanges.push(change);
  }
  const wantedPorts = new Set(desired.map((listener) => listener.port));
  for (const stale of observed.filter((candidate) => !wantedPorts.has(candidate.description.Port ?? -1))) {
    plan.down.push({
      action: 'DeleteListener',
      resource: listenerId(stale.description.Port ?? 0),
      detail: { service: 'elbv2', input: { ListenerArn: stale.description.ListenerArn } },
    });
  }
  return plan;
}

function createListener(listener: ListenerSpec, ref: string, tags: Record<string, string>): AwsOperation {
  const [defaultCertificate] = listener.certificateKeys;
  return {
    action: 'CreateListener',
    resource: listenerId(listener.port),
    detail: {
      service: 'elbv2',
      input: {
        LoadBalancerArn: LOAD_BALANCER_REF,
        Port: listener.port,
        Protocol: listener.protocol,
        ...(listener.protocol === 'HTTPS' && listener.sslPolicy !== undefined && { SslPolicy: listener.sslPolicy }),
        ...(defaultCertificate !== undefined && { Certificates: [{ CertificateArn: certificateRef(defaultCertificate) }] }),
        DefaultActions: toElbv2Actions([listener.defaultAction], targetGroupRef),
        Tags: toElbv2Tags(tags),
      },
      produces: { ref, outputPath: 'Listeners.0.ListenerArn' },
    },
  };
}

function listenerModification(listener: ListenerSpec, observed: ObservedListener, context: ListenerContext): Record<string, unknown> {
  const current = observed.description;
  const modification: Record<string, unknown> = {};
  if (current.Protocol !== listener.protocol) modification.Protocol = listener.protocol;
  const defaultActions = toElbv2Actions([listener.defaultAction], targetGroupRef);
  if (actionsKey(defaultActions, (arn) => arn) !== actionsKey(current.DefaultActions ?? [], context.nameArn)) {
    modification.DefaultActions = defaultActions;
  }
  const [defaultKey] = listener.certificateKeys;
  if (defaultKey !== undefined) {
    const wanted = certificateRef(defaultKey);
    const currentDefault = current.Certificates?.[0]?.CertificateArn;
    if ((context.known[wanted] ?? wanted) !== currentDefault) modification.Certificates = [{ CertificateArn: wanted }];
  }
  if (listener.protocol === 'HTTPS' && listener.sslPolicy !== undefined && current.SslPolicy !== listener.sslPolicy) {
    modification.SslPolicy = listener.sslPolicy;
  }
  return modification;
}

function certificateCalls(action: 'AddListenerCertificates' | 'RemoveListenerCertificates', port: number, ref: string, arns: readonly string[]): AwsOperation[] {
  return arns.map((arn) => ({
    action,
    resource: listenerId(port),
    detail: { service: 'elbv2', input: { ListenerArn: ref, Certificates: [{ CertificateArn: arn }] } },
  }));
}
