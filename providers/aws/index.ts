/**
 * The AWS provider: Application Load Balancers (ELBv2), certificates in ACM, security groups and
 * subnets from EC2.
 * @module
 */
import type { Provider, ProviderOptions } from '../../src/provider.js';
import { renderElbv2PlanDocument } from './plan-json.js';

export function createProvider(_options: ProviderOptions): Provider {
  return { name: 'aws', renderPlan: renderElbv2PlanDocument };
}
