/**
 * Listeners, matched by port. One ModifyListener carries every differing part (protocol, default
 * action, default certificate, SSL policy); the listener's other certificates are added and removed
 * one per call (the API takes one per call). Certificates are named by `${Certificate:key}` and
 * compared through the certificate plan's references, so a certificate reimported in place (same
 * ARN) changes nothing here.
 *
 * Removals happen in the second half of the plan: a certificate leaves a listener, and a listener the
 * spec no longer has is deleted (its rules go with it), only after everything new is in place.
 *
 * The default action may be preceded by an authentication (as a rule's may: see diff-rules.ts for
 * how an OIDC client secret is sent and its rotation seen, through a tag on the listener here).
 * Mutual TLS is part of ModifyListener (absent in the spec means mode off). Listener attributes are
 * changed by ModifyListenerAttributes, only the keys the spec lists and only where they differ from
 * what observe read (lookups.listenerAttributes).
 * @module
 */
import type { ListenerSpec } from '../../../src/model.js';
import {
  type ClientSecretMode,
  clientSecretFingerprint,
  mutualAuthenticationKey,
  type ResolveTrustStore,
  toElbv2MutualAuthentication,
  toElbv2RuleActions,
} from './auth-actions.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { type ResolveTargetGroupArn, toElbv2Attributes, toElbv2Tags } from './elbv2-shapes.js';
import type { ObservedListener } from '../observe/observed.js';
import type { AwsOperation } from './operations.js';
import { certificateRef, listenerId, listenerRef, LOAD_BALANCER_REF, targetGroupRef } from './resource-ids.js';
import { actionsKey, type NameArn } from './rule-content.js';
import { CLIENT_SECRET_TAG, ownershipTags, tagValue } from './tags.js';

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
  resolveTargetGroup?: ResolveTargetGroupArn;
  resolveTrustStore?: ResolveTrustStore;
  /** Attributes observe read, by port, for the kept listeners whose spec lists some; a port not here is assumed to differ. */
  observedAttributes?: Readonly<Record<number, Record<string, string>>>;
}

export function planListeners(desired: readonly ListenerSpec[], observed: readonly ObservedListener[], context: ListenerContext): ListenerPlan {
  const plan: ListenerPlan = { up: [], down: [], tagChanges: [], references: {}, kept: new Map() };
  for (const listener of desired) {
    const match = observed.find((candidate) => candidate.description.Port === listener.port);
    const ref = listenerRef(listener.port);
    const fingerprint = clientSecretFingerprint(listener.defaultAuthentication);
    const tags = {
      ...context.specTags,
      ...ownershipTags(context.clusterName, context.stackId, listenerId(listener.port)),
      ...(fingerprint !== undefined && { [CLIENT_SECRET_TAG]: fingerprint }),
    };
    if (!match) {
      plan.up.push(createListener(listener, ref, tags, context));
      plan.up.push(...certificateCalls('AddListenerCertificates', listener.port, ref, listener.certificateKeys.slice(1).map(certificateRef)));
      plan.up.push(...attributeCalls(listener, ref, undefined));
      continue;
    }
    plan.kept.set(listener.port, match);
    plan.references[ref] = match.description.ListenerArn ?? '';
    const modification = listenerModification(listener, match, context);
    if (Object.keys(modification).length > 0) {
      plan.up.push({
        action: 'ModifyListener',
        resource: listenerId(listener.port),
        detail: { service: 'elbv2', input: { ListenerArn: ref, ...modification } },
      });
    }
    const resolve = (value: string): string => context.known[value] ?? value;
    const wantedExtras = listener.certificateKeys.slice(1).map(certificateRef);
    const currentExtras = match.certificates.filter((certificate) => !certificate.IsDefault).flatMap((certificate) => certificate.CertificateArn ?? []);
    const wantedArns = new Set(wantedExtras.map(resolve));
    plan.up.push(
      ...certificateCalls(
        'AddListenerCertificates',
        listener.port,
        ref,
        wantedExtras.filter((extra) => !currentExtras.includes(resolve(extra))),
      ),
    );
    plan.down.push(
      ...certificateCalls(
        'RemoveListenerCertificates',
        listener.port,
        ref,
        currentExtras.filter((arn) => !wantedArns.has(arn)),
      ),
    );
    plan.up.push(...attributeCalls(listener, ref, context.observedAttributes?.[listener.port]));
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

function defaultActions(listener: ListenerSpec, context: ListenerContext, secret: ClientSecretMode) {
  return toElbv2RuleActions(listener.defaultAuthentication, [listener.defaultAction], context.resolveTargetGroup ?? targetGroupRef, secret);
}

function mutualAuthentication(listener: ListenerSpec, context: ListenerContext) {
  return toElbv2MutualAuthentication(listener.mutualAuthentication, context.resolveTrustStore ?? (() => undefined));
}

function createListener(listener: ListenerSpec, ref: string, tags: Record<string, string>, context: ListenerContext): AwsOperation {
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
        ...(listener.protocol === 'HTTPS' && listener.mutualAuthentication !== undefined && { MutualAuthentication: mutualAuthentication(listener, context) }),
        DefaultActions: defaultActions(listener, context, 'from-secret'),
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
  const wantedFingerprint = clientSecretFingerprint(listener.defaultAuthentication);
  const currentFingerprint = (current.DefaultActions ?? []).some((action) => action.Type === 'authenticate-oidc')
    ? tagValue(observed.tags, CLIENT_SECRET_TAG)
    : undefined;
  const wanted = defaultActions(listener, context, 'from-secret');
  if (
    `${actionsKey(wanted, (arn) => arn)}|${wantedFingerprint ?? ''}` !==
    `${actionsKey(current.DefaultActions ?? [], context.nameArn)}|${currentFingerprint ?? ''}`
  ) {
    const keepSecret = wantedFingerprint !== undefined && wantedFingerprint === currentFingerprint;
    modification.DefaultActions = keepSecret ? defaultActions(listener, context, 'keep-existing') : wanted;
  }
  if (listener.protocol === 'HTTPS') {
    const mutual = mutualAuthentication(listener, context);
    const resolve = (value: string | undefined): string | undefined => (value === undefined ? undefined : (context.known[value] ?? value));
    if (mutualAuthenticationKey({ ...mutual, TrustStoreArn: resolve(mutual.TrustStoreArn) }) !== mutualAuthenticationKey(current.MutualAuthentication)) {
      modification.MutualAuthentication = mutual;
    }
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

/** ModifyListenerAttributes for the listed keys that differ from what was observed (all of them, for a new listener). */
function attributeCalls(listener: ListenerSpec, ref: string, observed: Readonly<Record<string, string>> | undefined): AwsOperation[] {
  const differing = Object.fromEntries(Object.entries(listener.attributes ?? {}).filter(([key, value]) => observed?.[key] !== value));
  if (Object.keys(differing).length === 0) return [];
  return [
    {
      action: 'ModifyListenerAttributes',
      resource: listenerId(listener.port),
      detail: { service: 'elbv2', input: { ListenerArn: ref, Attributes: toElbv2Attributes(differing) } },
    },
  ];
}

function certificateCalls(
  action: 'AddListenerCertificates' | 'RemoveListenerCertificates',
  port: number,
  ref: string,
  arns: readonly string[],
): AwsOperation[] {
  return arns.map((arn) => ({
    action,
    resource: listenerId(port),
    detail: { service: 'elbv2', input: { ListenerArn: ref, Certificates: [{ CertificateArn: arn }] } },
  }));
}
