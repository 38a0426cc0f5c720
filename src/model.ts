/**
 * The cloud-neutral description of one load balancer, as translate produces it and every provider
 * consumes it. It is ALB-shaped (listeners with prioritized rules) because that is the most general
 * of the clouds' HTTP load-balancer models. Plain serialisable data: no classes, no functions.
 *
 * Invariants (translate guarantees them, providers may rely on them):
 * - rule priorities are unique within a listener, and ascending priority is evaluation order;
 * - every targetGroupKey named by an action is the key of exactly one entry of `targetGroups`;
 * - every certificate key named by a listener is the key of exactly one entry of `certificates`;
 * - a condition carries either `values` (cloud wildcards `*` and `?`) or `regexValues`, never both.
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
}

export interface ListenerSpec {
  port: number;
  protocol: ListenerProtocol;
  /** Keys into `LoadBalancerSpec.certificates`; the first is the listener's default certificate. */
  certificateKeys: string[];
  sslPolicy?: string;
  defaultAction: Action;
  rules: RuleSpec[];
}

export interface RuleSpec {
  priority: number;
  conditions: Condition[];
  actions: Action[];
  /** Where the rule came from, for diagnostics and plan output. */
  origin: RuleOrigin;
}

export interface RuleOrigin {
  ingress: IngressRef;
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
