/**
 * The AWS provider's settings, from `ProviderOptions.settings` (the command line's AWS flags):
 * - `region`, `endpoint` (--aws-endpoint-url; the SDK also reads AWS_ENDPOINT_URL), `maxAttempts`,
 *   `apiShare`: how the clients are made;
 * - `vpcId`: the VPC of new target groups and of the managed security group; without it, the VPC of
 *   the load balancer's subnets;
 * - `manageBackendSecurityGroupRules`: whether the targets' security groups get a rule admitting the
 *   load balancer (off by default: it edits groups the controller does not own).
 * @module
 */
export interface AwsSettings {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  apiShare?: number;
  vpcId?: string;
  manageBackendSecurityGroupRules: boolean;
}

class AwsSettingsError extends Error {
  override readonly name = 'AwsSettingsError';
}

type RawSettings = Readonly<Record<string, string | number | boolean | undefined>> | undefined;

export function readAwsSettings(raw: RawSettings): AwsSettings {
  const settings: AwsSettings = { manageBackendSecurityGroupRules: booleanSetting(raw, 'manageBackendSecurityGroupRules') ?? false };
  const region = stringSetting(raw, 'region');
  const endpoint = stringSetting(raw, 'endpoint');
  const vpcId = stringSetting(raw, 'vpcId');
  const maxAttempts = numberSetting(raw, 'maxAttempts');
  const apiShare = numberSetting(raw, 'apiShare');
  if (region !== undefined) settings.region = region;
  if (endpoint !== undefined) settings.endpoint = endpoint;
  if (vpcId !== undefined) settings.vpcId = vpcId;
  if (maxAttempts !== undefined) {
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new AwsSettingsError(`maxAttempts ${maxAttempts} must be a positive integer`);
    settings.maxAttempts = maxAttempts;
  }
  if (apiShare !== undefined) settings.apiShare = apiShare;
  return settings;
}

function stringSetting(raw: RawSettings, key: string): string | undefined {
  const value = raw?.[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new AwsSettingsError(`setting ${key} must be a string, not ${typeof value}`);
  return value;
}

function numberSetting(raw: RawSettings, key: string): number | undefined {
  const value = raw?.[key];
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(number)) throw new AwsSettingsError(`setting ${key} must be a number, not ${JSON.stringify(value)}`);
  return number;
}

function booleanSetting(raw: RawSettings, key: string): boolean | undefined {
  const value = raw?.[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new AwsSettingsError(`setting ${key} must be true or false, not ${JSON.stringify(value)}`);
}
