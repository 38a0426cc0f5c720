/**
 * Where a project's load balancers live and the defaults of the flags that say so, in one place for
 * the provider's settings (settings.ts, which validates the flags) and for `plan`'s JSON (which reads
 * nothing and shows placeholders for what is not given).
 * @module
 */

export interface GcpPlacement {
  project: string;
  region: string;
  /** --gcp-network (default `default`): the VPC of forwarding rules, NEGs and the firewall rule. */
  network: string;
  /** --gcp-subnetwork (default `default`): where an internal load balancer takes its address. */
  subnetwork: string;
  /** --gcp-zone (default `<region>-a`): the zone of a target whose EndpointSlice or Node names none of the region's. */
  zone: string;
  /** --gcp-manage-firewall (default true). */
  manageFirewall: boolean;
}

export interface GivenPlacement {
  project: string;
  region: string;
  network: string | undefined;
  subnetwork: string | undefined;
  zone: string | undefined;
  /** The flag's raw value: only `false` (or the text `false`) turns the firewall rule off. */
  manageFirewall: unknown;
}

export function withPlacementDefaults(given: GivenPlacement): GcpPlacement {
  return {
    project: given.project,
    region: given.region,
    network: given.network ?? 'default',
    subnetwork: given.subnetwork ?? 'default',
    zone: given.zone ?? `${given.region}-a`,
    manageFirewall: given.manageFirewall !== false && given.manageFirewall !== 'false',
  };
}
