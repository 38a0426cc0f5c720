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
  ListenerProtocol,
  Scheme,
  TargetType,
} from '../model.js';

/** Our own annotation prefix; aws-load-balancer-controller's spelling is read too. */
export const OWN_PREFIX = 'ingress-bridge.io/';
export const ALB_PREFIX = 'alb.ingress.kubernetes.io/';

export interface ListenPort {
  protocol: ListenerProtocol;
  port: number;
}

/** A backend of a weighted forward action, before its Service is resolved to a target group. */
export interface AnnotationForwardBackend {
  serviceName: string;
  /** A port number, or a port name. */
  servicePort: number | string;
  weight: number;
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
  port?: 'traffic-port' | number | string;
};

/** Settings that apply to target groups: read from the Ingress, and from the Service (which wins). */
export interface TargetGroupAnnotations {
  targetType?: TargetType;
  backendProtocol?: 'HTTP' | 'HTTPS';
  backendProtocolVersion?: 'HTTP1' | 'HTTP2' | 'GRPC';
  healthCheck: HealthCheckOverrides;
  targetGroupAttributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface IngressAnnotations extends TargetGroupAnnotations {
  groupName?: string;
  /** Integer in [-1000, 1000]; undefined when not set (treated as 0). */
  groupOrder?: number;
  scheme?: Scheme;
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
}
