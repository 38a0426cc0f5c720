/**
 * The cloud-neutral description of one load balancer, as translate produces it and every provider
 * consumes it. It is ALB-shaped (listeners with prioritized rules) because that is the most general
 * of the clouds' HTTP load-balancer models. Plain serialisable data: no classes, no functions.
 *
 * Invariants (translate guarantees them, providers may rely on them):
 * - rule priorities are unique within a listener, and ascending priority is evaluation order;
 * - every targetGroupKey named by an action is the key of exactly one entry of `targetGroups`;
 * - every certificate key named by a listener is the key of exactly one entry of `certificates`;
 * - a condition carries either `values` (cloud wildcards `*` and `?`) or `regexValues`, never both;
 * - every targetGroupKey named by a forward is the key of exactly one entry of `targetGroups` or of
 *   `externalTargetGroups` (keys never collide: external keys start with `external:`), or of
 *   `functionTargetGroups` (keys start with `function:`);
 * - authentication and transforms appear only where the cloud allows them: `authentication` only on
 *   HTTPS listeners, `transforms` only on rules (never on a default action), at most one of each type;
 * - no secret value is ever in a spec: OIDC client secrets, like TLS keys, are named by their Secret
 *   and read by the provider through a source (src/provider.ts), with a fingerprint so rotation shows.
 * @module
 */

/** A namespaced Kubernetes object, as named in diagnostics, origins and stack membership. */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface IngressRef {
  namespace: string;
  name: string;
}

/** One IngressGroup: the unit that becomes one load balancer. */
export interface Stack {
  /** The group key: the group name for an explicit group (it has no `/`), `<namespace>/<name>` for a lone Ingress. */
  id: string;
  /** The load balancer's cloud name (at most 32 characters, stable for the stack). */
  name: string;
  /** The Ingresses that contributed to this spec, in merge order. */
  members: IngressRef[];
}

export type Scheme = 'internet-facing' | 'internal';
/**
 * Where a cloud that offers the choice serves the load balancer from: one region, or every region
 * behind one anycast address (Google Cloud's global external Application Load Balancer). A provider
 * without the choice ignores it.
 */
export type LoadBalancerScope = 'regional' | 'global';
export type IpAddressType = 'ipv4' | 'dualstack';
export type ListenerProtocol = 'HTTP' | 'HTTPS';
export type TargetType = 'instance' | 'ip';

export type SubnetSelection =
  | { kind: 'ids'; ids: string[] }
  /** The provider finds the subnets by its own tags (e.g. kubernetes.io/role/elb). */
  | { kind: 'discover' };

export type SecurityGroupSelection =
  | { kind: 'ids'; ids: string[] }
  /** The provider manages a frontend group that opens the listener ports to these CIDRs. */
  | { kind: 'managed'; inboundCidrs: string[] };

export interface LoadBalancerSpec {
  stack: Stack;
  scheme: Scheme;
  /** As the `load-balancer-scope` annotation asked; absent: regional. */
  scope?: LoadBalancerScope;
  ipAddressType: IpAddressType;
  subnets: SubnetSelection;
  securityGroups: SecurityGroupSelection;
  /** Cloud attributes by their API key, e.g. `idle_timeout.timeout_seconds`. Only listed keys are managed. */
  attributes: Record<string, string>;
  /** User tags; a provider adds its ownership tags on top. */
  tags: Record<string, string>;
  listeners: ListenerSpec[];
  targetGroups: TargetGroupSpec[];
  certificates: CertificateSpec[];
  /**
   * Target groups the controller does not own, named by a forward (`targetGroupARN`/`targetGroupName`):
   * referenced, never created, modified or deleted. Absent or empty when none.
   */
  externalTargetGroups?: ExternalTargetGroupSpec[];
  /**
   * Serverless functions forwarded to (an Ingress `backend.resource` of kind Function): the cloud
   * invokes the function with each request instead of proxying to an address. A provider that cannot
   * invoke functions must refuse them with a diagnostic, never serve the forward some other way.
   * Absent or empty when none.
   */
  functionTargetGroups?: FunctionTargetGroupSpec[];
  /**
   * The WAFv2 web ACL in front of the load balancer. Absent: no ACL of ours — the provider removes only
   * an association it made itself (an ACL associated by someone else, e.g. Firewall Manager, stays);
   * `none`: no ACL at all, whoever associated it.
   */
  webAcl?: WebAclRef;
  /**
   * Shield Advanced protection. true: protected (a protection made outside, e.g. by Firewall Manager,
   * counts); false or absent: the provider removes a protection it created itself, never another's.
   */
  shieldAdvancedProtection?: boolean;
}

/**
 * A function named by an Ingress: by its name (the provider's own account and region) or by the
 * cloud's full identifier, with an optional version or alias. Never created or changed by us.
 */
export interface FunctionRef {
  /** The function's name (for an ARN, the name part of it). */
  name: string;
  /** The full identifier when the user gave one (AWS: `arn:aws:lambda:<region>:<account>:function:<name>`), without qualifier. */
  arn?: string;
  /** A version number or alias; absent: the unqualified function. */
  qualifier?: string;
}

/**
 * A target group whose one target is a function (ALB: target type `lambda`). Keys start with
 * `function:`, which neither a Service key (it starts with a namespace and `/`) nor an external key
 * can, so forwards name all three kinds in one list without collisions.
 */
export interface FunctionTargetGroupSpec {
  /** `function:<arn or name>[:<qualifier>]`; what forwards name as targetGroupKey. */
  key: string;
  /** The cloud name (at most 32 characters), derived from the stack and key. */
  name: string;
  function: FunctionRef;
  /** Headers and query parameters reach the function as lists (`multiValueHeaders`) instead of their last value. */
  multiValueHeaders: boolean;
  /** Functions are not health-checked (the ALB's default for them): a failed invocation answers 502 on its own. */
  tags: Record<string, string>;
}

/** A WAFv2 web ACL by ARN, or by name (the provider resolves the name in its region). */
export type WebAclRef = { kind: 'arn'; arn: string } | { kind: 'name'; name: string } | { kind: 'none' };

/** A target group outside the cluster's ownership, forwarded to as is. */
export interface ExternalTargetGroupSpec {
  /** `external:arn:<arn>` or `external:name:<name>`; what forwards name as targetGroupKey. */
  key: string;
  ref: { kind: 'arn'; arn: string } | { kind: 'name'; name: string };
}

export interface ListenerSpec {
  port: number;
  protocol: ListenerProtocol;
  /** Keys into `LoadBalancerSpec.certificates`; the first is the listener's default certificate. */
  certificateKeys: string[];
  sslPolicy?: string;
  defaultAction: Action;
  /** Authentication before the default action (HTTPS listeners only). Transforms are never allowed here. */
  defaultAuthentication?: Authentication;
  rules: RuleSpec[];
  /** HTTPS only. Absent: mode `off`. */
  mutualAuthentication?: MutualAuthentication;
  /** Listener attributes by their API key, e.g. `routing.http.response.server.enabled`. Only listed keys are managed. */
  attributes?: Record<string, string>;
}

export interface MutualAuthentication {
  /** off: no client certificate; passthrough: the client certificate is forwarded to targets unchecked
   * (ALB: header `X-Amzn-Mtls-Clientcert`); verify: checked against a trust store, refused otherwise. */
  mode: 'off' | 'passthrough' | 'verify';
  /** verify only: the cloud trust store (AWS: an ELBv2 trust store ARN). A local provider uses its own CA bundle. */
  trustStoreArn?: string;
  /** verify only, instead of trustStoreArn: the trust store's name, which the provider resolves. */
  trustStoreName?: string;
  /** verify only: accept an expired client certificate. */
  ignoreClientCertificateExpiry?: boolean;
  /** verify only: advertise the trust store's CA names in the TLS handshake. */
  advertiseTrustStoreCaNames?: boolean;
}

export interface RuleSpec {
  priority: number;
  conditions: Condition[];
  actions: Action[];
  /** Checked before `actions` run (HTTPS listeners only); the request goes on only once it passes. */
  authentication?: Authentication;
  /** Rewrites applied to the request before it is forwarded; at most one of each type. */
  transforms?: Transform[];
  /** Where the rule came from, for diagnostics and plan output. */
  origin: RuleOrigin;
}

/**
 * A rewrite of the request after routing decided (it never changes which rule matched). `regex` is
 * RE2-compatible (no lookaround, no backreferences); `replace` may use capture groups `$1`…`$9`.
 * url-rewrite matches against the path and query (`/path?query`), host-header-rewrite against the Host.
 */
export type Transform = { type: 'url-rewrite'; regex: string; replace: string } | { type: 'host-header-rewrite'; regex: string; replace: string };

/** What the load balancer does with a request that carries no valid session (OIDC and Cognito). */
export type UnauthenticatedRequestBehavior = 'deny' | 'allow' | 'authenticate';

/** The session settings OIDC and Cognito login share. */
export interface AuthenticationSession {
  /** Default `authenticate`. */
  onUnauthenticatedRequest: UnauthenticatedRequestBehavior;
  /** Space-separated scopes; default `openid`. */
  scope: string;
  /** Default `AWSELBAuthSessionCookie`. */
  sessionCookieName: string;
  /** 1–604800; default 604800 (7 days). */
  sessionTimeoutSeconds: number;
  /** Extra query parameters of the authorization request (at most 10). */
  authenticationRequestExtraParams: Record<string, string>;
}

/** A Secret in the cluster, read by the provider through ProviderOptions.clientSecrets. */
export interface SecretRef {
  namespace: string;
  name: string;
}

export type Authentication =
  | ({
      type: 'oidc';
      issuer: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      userInfoEndpoint: string;
      /** Not secret (it appears in the IdP's login URL); read from the Secret's `clientID` by translate. */
      clientId: string;
      /** The Secret with keys `clientID` and `clientSecret`, in the Ingress's namespace. */
      clientSecretRef: SecretRef;
      /** sha256 of the Secret's clientID and clientSecret, so a rotated secret is a visible change. */
      clientSecretFingerprint: string;
    } & AuthenticationSession)
  | ({
      type: 'cognito';
      userPoolArn: string;
      userPoolClientId: string;
      /** The user pool's domain prefix (or full custom domain). */
      userPoolDomain: string;
    } & AuthenticationSession)
  | {
      /** A bearer JWT (RS256) checked against the issuer's JWKS; 401 when missing or invalid. */
      type: 'jwt-validation';
      issuer: string;
      /** HTTPS URL of the JWKS. */
      jwksEndpoint: string;
      /** Claims checked besides exp, iss, nbf and iat (at most 10). */
      additionalClaims: JwtClaim[];
    };

export interface JwtClaim {
  /** single-string: the claim equals one of `values`; string-array: the claim array contains one;
   * space-separated-values: the claim's space-separated words contain one. */
  format: 'single-string' | 'string-array' | 'space-separated-values';
  name: string;
  values: string[];
}

export interface RuleOrigin {
  ingress: IngressRef;
  /** A Gateway API route the rule came from (`ingress` then holds its namespace and name); absent for an Ingress. */
  route?: ObjectRef;
  host?: string;
  path?: string;
  pathType?: string;
}

/** Wildcard `values` or anchored `regexValues`; exactly one of the two is set. */
export interface MatchValues {
  values?: string[];
  regexValues?: string[];
}

export type Condition =
  | ({ field: 'host-header' } & MatchValues)
  | ({ field: 'path-pattern' } & MatchValues)
  | ({ field: 'http-header'; headerName: string } & MatchValues)
  | { field: 'http-request-method'; values: string[] }
  | { field: 'query-string'; values: QueryStringMatch[] }
  | { field: 'source-ip'; values: string[] };

export interface QueryStringMatch {
  key?: string;
  value: string;
}

export interface WeightedTargetGroup {
  targetGroupKey: string;
  weight: number;
}

export type RedirectStatusCode = 'HTTP_301' | 'HTTP_302';

export type Action =
  | {
      type: 'forward';
      targetGroups: WeightedTargetGroup[];
      stickiness?: { enabled: boolean; durationSeconds: number };
    }
  | {
      type: 'redirect';
      /** Unset parts keep the request's own value (`#{protocol}`, `#{host}`, … in ALB terms). */
      protocol?: string;
      port?: string;
      host?: string;
      path?: string;
      query?: string;
      statusCode: RedirectStatusCode;
    }
  | { type: 'fixed-response'; statusCode: string; contentType?: string; messageBody?: string };

export interface HealthCheckSpec {
  protocol: 'HTTP' | 'HTTPS';
  /** `traffic-port` (the target's own port) or a port number. */
  port: 'traffic-port' | number;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** Codes in ALB syntax (`200`, `200,202`, `200-299`): HTTP status codes, or gRPC codes when the target group's protocolVersion is GRPC. */
  successCodes: string;
}

/** The Service port a target group serves, as the Ingress named it. */
export interface ServiceBackendRef {
  namespace: string;
  name: string;
  /** The port as written in the Ingress: a number or a port name. */
  port: number | string;
}

export interface TargetGroupSpec {
  /** `namespace/service:port/targetType`, stable across reconciles. */
  key: string;
  /** The cloud name (at most 32 characters), derived from the stack and key. */
  name: string;
  service: ServiceBackendRef;
  protocol: 'HTTP' | 'HTTPS';
  protocolVersion: 'HTTP1' | 'HTTP2' | 'GRPC';
  /** The port targets are registered with when they carry none of their own. */
  port: number;
  targetType: TargetType;
  healthCheck: HealthCheckSpec;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /**
   * instance targets: only Nodes carrying all these labels (`target-node-labels`). Already applied to
   * `targets`; carried so plans and providers can say why a Node is not a target.
   */
  nodeLabels?: Record<string, string>;
  targets: Target[];
}

export interface Target {
  /** instance: the Node's providerID; ip: the endpoint address. */
  id: string;
  /** The address a packet reaches: the Node's InternalIP, or the endpoint address. */
  ip: string;
  port: number;
  /** instance targets: the Node name; ip targets: the Pod's Node, when the EndpointSlice says. */
  node?: string;
  zone?: string;
}

export type CertificateSource =
  /** A kubernetes.io/tls Secret; the provider loads its material, never logs it. */
  | { kind: 'secret'; namespace: string; name: string }
  /** A certificate already in the cloud's store, given by the certificate-arn annotation. */
  | { kind: 'arn'; arn: string }
  /** No certificate given: the provider looks for an issued one that covers the hosts. */
  | { kind: 'discover' };

export interface CertificateSpec {
  key: string;
  source: CertificateSource;
  /** The TLS hosts this certificate serves (lower-case). */
  hosts: string[];
  /** sha256 of the Secret's certificate and key (secret source only), so rotation is a visible change. */
  fingerprint?: string;
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * A problem found in input, named by object and field so that a user can fix it.
 * `error` leaves the object (or a part of it) out; `warning` and `info` only inform.
 */
export interface Diagnostic {
  severity: Severity;
  object: ObjectRef;
  /** A JSON-path-like field, e.g. `spec.rules[0].http.paths[1].pathType`. */
  field: string;
  message: string;
  /** The manifest file and document index, when the object came from a file. */
  source?: { file: string; document: number };
}
