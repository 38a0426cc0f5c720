/**
 * The AWS provider's ProviderPlan: the ordered operations plus what apply needs to run them — the
 * references already known before the first call, the Ingresses a failure is reported on, and how to
 * find subnets and the VPC when the plan had to leave them as placeholders. Plain JSON-able data.
 * @module
 */
import type { Diagnostic, IngressRef, Scheme, SubnetSelection } from '../../../src/model.js';
import type { ProviderPlan } from '../../../src/provider.js';
import type { AwsOperation } from './operations.js';

export interface AwsPlan extends ProviderPlan {
  readonly provider: 'aws';
  operations: AwsOperation[];
  /** Placeholder → ARN or ID, for objects that exist: observed ones and the companions' references. */
  references: Record<string, string>;
  /** The stack's Ingresses, which carry the diagnostics of a failed apply. */
  members: IngressRef[];
  /** Set when an operation names `${Subnets}` or `${Vpc}`: apply discovers them for this scheme. */
  placement?: { subnets: SubnetSelection; scheme: Scheme };
  /** Placeholder → why it cannot be resolved (a certificate discovery found nothing), for apply's error. */
  problems?: Record<string, string>;
  /** The DNS name of the load balancer the plan keeps; a created one's comes from CreateLoadBalancer. */
  hostname?: string;
  /** Problems diff worked around (a function that does not exist: its paths answer 503), reported by apply. */
  diagnostics?: Diagnostic[];
}

export function isAwsPlan(plan: ProviderPlan): plan is AwsPlan {
  return (plan as Partial<AwsPlan>).provider === 'aws';
}
