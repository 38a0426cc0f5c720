/**
 * ingress-nginx's annotations that the load balancer cannot express, each with what to do instead.
 * Three kinds, because dropping them costs differently:
 * - `protective`: it guards the backend (external auth, basic auth, client certificates, a WAF).
 *   Serving the Ingress without it would expose what its owner meant to guard, so the Ingress is
 *   refused (not served) until the annotation is replaced;
 * - `snippet`: raw nginx configuration. It may do anything, protection included, so strict mode
 *   (`--nginx-unsupported=error`) refuses the Ingress; by default it is a warning;
 * - `unsupported`: a tuning or convenience the load balancer lacks; a warning, and the Ingress is
 *   served without it.
 * The keys that are mapped onto the load balancer are read by read.ts and its annotation-family
 * modules, and listed in MAPPED_KEYS; unsupported.ts reports the rest by this table.
 * @module
 */

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

export type UnmappedKind = 'protective' | 'snippet' | 'unsupported';

export interface UnmappedAnnotation {
  /** The key without prefix; with `matchesPrefix`, every key that starts with it. */
  key: string;
  matchesPrefix?: boolean;
  kind: UnmappedKind;
  instead: string;
  /** Values that make the annotation inert (e.g. `auth-tls-verify-client: off`): nothing to honour, no diagnostic. */
  inert?: (value: string) => boolean;
}

/** The keys read.ts and its annotation-family modules map onto the load balancer. */
export const MAPPED_KEYS: ReadonlySet<string> = new Set([
  'rewrite-target',
  'use-regex',
  'app-root',
  'permanent-redirect',
  'permanent-redirect-code',
  'temporal-redirect',
  'temporal-redirect-code',
  'ssl-redirect',
  'force-ssl-redirect',
  'canary',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-header-pattern',
  'canary-by-cookie',
  'canary-weight',
  'canary-weight-total',
  'whitelist-source-range',
  'allowlist-source-range',
  'denylist-source-range',
  'upstream-vhost',
  'backend-protocol',
  'proxy-read-timeout',
  'proxy-send-timeout',
]);

const AUTHENTICATE =
  'authenticate on the load balancer instead: ingress-bridge.io/auth-type oidc or cognito, or jwt-validation (docs/annotations.md#authentication), then remove this annotation';
const CLIENT_CERTIFICATES =
  'verify client certificates on the load balancer with ingress-bridge.io/mutual-authentication (mode verify), then remove this annotation';
const WAF =
  'put a WAFv2 web ACL in front of the load balancer with ingress-bridge.io/wafv2-acl-arn (AWS managed rule groups cover the OWASP core rules), then remove this annotation';
const SNIPPET =
  'raw nginx configuration cannot run on a cloud load balancer; move what it does into the application, a WAFv2 rule, or ingress-bridge.io/ annotations';
const RATE_LIMIT = 'the load balancer does not limit request rates; use a WAFv2 rate-based rule (ingress-bridge.io/wafv2-acl-arn) or limit in the application';
const isFalse = (value: string): boolean => value.trim().toLowerCase() === 'false';

const UNMAPPED: readonly UnmappedAnnotation[] = [
  { key: 'auth-url', kind: 'protective', instead: AUTHENTICATE },
  { key: 'auth-type', kind: 'protective', instead: AUTHENTICATE },
  { key: 'auth-secret', kind: 'protective', instead: AUTHENTICATE },
  { key: 'auth-tls-secret', kind: 'protective', instead: CLIENT_CERTIFICATES },
  { key: 'auth-tls-verify-client', kind: 'protective', instead: CLIENT_CERTIFICATES, inert: (value) => value.trim().toLowerCase() === 'off' },
  { key: 'auth-tls-match-cn', kind: 'protective', instead: CLIENT_CERTIFICATES },
  { key: 'enable-modsecurity', kind: 'protective', instead: WAF, inert: isFalse },
  { key: 'enable-owasp-core-rules', kind: 'protective', instead: WAF, inert: isFalse },
  { key: 'modsecurity-transaction-id', kind: 'protective', instead: WAF },
  {
    key: 'ssl-passthrough',
    kind: 'protective',
    instead:
      'the backend terminates TLS itself, which an Application Load Balancer cannot pass through; serve it with a Network Load Balancer (a Service of type LoadBalancer)',
    inert: isFalse,
  },
  { key: 'configuration-snippet', kind: 'snippet', instead: SNIPPET },
  { key: 'server-snippet', kind: 'snippet', instead: SNIPPET },
  { key: 'stream-snippet', kind: 'snippet', instead: SNIPPET },
  { key: 'auth-snippet', kind: 'snippet', instead: SNIPPET },
  { key: 'modsecurity-snippet', kind: 'snippet', instead: SNIPPET },
  // The rest of auth-* and auth-tls-* only tune auth-url or auth-tls-secret, which are refused above.
  { key: 'auth-', matchesPrefix: true, kind: 'unsupported', instead: 'it tunes nginx authentication, which is not served; see auth-url and auth-tls-secret' },
  { key: 'limit-', matchesPrefix: true, kind: 'unsupported', instead: RATE_LIMIT },
  { key: 'global-rate-limit', matchesPrefix: true, kind: 'unsupported', instead: RATE_LIMIT },
  {
    key: 'proxy-body-size',
    kind: 'unsupported',
    instead: 'the load balancer sets no request body limit; limit it in the application or with a WAFv2 size-constraint rule',
  },
  { key: 'client-body-buffer-size', kind: 'unsupported', instead: 'the load balancer does not buffer request bodies by configuration' },
  { key: 'enable-cors', kind: 'unsupported', instead: 'answer CORS (preflight OPTIONS and Access-Control-* headers) in the application', inert: isFalse },
  { key: 'cors-', matchesPrefix: true, kind: 'unsupported', instead: 'answer CORS (preflight OPTIONS and Access-Control-* headers) in the application' },
  {
    key: 'mirror-',
    matchesPrefix: true,
    kind: 'unsupported',
    instead: 'the load balancer does not mirror requests; mirror them in the application or with a service mesh',
  },
  {
    key: 'proxy-connect-timeout',
    kind: 'unsupported',
    instead: "the load balancer's timeout for connecting to targets is fixed; proxy-read-timeout is mapped to its idle timeout",
  },
  { key: 'proxy-', matchesPrefix: true, kind: 'unsupported', instead: 'the load balancer proxies with its own buffering, retries and headers' },
  {
    key: 'affinity',
    matchesPrefix: true,
    kind: 'unsupported',
    instead: "set ingress-bridge.io/target-group-attributes: stickiness.enabled=true,stickiness.type=lb_cookie (the cookie is the load balancer's)",
  },
  { key: 'session-cookie-', matchesPrefix: true, kind: 'unsupported', instead: "sticky sessions use the load balancer's own cookie; see affinity" },
  {
    key: 'load-balance',
    kind: 'unsupported',
    instead: 'set ingress-bridge.io/target-group-attributes: load_balancing.algorithm.type=least_outstanding_requests',
  },
  {
    key: 'upstream-hash-by',
    matchesPrefix: true,
    kind: 'unsupported',
    instead: 'consistent hashing is not available; use stickiness (target-group-attributes)',
  },
  { key: 'custom-http-errors', kind: 'unsupported', instead: "error pages are the application's; the load balancer passes the backend's responses through" },
  { key: 'default-backend', kind: 'unsupported', instead: 'use spec.defaultBackend of the Ingress' },
  { key: 'ssl-ciphers', kind: 'unsupported', instead: 'choose a TLS policy with ingress-bridge.io/ssl-policy' },
  { key: 'ssl-prefer-server-ciphers', kind: 'unsupported', instead: 'choose a TLS policy with ingress-bridge.io/ssl-policy' },
  {
    key: 'from-to-www-redirect',
    kind: 'unsupported',
    instead: 'add a rule for the other host with an ingress-bridge.io/actions.<name> redirect',
    inert: isFalse,
  },
  { key: 'server-alias', kind: 'unsupported', instead: 'list the other hosts as rules of the Ingress' },
  { key: 'x-forwarded-prefix', kind: 'unsupported', instead: 'the load balancer adds no X-Forwarded-Prefix; derive the prefix in the application' },
  { key: 'custom-headers', kind: 'unsupported', instead: 'set response headers in the application' },
];

export function findUnmapped(suffix: string): UnmappedAnnotation | undefined {
  return UNMAPPED.find((entry) => (entry.matchesPrefix ? suffix.startsWith(entry.key) : suffix === entry.key));
}
