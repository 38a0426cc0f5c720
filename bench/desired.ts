/**
 * The desired model of a generated cluster: its objects translated by the controller's own translate
 * (the same options the benchmarked controller gets), reduced to the counts the floors and the
 * convergence check need.
 * @module
 */
import type { LoadBalancerSpec } from '../src/model.js';
import { Snapshot, type KindToObject, type WatchedKind } from '../src/sources/snapshot.js';
import { defaultTranslateOptions, translateAll, type TranslateOptions } from '../src/translate/index.js';
import { mergeAdjacentRules } from '../providers/aws/plan/merge-rules.js';
import type { KubeObject } from '../fakes/kube/index.js';
import type { DesiredModel, DesiredStack } from './floor.js';

export const CLUSTER_NAME = 'bench';

export function benchTranslateOptions(): TranslateOptions {
  return defaultTranslateOptions({ clusterName: CLUSTER_NAME, now: new Date() });
}

export interface Desired {
  specs: LoadBalancerSpec[];
  model: DesiredModel;
  /** What the cloud holds once converged. */
  expected: { loadBalancers: number; listeners: number; rules: number; targetGroups: number; targets: number; certificates: number };
}

const WATCHED = new Set<string>(['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Node', 'Secret']);

export function desiredOf(objects: readonly KubeObject[]): Desired {
  const snapshot = new Snapshot();
  for (const object of objects) {
    if (object.kind !== undefined && WATCHED.has(object.kind)) snapshot.upsert(object.kind as WatchedKind, object as unknown as KindToObject[WatchedKind]);
  }
  const translated = translateAll(snapshot, benchTranslateOptions());
  const problems = [...translated.diagnostics, ...translated.results.flatMap((result) => result.diagnostics)].filter((entry) => entry.severity === 'error');
  if (problems.length > 0) throw new Error(`the generated cluster does not translate cleanly: ${JSON.stringify(problems.slice(0, 3))}`);
  const specs = translated.results.flatMap((result) => (result.spec ? [result.spec] : []));
  const stacks = specs.map(stackOf);
  const secrets = new Set(
    specs.flatMap((spec) =>
      spec.certificates.flatMap((certificate) => (certificate.source.kind === 'secret' ? [`${certificate.source.namespace}/${certificate.source.name}`] : [])),
    ),
  );
  const model: DesiredModel = { stacks, importedCertificates: secrets.size };
  return {
    specs,
    model,
    expected: {
      loadBalancers: specs.length,
      listeners: stacks.reduce((total, stack) => total + stack.listeners.length, 0),
      rules: stacks.reduce((total, stack) => total + stack.listeners.reduce((count, listener) => count + listener.rules, 0), 0),
      targetGroups: stacks.reduce((total, stack) => total + stack.targetGroups.length, 0),
      targets: specs.reduce((total, spec) => total + spec.targetGroups.reduce((count, group) => count + group.targets.length, 0), 0),
      certificates: secrets.size,
    },
  };
}

function stackOf(spec: LoadBalancerSpec): DesiredStack {
  return {
    listeners: spec.listeners.map((listener) => ({
      protocol: listener.protocol,
      rules: mergeAdjacentRules(listener).rules.length,
      certificates: listener.certificateKeys.length,
    })),
    targetGroups: spec.targetGroups.map((group) => ({ targets: group.targets.length, attributes: Object.keys(group.attributes).length > 0 })),
    managedSecurityGroup: spec.securityGroups.kind === 'managed',
    loadBalancerAttributes: Object.keys(spec.attributes).length > 0,
  };
}
