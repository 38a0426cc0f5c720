/**
 * diff for the local load balancer: what it takes to turn the spec being served for a stack into
 * the desired one, as operations people can read. Pure.
 *
 * Where the pending spec lives: in the plan itself. `diff` returns a `LocalPlan`, a ProviderPlan
 * with one more field, `desired` (the spec to serve, or undefined to stop serving the stack). It is
 * plain JSON like the rest of the plan, so a plan applied later — or after a JSON round trip —
 * installs exactly what it showed, and diff stays free of side effects. The operations describe the
 * change; apply installs `desired` as a whole, so the two can never disagree about the result.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { ListenerSpec, LoadBalancerSpec, Target, TargetGroupSpec } from '../../src/model.js';
import type { Observed, PlannedOperation, ProviderPlan } from '../../src/provider.js';
import { configuredLocalPort, type LocalSettings } from './settings.js';

export interface LocalObserved extends Observed {
  /** The spec being served for the stack; undefined when the stack is not served. */
  readonly spec: LoadBalancerSpec | undefined;
}

export interface LocalPlan extends ProviderPlan {
  readonly desired: LoadBalancerSpec | undefined;
}

export function isLocalObserved(observed: Observed): observed is LocalObserved {
  return 'spec' in observed;
}

export function isLocalPlan(plan: ProviderPlan): plan is LocalPlan {
  return 'desired' in plan;
}

/** A listener is named by the address:port it listens on here, as configured. */
export function listenerResource(settings: LocalSettings, specPort: number): string {
  return `listener/${settings.listenAddress}:${configuredLocalPort(settings, specPort)}`;
}

/**
 * Load-balancer-wide fields besides listeners, target groups and certificates. Every field of the
 * spec must be in one of them: a change found nowhere would make an empty plan, never applied.
 */
const LOAD_BALANCER_FIELDS = [
  'stack',
  'scheme',
  'ipAddressType',
  'subnets',
  'securityGroups',
  'attributes',
  'tags',
  'webAcl',
  'shieldAdvancedProtection',
  'externalTargetGroups',
  'functionTargetGroups',
] as const;

export function planStack(
  desired: LoadBalancerSpec | undefined,
  served: LoadBalancerSpec | undefined,
  options: { stackId: string; settings: LocalSettings },
): LocalPlan {
  const { stackId } = options;
  if (isDeepStrictEqual(desired, served)) return { stackId, operations: [], desired };
  const loadBalancer = `loadbalancer/${stackId}`;
  const certificates = certificateOperations(desired, served, stackId);
  const targetGroups = targetGroupOperations(desired?.targetGroups ?? [], served?.targetGroups ?? [], stackId);
  const listeners = listenerOperations(desired?.listeners ?? [], served?.listeners ?? [], options.settings);
  if (!desired) {
    // Dependents first, as a cloud requires: listeners before the target groups and certificates they use.
    const removal = { action: 'RemoveLoadBalancer', resource: loadBalancer };
    return { stackId, operations: [...listeners, ...targetGroups.deletes, ...certificates, removal], desired };
  }
  const loadBalancerChanges: PlannedOperation[] = [];
  if (!served) loadBalancerChanges.push({ action: 'CreateLoadBalancer', resource: loadBalancer, detail: { name: desired.stack.name } });
  else {
    const changed = LOAD_BALANCER_FIELDS.filter((field) => !isDeepStrictEqual(desired[field], served[field]));
    if (changed.length > 0) loadBalancerChanges.push({ action: 'ModifyLoadBalancer', resource: loadBalancer, detail: { changed } });
  }
  return {
    stackId,
    operations: [...loadBalancerChanges, ...certificates, ...targetGroups.upserts, ...listeners, ...targetGroups.deletes],
    desired,
  };
}

function certificateOperations(desired: LoadBalancerSpec | undefined, served: LoadBalancerSpec | undefined, stackId: string): PlannedOperation[] {
  const keysByPort = (spec: LoadBalancerSpec | undefined): Record<number, string[]> =>
    Object.fromEntries(
      (spec?.listeners ?? []).filter((listener) => listener.certificateKeys.length > 0).map((listener) => [listener.port, listener.certificateKeys]),
    );
  const want = desired?.certificates ?? [];
  const have = served?.certificates ?? [];
  if (isDeepStrictEqual(want, have) && isDeepStrictEqual(keysByPort(desired), keysByPort(served))) return [];
  const { added, removed, changed } = keyedChanges(want, have, (certificate) => certificate.key);
  return [
    {
      action: 'UpdateCertificates',
      resource: `certificates/${stackId}`,
      detail: { added, removed, changed, listenerCertificates: keysByPort(desired) },
    },
  ];
}

function targetGroupOperations(
  want: TargetGroupSpec[],
  have: TargetGroupSpec[],
  stackId: string,
): { upserts: PlannedOperation[]; deletes: PlannedOperation[] } {
  const operations: PlannedOperation[] = [];
  const served = new Map(have.map((group) => [group.key, group]));
  for (const group of want) {
    const resource = `targetgroup/${stackId}/${group.key}`;
    const previous = served.get(group.key);
    if (!previous) {
      operations.push({ action: 'CreateTargetGroup', resource, detail: { protocol: group.protocol, targets: group.targets.map(targetAddress) } });
      continue;
    }
    const { targets, healthCheck, ...settings } = group;
    const { targets: previousTargets, healthCheck: previousHealthCheck, ...previousSettings } = previous;
    if (!isDeepStrictEqual(settings, previousSettings))
      operations.push({ action: 'ModifyTargetGroup', resource, detail: { protocol: group.protocol, protocolVersion: group.protocolVersion } });
    if (!isDeepStrictEqual(healthCheck, previousHealthCheck)) operations.push({ action: 'UpdateHealthChecks', resource, detail: healthCheck });
    if (!isDeepStrictEqual(targets, previousTargets)) {
      const { added, removed, changed } = keyedChanges(targets, previousTargets, targetAddress);
      operations.push({ action: 'UpdateTargets', resource, detail: { register: added, deregister: removed, changed } });
    }
  }
  const wanted = new Set(want.map((group) => group.key));
  const deletes = have
    .filter((group) => !wanted.has(group.key))
    .map((group) => ({ action: 'DeleteTargetGroup', resource: `targetgroup/${stackId}/${group.key}` }));
  return { upserts: operations, deletes };
}

function listenerOperations(want: ListenerSpec[], have: ListenerSpec[], settings: LocalSettings): PlannedOperation[] {
  const operations: PlannedOperation[] = [];
  const resourceOf = (port: number): string => listenerResource(settings, port);
  const served = new Map(have.map((listener) => [listener.port, listener]));
  const wantedPorts = new Set(want.map((listener) => listener.port));
  for (const listener of have) {
    const replaced =
      wantedPorts.has(listener.port) && served.get(listener.port)?.protocol !== want.find((candidate) => candidate.port === listener.port)?.protocol;
    if (!wantedPorts.has(listener.port) || replaced) {
      operations.push({ action: 'CloseListener', resource: resourceOf(listener.port), detail: { port: listener.port, protocol: listener.protocol } });
    }
  }
  for (const listener of want) {
    const previous = served.get(listener.port);
    const detail = { port: listener.port, protocol: listener.protocol, rules: listener.rules.length, defaultAction: listener.defaultAction.type };
    if (!previous || previous.protocol !== listener.protocol) {
      operations.push({ action: 'OpenListener', resource: resourceOf(listener.port), detail });
    } else if (!isDeepStrictEqual(routingOf(listener), routingOf(previous))) {
      operations.push({ action: 'UpdateRules', resource: resourceOf(listener.port), detail });
    }
  }
  return operations;
}

/** Certificate keys belong to UpdateCertificates; everything else of a listener decides routing. */
function routingOf(listener: ListenerSpec): Omit<ListenerSpec, 'certificateKeys'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- destructured only to leave it out of the rest
  const { certificateKeys, ...routing } = listener;
  return routing;
}

function targetAddress(target: Target): string {
  return `${target.ip}:${target.port}`;
}

function keyedChanges<T>(want: readonly T[], have: readonly T[], keyOf: (item: T) => string): { added: string[]; removed: string[]; changed: string[] } {
  const previous = new Map(have.map((item) => [keyOf(item), item]));
  const wanted = new Set(want.map(keyOf));
  return {
    added: want.filter((item) => !previous.has(keyOf(item))).map(keyOf),
    removed: have.filter((item) => !wanted.has(keyOf(item))).map(keyOf),
    changed: want.filter((item) => previous.has(keyOf(item)) && !isDeepStrictEqual(item, previous.get(keyOf(item)))).map(keyOf),
  };
}
