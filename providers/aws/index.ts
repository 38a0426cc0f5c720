/**
 * The AWS provider: Application Load Balancers (ELBv2), certificates in ACM, security groups and
 * subnets from EC2. `renderPlan` renders specs in the ELBv2 API's shape; `createProvider` reconciles.
 * @module
 */
import type { ProviderOptions } from '../../src/provider.js';
import { ApiBudget } from './sdk/budget.js';
import { createAwsClients, destroyAwsClients, type AwsCallEvent } from './sdk/clients.js';
import { isThrottling } from './sdk/errors.js';
import { AwsProvider } from './provider.js';
import { readAwsSettings } from './settings.js';

export { renderElbv2PlanDocument as renderPlan } from './plan/plan-json.js';
export { AwsProvider } from './provider.js';

export function createProvider(options: ProviderOptions): AwsProvider {
  const settings = readAwsSettings(options.settings);
  const budget = new ApiBudget(settings.apiShare !== undefined ? { share: settings.apiShare } : {});
  const clients = createAwsClients({
    ...(settings.region !== undefined && { region: settings.region }),
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.maxAttempts !== undefined && { maxAttempts: settings.maxAttempts }),
    budget,
    ...(options.onApiCall && {
      onCall: (event: AwsCallEvent) => options.onApiCall?.({ service: event.service, action: event.action, outcome: callOutcome(event.error) }),
    }),
  });
  return new AwsProvider({
    clusterName: options.clusterName,
    certificates: options.certificates,
    ...(options.clientSecrets && { clientSecrets: options.clientSecrets }),
    clients,
    budget,
    settings,
    onClose: () => destroyAwsClients(clients),
  });
}

function callOutcome(error: string | undefined): 'success' | 'throttled' | 'error' {
  if (error === undefined) return 'success';
  return isThrottling(Object.assign(new Error(error), { name: error })) ? 'throttled' : 'error';
}
