/**
 * The controller as shipped (startKubeRun: informers, work queue, status, finalizers, Events) with the
 * AWS provider built as providers/aws/index.ts `createProvider` builds it — real SDK clients with the
 * ApiBudget and the per-call report — except that the budget and the provider's retry sleeps run on
 * the cloud clock, and the clients' transport is the benchmark's cloud (sdk-transport.ts).
 *
 * Its log lines are read back as reconcile events: the one line per reconcile says whether the stack
 * was changed, found in step, or failed.
 * @module
 */
import type { KubeConnection } from '../src/sources/kube-connection.js';
import { pino } from 'pino';
import { startKubeRun, type KubeRunHandle, type KubeRunRequest } from '../src/commands/run-cluster.js';
import type { ProviderOptions } from '../src/provider.js';
import { ApiBudget } from '../providers/aws/sdk/budget.js';
import { createAwsClients, destroyAwsClients } from '../providers/aws/sdk/clients.js';
import { AwsProvider } from '../providers/aws/provider.js';
import { isThrottling } from '../providers/aws/sdk/errors.js';
import { readAwsSettings } from '../providers/aws/settings.js';
import type { CloudClock } from './clock.js';
import { benchTranslateOptions } from './desired.js';
import { routeClientTo, type Transport } from './sdk-transport.js';

// Nothing here may consult a real credential chain or the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export interface ReconcileEvent {
  /** Cloud ms. */
  at: number;
  stack: string;
  outcome: 'changed' | 'in-step' | 'failed';
  /** Why a reconcile failed. */
  error?: string;
}

export interface BenchControllerOptions {
  connection: KubeConnection;
  clock: CloudClock;
  transport: Transport;
  /** The controller's share of the account's API budget (`--aws-api-share`); default 1, as shipped. */
  apiShare?: number;
  onReconcile: (event: ReconcileEvent) => void;
  /**
   * How the run differs from the harness's defaults (one replica, no webhook, no resync): the memory
   * scenario runs what deploy/base's Deployment runs, leader election and webhook included.
   */
  run?: Partial<
    Pick<KubeRunRequest, 'namespace' | 'leaderElection' | 'concurrency' | 'resyncMs' | 'fullResyncMs' | 'webhook' | 'metricsAddress' | 'healthAddress'>
  >;
}

/** The shipped default of `--concurrency`. */
const CONCURRENCY = 4;
/**
 * Resync is off for the run, the full resync too (their timers are wall time, and no scenario waits
 * for them): a full resync reads what the restart scenario reads, spread over its period.
 */
const NO_RESYNC_MS = 24 * 3_600_000;

export function startBenchController(options: BenchControllerOptions): Promise<KubeRunHandle> {
  const { clock } = options;
  const logger = pino({ level: 'info', base: null }, { write: (line: string) => readLogLine(line, clock, options.onReconcile) });
  return startKubeRun({
    connection: options.connection,
    provider: (providerOptions) => benchAwsProvider(providerOptions, options),
    providerSettings: {},
    translateOptions: benchTranslateOptions,
    logger,
    namespace: 'ingress-bridge',
    concurrency: CONCURRENCY,
    resyncMs: NO_RESYNC_MS,
    metricsAddress: '127.0.0.1:0',
    healthAddress: '127.0.0.1:0',
    ...options.run,
  });
}

function benchAwsProvider(providerOptions: ProviderOptions, options: BenchControllerOptions): AwsProvider {
  const settings = readAwsSettings(providerOptions.settings);
  const budget = new ApiBudget({ clock: options.clock, ...(options.apiShare !== undefined && { share: options.apiShare }) });
  const clients = createAwsClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    budget,
    onCall: (event) => {
      const outcome =
        event.error === undefined ? 'success' : isThrottling(Object.assign(new Error(event.error), { name: event.error })) ? 'throttled' : 'error';
      providerOptions.onApiCall?.({ service: event.service, action: event.action, outcome });
    },
    onClient: (service, client) => routeClientTo(service, client, options.transport, () => options.clock.scale),
  });
  return new AwsProvider({
    clusterName: providerOptions.clusterName,
    certificates: providerOptions.certificates,
    clients,
    budget,
    settings,
    retry: { sleep: (ms) => options.clock.sleep(ms) },
    onClose: () => destroyAwsClients(clients),
  });
}

const OUTCOMES: Readonly<Record<string, ReconcileEvent['outcome']>> = {
  'load balancer converged': 'changed',
  'targets converged': 'changed',
  'load balancer in step': 'in-step',
  'reconcile failed': 'failed',
};

function readLogLine(line: string, clock: CloudClock, onReconcile: (event: ReconcileEvent) => void): void {
  if (!line.includes('"stack"')) return;
  const entry = JSON.parse(line) as { msg?: string; stack?: string; error?: string; err?: { message?: string } };
  const outcome = OUTCOMES[entry.msg ?? ''];
  if (outcome === undefined || entry.stack === undefined) return;
  const error = entry.error ?? entry.err?.message;
  onReconcile({ at: clock.now(), stack: entry.stack, outcome, ...(error !== undefined && { error }) });
}
