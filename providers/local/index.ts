/**
 * The local provider: serves LoadBalancerSpecs with a real HTTP/HTTPS load balancer on this machine
 * (Node's own http, https and tls; see provider.ts). For `plan`, the local provider's plan is the
 * spec itself, since that is exactly what it will serve.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import type { ProviderOptions } from '../../src/provider.js';
import { LocalLoadBalancer, type LocalProvider, type LocalProviderHooks } from './provider.js';

export type { LocalProvider, LocalProviderHooks } from './provider.js';
export type { LocalLog } from './log.js';
export type { LocalObserved, LocalPlan } from './plan.js';
export { LocalSettingsError, type LocalSettings } from './settings.js';

export function renderPlan(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown {
  return { LoadBalancers: specs, Diagnostics: diagnostics };
}

/**
 * Settings: `listenAddress` (default 127.0.0.1), `httpPort` (8080, serves spec port 80), `httpsPort`
 * (8443, serves 443), `upstreamTimeoutMs` (default: the LB's idle timeout, else 60000),
 * `healthCheckTimeScale` (default 1), `maxConnections` (4096, or half the open-files limit),
 * `maxConnectionsPerListener` (2048), `clientIdleTimeoutMs` (60000), `headersTimeoutMs` (20000) and
 * `requestTimeoutMs` (300000), `mtlsTrustStore` (a PEM file of CAs for mutual TLS `verify`) and
 * `jwksTimeoutMs` (5000); see settings.ts. Throws LocalSettingsError for a setting it cannot use.
 */
export function createProvider(options: ProviderOptions, hooks: LocalProviderHooks = {}): LocalProvider {
  return new LocalLoadBalancer(options, hooks);
}
