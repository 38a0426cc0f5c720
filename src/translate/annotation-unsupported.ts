/**
 * aws-load-balancer-controller annotations that ingress-bridge knows but does not act on, each
 * with what to do instead. They are reported as warnings, never errors, so that a manifest written
 * for that controller still gets the routing it asks for.
 * @module
 */

export interface UnsupportedAnnotation {
  /** The key without prefix; with `matchesPrefix`, every key that starts with it. */
  key: string;
  matchesPrefix?: boolean;
  /** Why it is not supported, or what to use instead. */
  instead: string;
}

const WAF_CLASSIC = 'AWS WAF Classic is retired by AWS and has no API for new associations; use wafv2-acl-arn or wafv2-acl-name';
const FRONTEND_NLB = 'a Network Load Balancer in front of the ALB is not managed';

export const UNSUPPORTED_ANNOTATIONS: readonly UnsupportedAnnotation[] = [
  { key: 'waf-acl-id', instead: WAF_CLASSIC },
  { key: 'web-acl-id', instead: WAF_CLASSIC },
  { key: 'enable-frontend-nlb', instead: FRONTEND_NLB },
  { key: 'frontend-nlb-', matchesPrefix: true, instead: FRONTEND_NLB },
  { key: 'use-regex-path-match', instead: 'paths follow the Ingress specification; use conditions.<name> with regexValues for regex matching' },
  { key: 'target-control-port.', matchesPrefix: true, instead: 'the ALB Target Optimizer is not supported' },
  { key: 'multi-cluster-target-group', instead: 'a target group belongs to one cluster' },
  { key: 'manage-backend-security-group-rules', instead: 'backend security-group rules are not managed; open the node or Pod security groups to the load balancer yourself' },
  { key: 'security-group-prefix-lists', instead: 'use inbound-cidrs' },
  { key: 'customer-owned-ipv4-pool', instead: 'Outposts are not supported' },
  { key: 'ipam-ipv4-pool-id', instead: 'IPAM pools are not supported' },
  { key: 'minimum-load-balancer-capacity', instead: 'capacity reservations are not managed' },
  { key: 'create-acm-cert', instead: 'certificates come from spec.tls Secrets (imported for you), certificate-arn, or discovery' },
  { key: 'acm-pca-arn', instead: 'certificates come from spec.tls Secrets (imported for you), certificate-arn, or discovery' },
  { key: 'dry-run-plan', instead: 'run `ingress-bridge plan` to see what would change' },
];

export function findUnsupported(key: string): UnsupportedAnnotation | undefined {
  return UNSUPPORTED_ANNOTATIONS.find((entry) => (entry.matchesPrefix ? key.startsWith(entry.key) : key === entry.key));
}
