/**
 * The local provider: a real HTTP/HTTPS load balancer in this process that serves every applied
 * LoadBalancerSpec. State is in memory — what is served is what was last applied.
 *
 * An apply installs in place: target groups whose key stays keep their health and rotation, routes
 * and certificates are swapped for the requests that follow, and a socket is opened only for a port
 * no stack listened on yet and closed once no stack listens on it. Applies run one at a time.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { Diagnostic, LoadBalancerSpec, Stack } from '../../src/model.js';
import type {
  ApplyResult,
  CertificateMaterialSource,
  Observed,
  Provider,
  ProviderOptions,
  ProviderPlan,
  TargetHealth,
  TargetHealthReport,
  TargetRef,
} from '../../src/provider.js';
import { compileListenerTransforms, createAdmission, jwksEndpointsOf, type LocalAdmission } from './admission-runtime.js';
import { ForwardChoosers } from './balancer.js';
import { certificateDiagnostics, listenerDiagnostics, sslPolicyDiagnostics } from './diagnostics.js';
import { featureDiagnostics } from './feature-diagnostics.js';
import { createRequestHandler, createUpgradeHandler, shouldProxyUpgrade, type HandlerContext, type PortRoutes, type RoutedStack } from './handler.js';
import { ListenerSockets } from './listeners.js';
import { stderrLog, type LocalLog } from './log.js';
import { clientCertificateAllowed } from './mutual-tls.js';
import { isLocalObserved, isLocalPlan, listenerResource, planStack, type LocalObserved, type LocalPlan } from './plan.js';
import { configuredLocalPort, readLocalSettings, upstreamTimeoutFor, type LocalSettings } from './settings.js';
import { nextTargetGroups, type ServedTargetGroup } from './target-groups.js';
import { functionDiagnostics, LocalFunctionDirectory } from './functions.js';
import { compileListenerRules } from './rule-match.js';
import { buildCertificateTable, CertificateContexts, sniCallback, type CertificateTable } from './tls.js';
import type { UserClaimsKey } from './user-claims.js';

export interface LocalProvider extends Provider {
  observe(stack: Pick<Stack, 'id'>): Promise<LocalObserved>;
  diff(spec: LoadBalancerSpec | undefined, observed: Observed): LocalPlan;
  /** The port this machine listens on for a spec listener port; undefined when none is open. */
  boundPort(specPort: number): number | undefined;
  /** What this balancer's own health checks say about these targets (readiness gates). */
  targetHealth(stackId: string, targets: ReadonlyMap<string, readonly TargetRef[]>): Promise<TargetHealthReport>;
  /** The public key of the ES256 key that signs X-Amzn-Oidc-Data (made when the provider starts). */
  userClaimsKey(): UserClaimsKey;
}

/** What the embedding program can hand the provider besides ProviderOptions. */
export interface LocalProviderHooks {
  /** Where details that clients must not see are written; default: pino JSON on stderr. */
  log?: LocalLog;
}

interface ServedStack extends RoutedStack {
  /** As applied, less the listeners whose port could not be opened (so the next diff retries them). */
  spec: LoadBalancerSpec;
  targetGroups: Map<string, ServedTargetGroup>;
}

export class LocalLoadBalancer implements LocalProvider {
  readonly name = 'local';
  private readonly settings: LocalSettings;
  private readonly material: CertificateMaterialSource;
  private readonly sockets: ListenerSockets;
  private readonly stacks = new Map<string, ServedStack>();
  private readonly routes = new Map<number, PortRoutes>();
  private readonly certificateTables = new Map<number, CertificateTable>();
  private readonly certificateContexts = new CertificateContexts();
  private readonly log: LocalLog;
  /** Mutual TLS, authentication and transforms (admission.ts). */
  private readonly admission: LocalAdmission;
  private readonly clientSecrets: ProviderOptions['clientSecrets'];
  /** The handlers of function targets (`--functions DIR`), shared by every listener. */
  private readonly functions: LocalFunctionDirectory;
  /** Sockets being closed while their last requests finish; close() waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ProviderOptions, hooks: LocalProviderHooks = {}) {
    this.settings = readLocalSettings(options.settings);
    this.material = options.certificates;
    this.sockets = new ListenerSockets(this.settings.listenAddress, this.settings);
    this.log = hooks.log ?? stderrLog();
    this.clientSecrets = options.clientSecrets;
    this.admission = createAdmission({ settings: this.settings, clientSecrets: options.clientSecrets, log: this.log });
    this.functions = new LocalFunctionDirectory(this.settings.functionsDir);
  }

  observe(stack: Pick<Stack, 'id'>): Promise<LocalObserved> {
    return Promise.resolve({ stackId: stack.id, spec: this.stacks.get(stack.id)?.spec });
  }

  diff(spec: LoadBalancerSpec | undefined, observed: Observed): LocalPlan {
    if (!isLocalObserved(observed)) throw new Error(`diff was given an Observed for ${observed.stackId} that the local provider did not make`);
    if (spec && spec.stack.id !== observed.stackId) throw new Error(`diff of stack ${spec.stack.id} against what was observed for ${observed.stackId}`);
    return planStack(spec, observed.spec, { stackId: observed.stackId, settings: this.settings });
  }

  apply(plan: ProviderPlan): Promise<ApplyResult> {
    return this.serially(() => this.install(plan));
  }

  /**
   * The target fast path: the served spec with the named groups' targets replaced, installed in
   * place as apply does (target groups keep their health and rotation); only when those groups
   * differ from the served ones in nothing but their targets, so it never stands in for a full reconcile.
   */
  async applyTargets(spec: LoadBalancerSpec, targetGroupKeys: readonly string[]): Promise<ApplyResult | undefined> {
    const served = this.stacks.get(spec.stack.id)?.spec;
    const wanted = new Map(spec.targetGroups.filter((group) => targetGroupKeys.includes(group.key)).map((group) => [group.key, group]));
    if (!served || wanted.size !== new Set(targetGroupKeys).size) return undefined;
    const next = { ...served, targetGroups: served.targetGroups.map((group) => ({ ...group, targets: wanted.get(group.key)?.targets ?? group.targets })) };
    const changedOtherwise = [...wanted.values()].some((group) => {
      const current = served.targetGroups.find((candidate) => candidate.key === group.key);
      return !current || !isDeepStrictEqual({ ...current, targets: [] }, { ...group, targets: [] });
    });
    if (changedOtherwise) return undefined;
    return this.apply(this.diff(next, await this.observe(spec.stack)));
  }

  delete(stack: Pick<Stack, 'id'>): Promise<void> {
    return this.serially(() => this.remove(stack.id));
  }

  boundPort(specPort: number): number | undefined {
    return this.sockets.boundPort(specPort);
  }

  userClaimsKey(): UserClaimsKey {
    return this.admission.userClaimsKey;
  }

  /** For readiness gates: what this balancer's own health checks say (targets start healthy: health.ts). */
  targetHealth(stackId: string, targets: ReadonlyMap<string, readonly TargetRef[]>): Promise<TargetHealthReport> {
    const report: TargetHealthReport = new Map();
    const served = this.stacks.get(stackId);
    for (const [key, wanted] of targets) {
      const group = served?.targetGroups.get(key);
      if (!group) continue;
      const states = new Map(group.targetStates().map(({ target, state }) => [`${target.id}:${target.port}`, state]));
      const health = new Map<string, TargetHealth>();
      for (const target of wanted) {
        const state = states.get(`${target.id}:${target.port}`);
        if (state === 'healthy') health.set(`${target.id}:${target.port}`, { state: 'healthy' });
        else if (state !== undefined)
          health.set(`${target.id}:${target.port}`, {
            state: 'unhealthy',
            reason: state === 'ejected' ? 'Target.ConnectionFailed' : 'Target.FailedHealthChecks',
          });
      }
      report.set(key, health);
    }
    return Promise.resolve(report);
  }

  async close(): Promise<void> {
    await this.serially(async () => {
      for (const stackId of [...this.stacks.keys()]) this.remove(stackId);
      await this.sockets.closeAll();
      await Promise.all(this.closing);
    });
  }

  private serially<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async install(plan: ProviderPlan): Promise<ApplyResult> {
    if (!isLocalPlan(plan)) {
      const error = 'this plan was not made by the local provider (it carries no desired spec)';
      return { outcomes: plan.operations.map((operation) => ({ operation, error })), diagnostics: [] };
    }
    if (plan.operations.length === 0) return { address: this.address(), outcomes: [], diagnostics: [] };
    if (!plan.desired) {
      this.remove(plan.stackId);
      return { outcomes: plan.operations.map((operation) => ({ operation })), diagnostics: [] };
    }
    const desired = structuredClone(plan.desired);
    const failures = await this.openSockets(desired);
    const previous = this.stacks.get(plan.stackId);
    const { groups, retired } = nextTargetGroups(previous?.targetGroups ?? new Map(), desired.targetGroups, this.settings);
    const served: ServedStack = {
      spec: { ...desired, listeners: desired.listeners.filter((listener) => !failures.has(listener.port)) },
      targetGroups: groups,
      functionTargetGroups: new Map((desired.functionTargetGroups ?? []).map((group) => [group.key, group])),
      choosers: previous?.choosers ?? new ForwardChoosers(),
      upstreamTimeoutMs: upstreamTimeoutFor(this.settings, desired.attributes),
    };
    this.stacks.set(plan.stackId, served);
    this.refreshPorts([...portsOf(previous?.spec), ...portsOf(served.spec)]);
    for (const group of retired) group.stop();
    this.closeUnusedSockets();

    const diagnostics: Diagnostic[] = [];
    for (const [port, error] of failures) diagnostics.push(...listenerDiagnostics(desired, port, error));
    if (plan.operations.some((operation) => operation.action === 'UpdateCertificates'))
      diagnostics.push(...certificateDiagnostics(desired, this.material, this.certificateContexts));
    diagnostics.push(...sslPolicyDiagnostics(desired));
    diagnostics.push(...(await functionDiagnostics(desired, this.functions)));
    diagnostics.push(...featureDiagnostics(desired, previous?.spec, { trustStore: this.admission.runtime.trustStore, clientSecrets: this.clientSecrets }));
    const failedResources = new Map([...failures].map(([port, error]) => [listenerResource(this.settings, port), error]));
    const outcomes = plan.operations.map((operation) => {
      const error = operation.action === 'OpenListener' ? failedResources.get(operation.resource) : undefined;
      return error ? { operation, error } : { operation };
    });
    return { address: this.address(), outcomes, diagnostics };
  }

  /** Opens the ports the spec needs that are not open yet; the errors by spec port. */
  private async openSockets(spec: LoadBalancerSpec): Promise<Map<number, string>> {
    const failures = new Map<number, string>();
    for (const listener of spec.listeners) {
      const open = this.sockets.protocolOf(listener.port);
      if (open === listener.protocol) continue;
      const others = [...this.stacks.values()].filter((stack) => stack.spec.stack.id !== spec.stack.id && portsOf(stack.spec).includes(listener.port));
      if (open && others.length > 0) {
        failures.set(
          listener.port,
          `port ${listener.port} is served as ${open} for ${others.map((stack) => stack.spec.stack.id).join(', ')}, and one socket cannot serve both protocols`,
        );
        continue;
      }
      if (open) this.closeSocket(listener.port);
      const context: HandlerContext = {
        routes: () => this.routes.get(listener.port),
        localPortFor: (specPort) => this.sockets.boundPort(specPort) ?? configuredLocalPort(this.settings, specPort),
        log: this.log,
        admission: this.admission.runtime,
        functions: this.functions,
      };
      const result = await this.sockets.open(listener.port, {
        localPort: configuredLocalPort(this.settings, listener.port),
        protocol: listener.protocol,
        handlers: { request: createRequestHandler(context), shouldUpgrade: shouldProxyUpgrade(context), upgrade: createUpgradeHandler(context) },
        tls: {
          sniCallback: sniCallback(() => this.certificateTables.get(listener.port)),
          policyFor: (serverName) => this.certificateTables.get(listener.port)?.policyFor(serverName),
          http2EnabledFor: (serverName) => this.certificateTables.get(listener.port)?.http2EnabledFor(serverName) ?? true,
          admitConnection: (serverName, socket) =>
            clientCertificateAllowed(this.certificateTables.get(listener.port)?.mutualAuthenticationFor(serverName), socket, this.admission.runtime.trustStore),
        },
      });
      if (!result.ok) failures.set(listener.port, result.error);
    }
    return failures;
  }

  private remove(stackId: string): void {
    const served = this.stacks.get(stackId);
    if (!served) return;
    this.stacks.delete(stackId);
    this.refreshPorts(portsOf(served.spec));
    for (const group of served.targetGroups.values()) group.stop();
    this.closeUnusedSockets();
  }

  /**
   * Rebuilds the routes and certificate tables of these ports from the stacks now served: once per
   * port per apply, with TLS contexts reused from the cache. Rules are compiled here, not on the
   * first request, and a regex value that cannot be compiled is logged (it never matches).
   */
  private refreshPorts(ports: readonly number[]): void {
    const stacks = [...this.stacks.values()].sort((a, b) => compareText(a.spec.stack.id, b.spec.stack.id));
    for (const port of new Set(ports)) {
      const candidates = stacks.flatMap((stack) => {
        const listener = stack.spec.listeners.find((candidate) => candidate.port === port);
        return listener ? [{ stackId: stack.spec.stack.id, listener, stack, hostRules: stack.spec.listeners.flatMap((each) => each.rules) }] : [];
      });
      const protocol = candidates[0]?.listener.protocol;
      if (!protocol) {
        this.routes.delete(port);
        this.certificateTables.delete(port);
        continue;
      }
      for (const { stackId, listener } of candidates) {
        for (const problem of [...compileListenerRules(listener), ...compileListenerTransforms(listener)]) this.log.warn({ stack: stackId, port }, problem);
      }
      if (protocol === 'HTTPS') {
        const table = buildCertificateTable(
          candidates.map(({ stack, listener }) => ({ spec: stack.spec, listener })),
          this.material,
          this.certificateContexts,
          this.admission.runtime.trustStore?.pem,
        );
        this.certificateTables.set(port, table);
        this.sockets.setSecureContext(port, table.defaultOptions);
        this.sockets.requestClientCertificates(port, table.clientCertificates.request);
      }
      this.routes.set(port, { specPort: port, protocol, candidates });
    }
    this.certificateContexts.retainOnly(new Set([...this.certificateTables.values()].flatMap((table) => [...table.digests])));
    this.admission.runtime.jwt.retainOnly(jwksEndpointsOf([...this.stacks.values()].flatMap((stack) => stack.spec.listeners)));
  }

  private closeUnusedSockets(): void {
    const used = new Set([...this.stacks.values()].flatMap((stack) => portsOf(stack.spec)));
    for (const port of this.sockets.specPorts()) {
      if (!used.has(port)) this.closeSocket(port);
    }
  }

  /** Requests in flight on the socket finish; the apply does not wait for them. */
  private closeSocket(port: number): void {
    const closed = this.sockets.close(port);
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }

  private address(): ApplyResult['address'] {
    return { ip: this.settings.listenAddress };
  }
}

function portsOf(spec: LoadBalancerSpec | undefined): number[] {
  return (spec?.listeners ?? []).map((listener) => listener.port);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
