/**
 * The provider contract: how a cloud plugs in. A provider imports this module and src/model.ts, and
 * nothing else of the core. docs/providers.md explains it for third parties.
 *
 *   observe(stack)         → Observed      every resource the provider owns for this stack
 *   diff(spec, observed)   → ProviderPlan  ordered operations; empty when in step
 *   apply(plan)            → ApplyResult   the address for Ingress status, per-operation outcomes
 *   delete(stack)                          everything owned for the stack, dependents first
 *   applyTargets(spec, keys)               optional: only the named target groups' targets
 *
 * Types only: the built-in providers and the module loader are in provider-registry.ts.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, Stack } from './model.js';

/** A TLS Secret's material, handed to a provider only when it needs to install the certificate. */
export interface CertificateMaterial {
  /** The leaf certificate, PEM. */
  certificatePem: string;
  /** The rest of tls.crt (intermediates), PEM; empty when there is none. */
  chainPem: string;
  privateKeyPem: string;
}

/** Where providers read TLS material from (the runtime's Snapshot); never logged, never in plans. */
export interface CertificateMaterialSource {
  get(namespace: string, name: string): CertificateMaterial | undefined;
}

/** An OIDC client's credentials, read from a Secret's `clientID` and `clientSecret`. */
export interface OidcClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Where providers read OIDC client secrets from (the runtime's Snapshot); never logged, never in plans. */
export interface ClientSecretSource {
  get(namespace: string, name: string): OidcClientCredentials | undefined;
}

/** One call to a cloud API, reported for metrics and logs. */
export interface ApiCallReport {
  service: string;
  action: string;
  outcome: 'success' | 'throttled' | 'error';
}

export interface ProviderOptions {
  clusterName: string;
  certificates: CertificateMaterialSource;
  /** OIDC client secrets (model Authentication `clientSecretRef`); absent: OIDC rules cannot be applied. */
  clientSecrets?: ClientSecretSource;
  /** Provider-specific settings from the command line (e.g. `listenAddress` for local). */
  settings?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Called for every cloud API call the provider makes, so the runtime can count them. */
  onApiCall?: (call: ApiCallReport) => void;
}

/** The load balancer's address as Ingress status shows it: a DNS name or an IP. */
export interface LoadBalancerAddress {
  hostname?: string;
  ip?: string;
}

/** One step of a plan, for people and logs: the cloud API action and the logical resource. */
export interface PlannedOperation {
  action: string;
  resource: string;
  /** What changes, in the cloud API's own terms (JSON-able; no key material). */
  detail?: unknown;
}

export interface ProviderPlan {
  stackId: string;
  operations: PlannedOperation[];
}

export interface OperationOutcome {
  operation: PlannedOperation;
  error?: string;
}

export interface ApplyResult {
  address?: LoadBalancerAddress;
  outcomes: OperationOutcome[];
  /**
   * Cleanup the cloud refused only because it still holds the resource (a certificate or security
   * group a deleted load balancer let go of moments ago): the runtime tries the stack again later
   * and keeps the finalizers that guard it until nothing is pending.
   */
  pending?: PlannedOperation[];
  /** Permanent failures, named for the Ingresses concerned. */
  diagnostics: Diagnostic[];
}

export interface ApplyOptions {
  /**
   * Asked before each mutating call: false stops the apply there (this replica lost its leadership),
   * leaving the rest to the new leader, which converges from whatever state the cloud is in.
   */
  mayMutate?: () => boolean;
}

/** How much of a stack observe reads from the cloud. */
export interface ObserveOptions {
  /**
   * `full` (the default): everything the provider owns for the stack. `changes`: a provider that
   * remembers the stack (its last full observe, kept up to date by its own successful calls) may
   * answer from that memory and read only what the change to `spec` must verify; it reads everything
   * when it remembers nothing (at start) or after a failed apply. The runtime asks for `full` on its
   * resync period, so drift made outside the controller is still found.
   */
  read?: 'full' | 'changes';
}

/** What observe saw; only the provider that made it reads inside. */
export interface Observed {
  readonly stackId: string;
}

/** A registered target as a health query names it: the instance id or address, and its port. */
export interface TargetRef {
  id: string;
  port: number;
}

/**
 * A target's health in its target group, in ELBv2's terms (other clouds map onto them):
 * `initial` registered and not yet checked enough, `healthy`, `unhealthy`, `unused` (no listener
 * sends to the group, or the target is not registered), `draining`, `unavailable` (health checks
 * off). `reason` and `description` are the cloud's own, for people.
 */
export interface TargetHealth {
  state: 'initial' | 'healthy' | 'unhealthy' | 'unhealthy.draining' | 'unused' | 'draining' | 'unavailable';
  reason?: string;
  description?: string;
}

/** Health by target group key, then by target as `<id>:<port>`; a target left out is not registered. */
export type TargetHealthReport = Map<string, Map<string, TargetHealth>>;

export interface Provider {
  readonly name: string;
  /**
   * The spec, when given, lets a provider look up what its diff will need (subnets, certificates
   * found by discovery, security groups) so that diff stays pure.
   */
  observe(stack: Pick<Stack, 'id'>, spec?: LoadBalancerSpec, options?: ObserveOptions): Promise<Observed>;
  /** Pure: what it takes to make `observed` match `spec` (undefined spec: the stack should not exist). */
  diff(spec: LoadBalancerSpec | undefined, observed: Observed): ProviderPlan;
  apply(plan: ProviderPlan, options?: ApplyOptions): Promise<ApplyResult>;
  delete(stack: Pick<Stack, 'id'>): Promise<void>;
  /**
   * Optional: the health of these targets in the stack's target groups, for Pod readiness gates.
   * Asks only for the targets given (the runtime names those not yet known healthy), and at most one
   * read per target group; groups the provider has not applied are left out of the report.
   */
  targetHealth?(stackId: string, targets: ReadonlyMap<string, readonly TargetRef[]>): Promise<TargetHealthReport>;
  /**
   * Optional fast path for target changes (an EndpointSlice or a Node): brings only the registered
   * targets of the named target groups (spec keys) in step with `spec`, registering before
   * deregistering and reading nothing else, and resolves once every wanted target is registered
   * (removals may finish after). Only the named groups of `spec` are read: the runtime may leave the
   * others out. Undefined when it cannot take the fast path for them (nothing
   * remembered of the stack, a group that does not exist yet or must change otherwise): the runtime
   * then runs observe, diff and apply. Without this method the runtime always does.
   */
  applyTargets?(spec: LoadBalancerSpec, targetGroupKeys: readonly string[], options?: ApplyOptions): Promise<ApplyResult | undefined>;
  /** Releases sockets, timers and clients. */
  close(): Promise<void>;
}

/**
 * What `plan` knows of where the load balancers would live, without reading the cloud: the cluster
 * name (names hash it) and the provider's own flags. A renderer shows what is given and a
 * placeholder for the rest.
 */
export interface PlanRenderContext {
  clusterName?: string;
  settings?: ProviderOptions['settings'];
}

/** The plan as a JSON document in the cloud API's own field names (key material never included). */
export type PlanRenderer = (specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[], context?: PlanRenderContext) => unknown;

/** What a provider module exports. */
export interface ProviderModule {
  renderPlan: PlanRenderer;
  /** Absent in a module that can only render plans. */
  createProvider?(options: ProviderOptions): Provider | Promise<Provider>;
}
