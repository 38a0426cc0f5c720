/**
 * The AWS provider's plan: an ordered list of API calls as data. Inputs name objects that do not exist
 * yet by placeholders `${Kind:key}` (the same convention as the plan JSON: `${TargetGroup:<key>}`,
 * `${Certificate:<key>}`, `${LoadBalancer}`, `${Listener:<port>}`, `${SecurityGroup:frontend}`); apply
 * starts from the ARNs and IDs observe found and adds what each create returns, then replaces every
 * placeholder before the call is sent. So a plan can be printed, compared and tested without AWS.
 * @module
 */
import type { PlannedOperation } from '../../../src/provider.js';

export type AwsService = 'elbv2' | 'acm' | 'ec2' | 'tagging' | 'wafv2' | 'shield' | 'lambda';

export interface AwsOperationDetail {
  service: AwsService;
  /** The SDK command input, with placeholders where an ARN or ID is not known yet. */
  input: Record<string, unknown>;
  /** The reference this call creates, and the dotted path of its value in the output (e.g. `TargetGroups.0.TargetGroupArn`). */
  produces?: { ref: string; outputPath: string };
  /**
   * ImportCertificate only: the Secret whose material apply reads at call time — material never enters a plan.
   * (An OIDC client secret is named instead by a `${ClientSecret:namespace/name}` placeholder in the input.)
   */
  secret?: { namespace: string; name: string };
}

export interface AwsOperation extends PlannedOperation {
  /** The API action, e.g. `CreateRule`. */
  action: string;
  /** The logical resource, e.g. `Rule/443/3`, `TargetGroup/default/web:80/ip`. */
  resource: string;
  detail: AwsOperationDetail;
}

/** Known references: placeholder (`${TargetGroup:key}`) → ARN or ID. */
export type References = Map<string, string>;

export function placeholder(kind: string, key?: string): string {
  return key === undefined ? `\${${kind}}` : `\${${kind}:${key}}`;
}
