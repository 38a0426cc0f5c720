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

const AUTHENTICATION = 'listener authentication is not supported; authenticate in the application or a proxy in front of it';
const WAF = 'WAF is not managed; associate the web ACL with the load balancer outside ingress-bridge';
const FRONTEND_NLB = 'a Network Load Balancer in front of the ALB is not managed';

export const UNSUPPORTED_ANNOTATIONS: readonly UnsupportedAnnotation[] = [
  { key: 'auth-type', instead: AUTHENTICATION },
  { key: 'auth-idp-cognito', instead: AUTHENTICATION },
  { key: 'auth-idp-oidc', instead: AUTHENTICATION },
  { key: 'auth-on-unauthenticated-request', instead: AUTHENTICATION },
  { key: 'auth-scope', instead: AUTHENTICATION },
  { key: 'auth-session-cookie', instead: AUTHENTICATION },
  { key: 'auth-session-timeout', instead: AUTHENTICATION },
  { key: 'jwt-validation', instead: AUTHENTICATION },
  { key: 'mutual-authentication', instead: 'mutual TLS is not supported; terminate client certificates in the application' },
  { key: 'wafv2-acl-arn', instead: WAF },
  { key: 'wafv2-acl-name', instead: WAF },
  { key: 'waf-acl-id', instead: WAF },
  { key: 'web-acl-id', instead: WAF },
  { key: 'shield-advanced-protection', instead: 'Shield Advanced is not managed; enable it outside ingress-bridge' },
  { key: 'enable-frontend-nlb', instead: FRONTEND_NLB },
  { key: 'frontend-nlb-', matchesPrefix: true, instead: FRONTEND_NLB },
  { key: 'transforms.', matchesPrefix: true, instead: 'URL and host-header rewrites are not supported; rewrite in the application' },
  { key: 'use-regex-path-match', instead: 'paths follow the Ingress specification; use conditions.<name> with regexValues for regex matching' },
  { key: 'listener-attributes.', matchesPrefix: true, instead: 'listener attributes are not managed' },
  { key: 'target-node-labels', instead: 'instance targets are all ready Nodes; use target-type ip to target the Pods only' },
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
