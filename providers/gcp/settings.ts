/**
 * The GCP provider's settings, from `ProviderOptions.settings` (the command line's GCP flags, as
 * `gcpProject`, `gcpRegion`, … so that they never collide with another provider's `region`):
 * - `project`, `region` (--gcp-project, --gcp-region): where the load balancers live (required);
 * - `network` (--gcp-network, default `default`): the VPC of forwarding rules, NEGs and the firewall
 *   rule; `subnetwork` (--gcp-subnetwork, default `default`): where an internal load balancer takes
 *   its address;
 * - `zone` (--gcp-zone, default `<region>-a`): the zone of a target whose EndpointSlice or Node
 *   names no zone of the region;
 * - `manageFirewall` (--gcp-manage-firewall, default true): a firewall rule admitting Google's
 *   health-check ranges and the proxy-only subnet to the target ports;
 * - `endpoint` (--gcp-endpoint): a Compute API endpoint other than Google's (`http://127.0.0.1:port`
 *   for the fake); `maxAttempts` (default 5) for retries, and `apiShare` (in (0, 1], default 1): the
 *   fraction of the project's Compute read and write quotas this controller spends (sdk/budget.ts).
 * @module
 */
import { ConfigError } from '../../src/errors.js';
import { withPlacementDefaults, type GcpPlacement } from './plan/placement.js';

export interface GcpSettings extends GcpPlacement {
  endpoint?: string;
  maxAttempts: number;
  apiShare?: number;
}

/** A usage problem: the command line reports it in one line with exit status 2. */
class GcpSettingsError extends ConfigError {}

type RawSettings = Readonly<Record<string, string | number | boolean | undefined>> | undefined;

export function readGcpSettings(raw: RawSettings): GcpSettings {
  const project = stringSetting(raw, 'gcpProject');
  const region = stringSetting(raw, 'gcpRegion');
  if (project === undefined) throw new GcpSettingsError('--gcp-project is required for the gcp provider');
  if (region === undefined) throw new GcpSettingsError('--gcp-region is required for the gcp provider');
  if (!/^[a-z]+-[a-z]+\d+$/.test(region)) throw new GcpSettingsError(`--gcp-region ${region} is not a Compute region (e.g. us-central1)`);
  const endpoint = stringSetting(raw, 'gcpEndpoint');
  const maxAttempts = raw?.['gcpMaxAttempts'] ?? raw?.['maxAttempts'];
  const share = raw?.['gcpApiShare'] ?? raw?.['apiShare'];
  const apiShare = share === undefined || share === '' ? undefined : Number(share);
  if (apiShare !== undefined && !(apiShare > 0 && apiShare <= 1)) throw new GcpSettingsError(`API share ${String(share)} is not in (0, 1]`);
  return {
    ...withPlacementDefaults({
      project,
      region,
      network: stringSetting(raw, 'gcpNetwork'),
      subnetwork: stringSetting(raw, 'gcpSubnetwork'),
      zone: stringSetting(raw, 'gcpZone'),
      manageFirewall: raw?.['gcpManageFirewall'],
    }),
    ...(endpoint !== undefined && { endpoint }),
    maxAttempts: maxAttempts === undefined || maxAttempts === '' ? 5 : Number(maxAttempts),
    ...(apiShare !== undefined && { apiShare }),
  };
}

function stringSetting(raw: RawSettings, key: string): string | undefined {
  const value = raw?.[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new GcpSettingsError(`setting ${key} must be a string, not ${typeof value}`);
  return value;
}
