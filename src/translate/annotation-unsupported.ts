/**
 * aws-load-balancer-controller annotations that ingress-bridge knows but does not act on, and other
 * controllers' annotations it does not read, each with what to do instead. They are reported as
 * warnings, never errors, so that a manifest written for another controller still gets the routing
 * it asks for.
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

const UNSUPPORTED_ANNOTATIONS: readonly UnsupportedAnnotation[] = [
  { key: 'waf-acl-id', instead: WAF_CLASSIC },
  { key: 'web-acl-id', instead: WAF_CLASSIC },
  { key: 'enable-frontend-nlb', instead: FRONTEND_NLB },
  { key: 'frontend-nlb-', matchesPrefix: true, instead: FRONTEND_NLB },
  { key: 'use-regex-path-match', instead: 'paths follow the Ingress specification; use conditions.<name> with regexValues for regex matching' },
  { key: 'target-control-port.', matchesPrefix: true, instead: 'the ALB Target Optimizer is not supported' },
  { key: 'multi-cluster-target-group', instead: 'a target group belongs to one cluster' },
  {
    key: 'manage-backend-security-group-rules',
    instead: 'backend security-group rules are not managed; open the node or Pod security groups to the load balancer yourself',
  },
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

/**
 * Annotations of other Ingress controllers, which ingress-bridge does not read. Each gets a warning
 * naming it and what to use instead, so that a manifest written for ingress-nginx, Traefik or GKE is
 * never served as if they were absent without a word. A key listed with its equivalent gets that
 * advice; any other key under a listed prefix gets the prefix's. Not listed: annotations another
 * tool reads on purpose beside an Ingress controller (cert-manager.io/, external-dns).
 */
export interface ForeignAnnotation {
  /** The whole key; with `matchesPrefix`, every key that starts with it. */
  key: string;
  matchesPrefix?: boolean;
  controller: string;
  instead: string;
  /** Another way than converting: serving the Ingress as its controller would, unchanged. Said once per Ingress. */
  adoption?: string;
}

const TO_HTTPS = 'set ingress-bridge.io/ssl-redirect: "443" (HTTP is redirected to HTTPS only when asked, with TLS or without)';
const NGINX = 'nginx.ingress.kubernetes.io/';
const SEE_ANNOTATIONS = 'see docs/annotations.md for the ingress-bridge.io/ annotations';

/**
 * ingress-bridge can read ingress-nginx's annotations itself, for Ingresses of the nginx class: a
 * team that put ours on an ingress-nginx manifest may rather keep the manifest than convert it.
 */
const NGINX_ADOPTION =
  'to serve it as ingress-nginx does without converting it, keep ingressClassName: nginx and run ingress-bridge with --ingress-class nginx, which reads nginx.ingress.kubernetes.io/ annotations (docs/migrating-from-ingress-nginx.md)';

const LISTED: readonly ForeignAnnotation[] = [
  {
    key: `${NGINX}rewrite-target`,
    controller: 'ingress-nginx',
    instead: 'rewrite the path with ingress-bridge.io/transforms.<service> (a url-rewrite), or in the application',
  },
  { key: `${NGINX}ssl-redirect`, controller: 'ingress-nginx', instead: TO_HTTPS },
  { key: `${NGINX}force-ssl-redirect`, controller: 'ingress-nginx', instead: TO_HTTPS },
  {
    key: `${NGINX}backend-protocol`,
    controller: 'ingress-nginx',
    instead: 'set ingress-bridge.io/backend-protocol (HTTP or HTTPS), or backend-protocol-version: GRPC',
  },
  { key: `${NGINX}whitelist-source-range`, controller: 'ingress-nginx', instead: 'set ingress-bridge.io/inbound-cidrs' },
  { key: `${NGINX}allowlist-source-range`, controller: 'ingress-nginx', instead: 'set ingress-bridge.io/inbound-cidrs' },
  {
    key: `${NGINX}use-regex`,
    controller: 'ingress-nginx',
    instead: 'paths follow the Ingress specification; match by regex with ingress-bridge.io/conditions.<service> and regexValues',
  },
  {
    key: `${NGINX}proxy-read-timeout`,
    controller: 'ingress-nginx',
    instead: 'set ingress-bridge.io/load-balancer-attributes: idle_timeout.timeout_seconds=<seconds>',
  },
  {
    key: `${NGINX}affinity`,
    controller: 'ingress-nginx',
    instead: 'set ingress-bridge.io/target-group-attributes: stickiness.enabled=true,stickiness.type=lb_cookie',
  },
  {
    key: `${NGINX}canary`,
    matchesPrefix: true,
    controller: 'ingress-nginx',
    instead: 'split traffic with a weighted forward in ingress-bridge.io/actions.<name>',
  },
  { key: `${NGINX}permanent-redirect`, controller: 'ingress-nginx', instead: 'redirect with an ingress-bridge.io/actions.<name> of type redirect' },
  { key: NGINX, matchesPrefix: true, controller: 'ingress-nginx', instead: SEE_ANNOTATIONS },
  { key: 'traefik.ingress.kubernetes.io/', matchesPrefix: true, controller: 'Traefik', instead: SEE_ANNOTATIONS },
  { key: 'ingress.kubernetes.io/', matchesPrefix: true, controller: 'an older ingress-nginx or Traefik', instead: SEE_ANNOTATIONS },
  {
    key: 'kubernetes.io/ingress.allow-http',
    controller: 'GKE Ingress',
    instead: 'serve HTTPS only with ingress-bridge.io/listen-ports: \'[{"HTTPS":443}]\', or redirect with ingress-bridge.io/ssl-redirect: "443"',
  },
  {
    key: 'kubernetes.io/ingress.global-static-ip-name',
    controller: 'GKE Ingress',
    instead: "a load balancer's address is the cloud's; point DNS at the address in the Ingress status",
  },
  {
    key: 'kubernetes.io/ingress.regional-static-ip-name',
    controller: 'GKE Ingress',
    instead: "a load balancer's address is the cloud's; point DNS at the address in the Ingress status",
  },
  { key: 'ingress.gcp.kubernetes.io/', matchesPrefix: true, controller: 'GKE Ingress', instead: SEE_ANNOTATIONS },
  { key: 'networking.gke.io/', matchesPrefix: true, controller: 'GKE Ingress', instead: SEE_ANNOTATIONS },
  { key: 'appgw.ingress.kubernetes.io/', matchesPrefix: true, controller: 'Azure Application Gateway', instead: SEE_ANNOTATIONS },
  { key: 'haproxy.org/', matchesPrefix: true, controller: 'HAProxy', instead: SEE_ANNOTATIONS },
  { key: 'projectcontour.io/', matchesPrefix: true, controller: 'Contour', instead: SEE_ANNOTATIONS },
  { key: 'konghq.com/', matchesPrefix: true, controller: 'Kong', instead: SEE_ANNOTATIONS },
];

const FOREIGN_ANNOTATIONS: readonly ForeignAnnotation[] = LISTED.map((entry) => (entry.key.startsWith(NGINX) ? { ...entry, adoption: NGINX_ADOPTION } : entry));

/** The first entry that covers `key`: specific keys are listed before their prefix. */
export function findForeign(key: string): ForeignAnnotation | undefined {
  return FOREIGN_ANNOTATIONS.find((entry) => (entry.matchesPrefix ? key.startsWith(entry.key) : key === entry.key));
}
