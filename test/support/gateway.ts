/**
 * Gateway API fixtures for tests: the manifests a user of the standard-channel CRDs writes, and
 * helpers to read the status translate computes for them.
 * @module
 */
import type { GatewayCondition } from '../../src/sources/gateway-kinds.js';
import type { GatewayApiStatus } from '../../src/translate/gateway/status.js';
import { translateAll } from '../../src/translate/index.js';
import { snapshotFromYaml, testOptions } from './cluster.js';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { TranslateOptions } from '../../src/translate/index.js';

export const GATEWAY_CLASS_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ingress-bridge}
spec: {controllerName: ingress-bridge.io/gateway-controller}
---
`;

/** A Gateway of our class; listeners as YAML flow mappings, e.g. `{name: http, port: 80, protocol: HTTP}`. */
export function gatewayYaml(
  name: string,
  listeners: string[],
  options: { namespace?: string; annotations?: Record<string, string>; generation?: number } = {},
): string {
  const annotations = options.annotations ? `, annotations: ${JSON.stringify(options.annotations)}` : '';
  const generation = options.generation !== undefined ? `, generation: ${options.generation}` : '';
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${options.namespace ?? 'default'}${annotations}${generation}}
spec:
  gatewayClassName: ingress-bridge
  listeners:
${listeners.map((listener) => `  - ${listener}`).join('\n')}
---
`;
}

export interface GatewayTranslated {
  specs: Map<string, LoadBalancerSpec>;
  status: GatewayApiStatus;
  diagnostics: ReturnType<typeof translateAll>['diagnostics'];
}

export function translateGatewayYaml(yaml: string, options: TranslateOptions = testOptions()): GatewayTranslated {
  const all = translateAll(snapshotFromYaml(yaml), options);
  const specs = new Map(all.results.flatMap((result) => (result.spec ? [[result.stackId, result.spec] as const] : [])));
  return {
    specs,
    status: all.gatewayApi ?? { gatewayClasses: [], gateways: [], routes: [] },
    diagnostics: [...all.diagnostics, ...all.results.flatMap((result) => result.diagnostics)],
  };
}

export function gatewaySpec(translated: GatewayTranslated, name = 'web', namespace = 'default'): LoadBalancerSpec {
  const spec = translated.specs.get(`gateway:${namespace}/${name}`);
  if (!spec) throw new Error(`no spec for Gateway ${namespace}/${name}: ${JSON.stringify(translated.diagnostics)}`);
  return spec;
}

/** `type=status/reason` of each condition, for compact assertions. */
export function conditionSummary(conditions: readonly GatewayCondition[]): string[] {
  return conditions.map((entry) => `${entry.type}=${entry.status}/${entry.reason}`);
}

/** The conditions of a route for its first (or the named) parent. */
export function routeConditions(status: GatewayApiStatus, name: string, options: { kind?: string; namespace?: string; parent?: number } = {}): string[] {
  const route = status.routes.find(
    (entry) => entry.ref.name === name && entry.ref.kind === (options.kind ?? 'HTTPRoute') && entry.ref.namespace === (options.namespace ?? 'default'),
  );
  if (!route) throw new Error(`no status for route ${name}`);
  return conditionSummary(route.parents[options.parent ?? 0]?.conditions ?? []);
}
