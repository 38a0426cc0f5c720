/**
 * The GCP provider: regional Application Load Balancers on Compute Engine. `renderPlan` renders
 * specs in the Compute API's shape without loading the SDK; `createProvider` loads
 * `@google-cloud/compute` (large) only when a GCP provider is made.
 * @module
 */
import type { ProviderOptions } from '../../src/provider.js';
import type { GcpProvider } from './provider.js';
import { readGcpSettings } from './settings.js';

export { renderComputePlanDocument as renderPlan } from './plan/plan-json.js';

export async function createProvider(options: ProviderOptions): Promise<GcpProvider> {
  const settings = readGcpSettings(options.settings);
  const [{ ComputeApi }, { ComputeBudget }, { GcpProvider: Provider }] = await Promise.all([
    import('./sdk/compute.js'),
    import('./sdk/budget.js'),
    import('./provider.js'),
  ]);
  const api = new ComputeApi({
    project: settings.project,
    region: settings.region,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    maxAttempts: settings.maxAttempts,
    budget: new ComputeBudget(settings.apiShare !== undefined ? { share: settings.apiShare } : {}),
    ...(options.onApiCall && { onCall: (event) => options.onApiCall?.({ service: 'compute', action: event.action, outcome: event.outcome }) }),
  });
  return new Provider({ clusterName: options.clusterName, certificates: options.certificates, api, settings });
}
