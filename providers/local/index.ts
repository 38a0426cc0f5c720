/**
 * The local provider: serves LoadBalancerSpecs with a real HTTP/HTTPS load balancer on this machine
 * (Node's own http, https and tls; see provider.ts). For `plan`, the local provider's plan is the
 * spec itself, since that is exactly what it will serve.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import type { ProviderOptions } from '../../src/provider.js';
import { LocalLoadBalancer, type LocalProvider } from './provider.js';

export type { LocalProvider } from './provider.js';
export type { LocalObserved, LocalPlan } from './plan.js';
export { LocalSettingsError, type LocalSettings } from './settings.js';

export function renderPlan(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown {
  return { LoadBalancers: specs, Diagnostics: diagnostics };
}

/**
 * Settings: `listenAddress` (default 127.0.0.1), `httpPort` (8080, serves spec port 80), `httpsPort`
 * (8443, serves 443), `upstreamTimeoutMs` (default: the LB's idle timeout, else 60000) and
 * `healthCheckTimeScale` (default 1). Throws LocalSettingsError for a setting it cannot use.
 */
export function createProvider(options: ProviderOptions): LocalProvider {
  return new LocalLoadBalancer(options);
}
