/**
 * The typed form of the annotations translate understands. annotations.ts is the only place that
 * reads raw annotation strings; everything else sees these types.
 * @module
 */
import type {
  Action,
  Condition,
  HealthCheckSpec,
  IpAddressType,
  JwtClaim,
  ListenerProtocol,
  MutualAuthentication,
  Scheme,
  LoadBalancerScope,
  TargetType,
  Transform,
  UnauthenticatedRequestBehavior,
  WebAclRef,
} from '../model.js';

/** Our own annotation prefix; aws-load-balancer-controller's spelling is read too. */
export const OWN_PREFIX = 'ingress-bridge.io/';
export const ALB_PREFIX = 'alb.ingress.kubernetes.io/';

export interface ListenPort {
  protocol: ListenerProtocol;
  port: number;
}

/** A backend of a weighted forward action, before its Service is resolved to a target group. */
export type AnnotationForwardBackend =
  | {
      serviceName: string;
      /** A port number, or a port name. */
      servicePort: number | string;
      weight: number;
    }
  /** A target group the controller does not own, forwarded to as is (`targetGroupARN` / `targetGroupName`). */
  | { targetGroupArn: string; weight: number }
  | { targetGroupName: string; weight: number }
  /**
   * A function (`functionName`): the name a `backend.resource` of kind Function would carry, resolved
   * the same way (the function's own name, or the Ingress's `lambda.ingress-bridge.io/<name>` annotation).
   */
  | { functionName: string; weight: number };

/** `auth-idp-oidc`: the IdP's endpoints, and the Secret (keys clientID, clientSecret) in the Ingress's namespace. */
export interface OidcIdp {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  secretName: string;
  authenticationRequestExtraParams?: Record<string, string>;
}

/** `auth-idp-cognito`. */
export interface CognitoIdp {
  userPoolArn: string;
  userPoolClientId: string;
  userPoolDomain: string;
  authenticationRequestExtraParams?: Record<string, string>;
}

/** The `auth-*` annotations as set; translate fills in the defaults. */
export interface AuthAnnotations {
  type?: 'none' | 'oidc' | 'cognito';
  oidc?: OidcIdp;
  cognito?: CognitoIdp;
  onUnauthenticatedRequest?: UnauthenticatedRequestBehavior;
  scope?: string;
  sessionCookieName?: string;
  sessionTimeoutSeconds?: number;
  /** `auth-authentication-request-extra-params`; its keys win over the IdP JSON's. */
  authenticationRequestExtraParams?: Record<string, string>;
}

/** `jwt-validation`. */
export interface JwtValidationAnnotation {
  issuer: string;
  jwksEndpoint: string;
  additionalClaims: JwtClaim[];
}

/** One `listener-attributes.<PROTOCOL>-<port>` annotation. */
export interface ListenerAttributesAnnotation {
  protocol: ListenerProtocol;
  attributes: Record<string, string>;
}

/** An `actions.<name>` value: a forward names Services, which translate resolves. */
export type AnnotationAction =
  | Exclude<Action, { type: 'forward' }>
  | {
      type: 'forward';
      backends: AnnotationForwardBackend[];
      stickiness?: { enabled: boolean; durationSeconds: number };
    };

/** Health-check settings that were set explicitly; `port` may still be a Service port name. */
export type HealthCheckOverrides = Partial<Omit<HealthCheckSpec, 'port'>> & {
  /** `traffic-port`, a port number, or a Service port name. */
  port?: number | string;
};

/** Settings that apply to target groups: read from the Ingress, and from the Service (which wins). */
export interface TargetGroupAnnotations {
  targetType?: TargetType;
  backendProtocol?: 'HTTP' | 'HTTPS';
  backendProtocolVersion?: 'HTTP1' | 'HTTP2' | 'GRPC';
  healthCheck: HealthCheckOverrides;
  targetGroupAttributes: Record<string, string>;
  tags: Record<string, string>;
  /** `target-node-labels`: instance targets only on Nodes that carry all of them. */
  targetNodeLabels?: Record<string, string>;
}

export interface IngressAnnotations extends TargetGroupAnnotations {
  groupName?: string;
  /** Integer in [-1000, 1000]; undefined when not set (treated as 0). */
  groupOrder?: number;
  scheme?: Scheme;
  loadBalancerScope?: LoadBalancerScope;
  ipAddressType?: IpAddressType;
  listenPorts?: ListenPort[];
  /** The HTTPS port HTTP requests are redirected to. */
  sslRedirect?: number;
  certificateArns: string[];
  sslPolicy?: string;
  subnets?: string[];
  securityGroups?: string[];
  inboundCidrs?: string[];
  loadBalancerAttributes: Record<string, string>;
  loadBalancerName?: string;
  /** `actions.<name>`: used by backends whose port name is `use-annotation`. */
  actions: Map<string, AnnotationAction>;
  /** `conditions.<name>`: extra conditions AND-ed into the rules whose backend is `<name>`. */
  conditions: Map<string, Condition[]>;
  /** `transforms.<name>`: rewrites of the rules whose backend is `<name>`. */
  transforms: Map<string, Transform[]>;
  auth: AuthAnnotations;
  jwtValidation?: JwtValidationAnnotation;
  /** `wafv2-acl-arn` or `wafv2-acl-name` (one of the two). */
  webAcl?: WebAclRef;
  shieldAdvancedProtection?: boolean;
  /** `mutual-authentication`, by HTTPS port. */
  mutualAuthentication?: Map<number, MutualAuthentication>;
  /** `listener-attributes.<PROTOCOL>-<port>`, by port. */
  listenerAttributes: Map<number, ListenerAttributesAnnotation>;
}
