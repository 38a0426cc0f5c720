/**
 * `ingress-bridge run --manifests DIR`: reconcile the directory with a provider, print the plan and
 * the Ingresses with their addresses, then (without --once) keep watching the directory and print
 * what each change did. With --metrics-address or --health-address it serves /metrics, /healthz and
 * /readyz as the controller does against a cluster.
 * @module
 */
import type { Logger } from '../observability/logger.js';
import { startObservabilityServers, type ObservabilityServers } from '../observability/health.js';
import { ControllerMetrics } from '../observability/metrics.js';
import type { Provider, ProviderOptions } from '../provider.js';
import { loadProvider } from '../provider-registry.js';
import { renderDiagnostic, renderPlanText } from './plan-text.js';
import type { TranslateOptions } from '../translate/index.js';
import { describeLeftToOtherClasses } from '../translate/other-classes.js';
import { noteApiCall } from '../controller/api-call-log.js';
import { snapshotCertificates } from '../sources/certificate-material.js';
import { snapshotClientSecrets } from '../sources/client-secrets.js';
import { renderIngressTable } from '../controller/ingress-table.js';
import { logRound, ManifestRunner, type RoundReport } from '../controller/manifest-runner.js';
import { ConfigError } from '../errors.js';

export interface RunRequest {
  manifests: string;
  provider: string;
  providerSettings: ProviderOptions['settings'];
  once: boolean;
  translateOptions: () => TranslateOptions;
  logger: Logger;
  print: (text: string) => void;
  /** Manifest files bigger than this are not read (--max-manifest-bytes). */
  maxFileBytes?: number;
  /** Given: Prometheus /metrics there (`host:port`). */
  metricsAddress?: string;
  /** Given: /healthz and /readyz there. */
  healthAddress?: string;
  /** The watcher's timing (tests); see ManifestRunnerOptions. */
  watch?: { debounceMs?: number; rescanMs?: number; useFileSystemEvents?: boolean };
}

export interface RunHandle {
  provider: Provider;
  runner: ManifestRunner;
  first: RoundReport;
  metrics: ControllerMetrics;
  /** Set when --metrics-address or --health-address was given. */
  servers?: ObservabilityServers;
  /** Stops watching, finishes the round in flight and releases the provider and the servers. */
  stop(): Promise<void>;
}

/**
 * The first round: the plan, what was applied, the table. A later round: which files changed and
 * the operations each load balancer took, its diagnostics, and the table when a load balancer
 * changed. `previous` is the round before (undefined for the first).
 */
export function describeRound(report: RoundReport, previous: RoundReport | undefined, ourClass: string): string {
  const specs = report.outcomes.flatMap((outcome) => (outcome.spec ? [outcome.spec] : []));
  const diagnostics = [...report.diagnostics, ...report.outcomes.flatMap((outcome) => outcome.diagnostics)];
  const left = describeLeftToOtherClasses(report.leftToOtherClasses, ourClass);
  const lines: string[] = [];
  const changed = report.outcomes.filter((outcome) => (outcome.plan?.operations.length ?? 0) > 0);
  if (!previous) {
    lines.push(renderPlanText(specs, diagnostics, left));
    for (const outcome of changed) lines.push(`applied to ${outcome.stackId}:`, ...describeOperations(outcome));
  } else {
    lines.push(`changed: ${report.changed.join(', ') || '(a rescan found a difference)'}`);
    if (changed.length === 0) lines.push('no load balancer needed a change');
    for (const outcome of changed) {
      const count = outcome.plan?.operations.length ?? 0;
      lines.push(`load balancer ${outcome.stackId}: ${count} operation${count === 1 ? '' : 's'}`, ...describeOperations(outcome));
    }
    for (const diagnostic of diagnostics.filter((entry) => entry.severity !== 'info')) lines.push(renderDiagnostic(diagnostic));
    if (left.join('\n') !== describeLeftToOtherClasses(previous.leftToOtherClasses, ourClass).join('\n')) lines.push(...left);
  }
  for (const outcome of report.outcomes.filter((entry) => entry.error)) lines.push(`error   load balancer ${outcome.stackId}: ${outcome.error}`);
  if (!previous || changed.length > 0) lines.push('', renderIngressTable(report.ingresses));
  return `${lines.join('\n')}\n`;
}

/** One line per operation, with its error when it failed. */
function describeOperations(outcome: RoundReport['outcomes'][number]): string[] {
  const entries: { operation: { action: string; resource: string }; error?: string }[] =
    outcome.result?.outcomes ?? outcome.plan?.operations.map((operation) => ({ operation })) ?? [];
  return entries.map((entry) => `  ${entry.operation.action.padEnd(30)} ${entry.operation.resource}${entry.error ? `  FAILED: ${entry.error}` : ''}`);
}

/** The local provider's action for binding a port; a failed one at start means the port is taken or not allowed. */
const OPEN_LISTENER = 'OpenListener';

/**
 * Ports that could not be bound in the first round, one message each naming the flag that moves
 * it. A load balancer missing a port is not a state to keep running in: the table would promise
 * an address that does not answer.
 */
export function listenerBindFailures(report: RoundReport): string[] {
  const failures = new Map<string, string>();
  for (const outcome of report.outcomes) {
    for (const entry of outcome.result?.outcomes ?? []) {
      if (entry.operation.action !== OPEN_LISTENER || entry.error === undefined) continue;
      const detail = entry.operation.detail as { port?: number } | undefined;
      const specPort = detail?.port;
      const flag = specPort === 80 ? '--http-port' : specPort === 443 ? '--https-port' : undefined;
      const remedy = flag
        ? `choose a free port with ${flag}`
        : `free the port, serve it elsewhere with --listener-ports ${specPort ?? 'SPEC'}=LOCAL, or change the listener that asks for it`;
      failures.set(entry.operation.resource, `${entry.error}; ${remedy}`);
    }
  }
  return [...failures.values()];
}

export async function startRun(request: RunRequest): Promise<RunHandle> {
  const metrics = new ControllerMetrics();
  let ready = false;
  const servers = await startServers(request, metrics, () => ready);
  // The provider reads certificate material from the runner's Snapshot, and the runner needs the provider.
  const runnerRef: { current?: ManifestRunner } = {};
  let provider: Provider;
  try {
    provider = await loadProvider(request.provider, {
      clusterName: request.translateOptions().clusterName,
      certificates: snapshotCertificates(() => (runnerRef.current as ManifestRunner).current()),
      clientSecrets: snapshotClientSecrets(() => (runnerRef.current as ManifestRunner).current()),
      settings: request.providerSettings,
      onApiCall: (call) => {
        metrics.recordApiCall({ provider: request.provider, ...call });
        noteApiCall(call.service, call.action);
      },
    });
  } catch (error) {
    await servers?.close();
    throw error;
  }
  const activeRunner = new ManifestRunner({
    dir: request.manifests,
    provider,
    translateOptions: request.translateOptions,
    logger: request.logger,
    servedPort: servedPortOf(provider),
    ...(request.maxFileBytes !== undefined && { maxFileBytes: request.maxFileBytes }),
    ...request.watch,
  });
  runnerRef.current = activeRunner;
  const stop = async (): Promise<void> => {
    await activeRunner.stop();
    await provider.close();
    await servers?.close();
  };
  const first = await activeRunner.reconcile();
  recordRound(metrics, first);
  const bindFailures = listenerBindFailures(first);
  if (bindFailures.length > 0) {
    await stop();
    throw new ConfigError(bindFailures.join('; '));
  }
  ready = true;
  logRound(request.logger, first);
  const ourClass = request.translateOptions().ingressClass;
  request.print(describeRound(first, undefined, ourClass));
  if (!request.once) {
    let previous = first;
    await activeRunner.watch((report) => {
      recordRound(metrics, report);
      logRound(request.logger, report);
      request.print(describeRound(report, previous, ourClass));
      previous = report;
    });
  }
  return { provider, runner: activeRunner, first, metrics, ...(servers && { servers }), stop };
}

/** Each load balancer's reconcile counts as one, as against a cluster; a round's duration is shared by its stacks. */
function recordRound(metrics: ControllerMetrics, report: RoundReport): void {
  const share = report.outcomes.length === 0 ? 0 : report.seconds / report.outcomes.length;
  for (const outcome of report.outcomes) metrics.recordReconcile(outcome.error ? 'error' : outcome.plan ? 'success' : 'skipped', share);
}

/** The address is checked and bound before anything else starts, so a taken port is a one-line error. */
async function startServers(request: RunRequest, metrics: ControllerMetrics, ready: () => boolean): Promise<ObservabilityServers | undefined> {
  const { metricsAddress, healthAddress } = request;
  if (metricsAddress === undefined && healthAddress === undefined) return undefined;
  try {
    return await startObservabilityServers({
      // One address given: the other endpoints share it.
      metricsAddress: metricsAddress ?? (healthAddress as string),
      healthAddress: healthAddress ?? (metricsAddress as string),
      metrics,
      liveness: [{ name: 'process', ok: () => true }],
      readiness: [{ name: 'first-round-applied', ok: ready }],
    });
  } catch (error) {
    throw new ConfigError(observabilityBindProblem(error, { '--metrics-address': metricsAddress, '--health-address': healthAddress }));
  }
}

/**
 * The local provider serves the spec's ports 80 and 443 on other ports (--http-port, --https-port)
 * and says which through `boundPort`; a cloud load balancer serves the spec's own ports.
 */
function servedPortOf(provider: Provider): (specPort: number) => number | undefined {
  const local = provider as Provider & { boundPort?: (specPort: number) => number | undefined };
  return typeof local.boundPort === 'function' ? (port) => local.boundPort?.(port) : (port) => port;
}

/** A listen error of the observability servers, naming the flag whose address it is. */
export function observabilityBindProblem(error: unknown, addresses: Readonly<Record<string, string | undefined>>): string {
  const port = (error as { port?: number }).port;
  const flags = Object.entries(addresses).filter(([, address]) => address !== undefined && (port === undefined || address.endsWith(`:${port}`)));
  const named = flags.map(([flag, address]) => `${flag} ${address}`).join(' and ') || Object.keys(addresses).join(' or ');
  const code = (error as { code?: string }).code;
  const reason =
    code === 'EADDRINUSE' ? 'the address is already in use (EADDRINUSE)' : code === 'EACCES' ? 'permission denied (EACCES)' : (error as Error).message;
  return `cannot serve on ${named}: ${reason}; choose another address with that flag`;
}
