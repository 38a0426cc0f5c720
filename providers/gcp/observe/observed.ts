/**
 * What observe found for one stack: the resources that are provably ours (name prefix and
 * ownership record agree), the endpoints of our network endpoint groups and the instances of our
 * instance groups, and what the diff needs of the project around them (the VPC, the proxy-only
 * subnet the managed load balancers require).
 * @module
 */
import type { Observed } from '../../../src/provider.js';
import type { Located, Resource } from '../kinds.js';

export interface Environment {
  /** The VPC's partial URL, when it exists. */
  network?: string;
  /** The subnetwork an internal load balancer takes its address from. */
  subnetwork?: string;
  /** The region's active proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) in the VPC, by CIDR. */
  proxySubnetCidr?: string;
}

export interface GcpObserved extends Observed {
  resources: Located[];
  /** By `<zone>/<name>` of a network endpoint group. */
  endpoints: Map<string, Resource[]>;
  /** By `<zone>/<name>` of an instance group: instance URLs. */
  instances: Map<string, string[]>;
  environment: Environment;
}

export function zonalKey(zone: string | undefined, name: string): string {
  return `${zone ?? ''}/${name}`;
}
