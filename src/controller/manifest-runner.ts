/**
 * The controller loop over a manifest directory: load, translate every group, reconcile each stack
 * with the provider, and again whenever the content of a file under the directory changes (the
 * watcher, sources/manifest-watcher.ts, compares hashes, so a save of the same bytes starts no
 * round). Rounds never overlap: changes during a round coalesce into one more round after it. A
 * file that breaks keeps serving what it served (sources/manifest-state.ts).
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic } from '../model.js';
import type { Logger } from '../observability/logger.js';
import type { LoadBalancerAddress, Provider } from '../provider.js';
import { scanManifestDirectory, type ManifestScan } from '../sources/manifest-scan.js';
import { ManifestState } from '../sources/manifest-state.js';
import { ManifestWatcher } from '../sources/manifest-watcher.js';
import { Snapshot, type SnapshotView } from '../sources/snapshot.js';
import { ingressesLeftToOtherClasses, type LeftToOtherClass } from '../translate/other-classes.js';
import { translateAll, type TranslateOptions } from '../translate/index.js';
import { ingressRow, type IngressRow } from './ingress-table.js';
import { reconcileStack, type ReconcileOutcome } from './reconcile.js';

export interface RoundReport {
  round: number;
  /** The files (or directories) whose change started the round; empty for the first round. */
  changed: string[];
  outcomes: ReconcileOutcome[];
  /** Diagnostics of the files and of Ingresses that belong to no group. */
  diagnostics: Diagnostic[];
  ingresses: IngressRow[];
  /** Ingresses whose class is not ours: another controller serves them, or none does. */
  leftToOtherClasses: LeftToOtherClass[];
  failed: boolean;
  /** How long the round took, loading and every reconcile included. */
  seconds: number;
}

export interface ManifestRunnerOptions {
  dir: string;
  provider: Provider;
  /** Called at the start of each round, so certificate validity is checked against the time of the round. */
  translateOptions: () => TranslateOptions;
  logger: Logger;
  /** Files bigger than this are not read (the CLI's --max-manifest-bytes; default 8 MiB). */
  maxFileBytes?: number;
  /** Quiet period after a file-system event before the directory is scanned, so an editor's several writes make one round. */
  debounceMs?: number;
  /** The directory is scanned this often even without file-system events (the safety net). */
  rescanMs?: number;
  /** False: only the periodic rescan finds changes (tests of the safety net). */
  useFileSystemEvents?: boolean;
  /**
   * The port a spec listener port is served on, for the table; undefined when it is not served.
   * Default: the spec's own port, as a cloud load balancer serves it.
   */
  servedPort?: (specPort: number) => number | undefined;
}

export class ManifestRunner {
  private snapshot: SnapshotView = new Snapshot();
  private readonly knownStacks = new Set<string>();
  private rounds = 0;
  private running: Promise<RoundReport> | undefined;
  private rerun = false;
  private readonly state = new ManifestState();
  private scan: ManifestScan | undefined;
  /** Changed paths not yet taken up by a round. */
  private readonly changes = new Set<string>();
  private watcher: ManifestWatcher | undefined;
  /** The rounds that changes start, one after another; each reported once. */
  private changeRounds: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: ManifestRunnerOptions) {}

  /** The Snapshot of the last round, for certificate material. */
  current(): SnapshotView {
    return this.snapshot;
  }

  /** One full round; concurrent callers share a round in flight and ask for one more after it. */
  async reconcile(): Promise<RoundReport> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.round();
    try {
      let report = await this.running;
      while (this.rerun) {
        this.rerun = false;
        this.running = this.round();
        report = await this.running;
      }
      return report;
    } finally {
      this.running = undefined;
    }
  }

  /** Watches the directory and calls `onRound` once after every round a change of content caused. */
  async watch(onRound: (report: RoundReport) => void): Promise<void> {
    const { dir, logger, maxFileBytes, debounceMs, rescanMs, useFileSystemEvents } = this.options;
    this.scan ??= await this.scanDirectory();
    this.watcher = new ManifestWatcher(
      {
        dir,
        ...(maxFileBytes !== undefined && { maxFileBytes }),
        ...(debounceMs !== undefined && { debounceMs }),
        ...(rescanMs !== undefined && { rescanMs }),
        ...(useFileSystemEvents !== undefined && { useFileSystemEvents }),
        onChange: (scan, changed) => {
          this.scan = scan;
          for (const path of changed) this.changes.add(path);
          this.roundsAfterChange(onRound);
        },
        onError: (error) => logger.error({ err: error }, 'scanning the manifest directory failed; the next scan tries again'),
      },
      this.scan,
    );
    this.watcher.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.watcher?.close();
    await this.changeRounds;
    await this.running;
  }

  /** A change while a round runs is taken up by one more round after it (a round takes every change so far). */
  private roundsAfterChange(onRound: (report: RoundReport) => void): void {
    if (this.changeRounds || this.stopping) return;
    this.changeRounds = this.roundsWhileChanged(onRound).finally(() => {
      this.changeRounds = undefined;
      if (this.changes.size > 0) this.roundsAfterChange(onRound);
    });
  }

  private async roundsWhileChanged(onRound: (report: RoundReport) => void): Promise<void> {
    while (this.changes.size > 0) {
      try {
        onRound(await this.reconcile());
      } catch (error) {
        this.options.logger.error({ err: error }, 'reconcile round failed');
      }
    }
  }

  private scanDirectory(): Promise<ManifestScan> {
    const { maxFileBytes } = this.options;
    return scanManifestDirectory(this.options.dir, this.scan, maxFileBytes === undefined ? {} : { maxFileBytes });
  }

  private async round(): Promise<RoundReport> {
    const round = ++this.rounds;
    const started = performance.now();
    const { provider } = this.options;
    // Without a watcher every round looks again; with one, the watcher's last scan is the latest.
    if (!this.watcher || !this.scan) this.scan = await this.scanDirectory();
    const changed = [...this.changes].sort();
    this.changes.clear();
    const loaded = this.state.apply(this.scan);
    this.snapshot = loaded.snapshot;
    const translateOptions = this.options.translateOptions();
    const translated = translateAll(loaded.snapshot, translateOptions);
    const outcomes: ReconcileOutcome[] = [];
    for (const result of translated.results) {
      // Bad input never deletes what exists: translate holds a group whose every Ingress is invalid.
      if (result.disposition === 'hold') outcomes.push({ stackId: result.stackId, diagnostics: result.diagnostics, apiCalls: {} });
      else outcomes.push(await reconcileStack(provider, result));
    }
    // Every group an Ingress names is among the results: a stack served before and named by none now goes.
    const present = new Set(translated.results.map((result) => result.stackId));
    for (const stackId of [...this.knownStacks].filter((id) => !present.has(id))) {
      outcomes.push(await reconcileStack(provider, { stackId, diagnostics: [] }));
      this.knownStacks.delete(stackId);
    }
    for (const id of present) this.knownStacks.add(id);

    const servedPort = this.options.servedPort ?? ((port: number) => port);
    const served = new Map<string, { address: LoadBalancerAddress | undefined; ports?: number[] }>();
    for (const result of translated.results) {
      const outcome = outcomes.find((candidate) => candidate.stackId === result.stackId);
      const address = outcome?.result?.address;
      const ports = result.spec?.listeners.flatMap((listener) => servedPort(listener.port) ?? []);
      for (const member of result.members) served.set(`${member.namespace}/${member.name}`, { address, ...(ports && { ports }) });
      for (const member of result.leftOut) served.set(`${member.namespace}/${member.name}`, { address: undefined });
    }
    const ingresses = loaded.snapshot
      .ingresses()
      .filter((ingress: V1Ingress) => served.has(`${ingress.metadata?.namespace}/${ingress.metadata?.name}`))
      .map((ingress) => {
        const entry = served.get(`${ingress.metadata?.namespace}/${ingress.metadata?.name}`);
        return ingressRow(ingress, entry?.address, entry?.ports);
      })
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    const failed = outcomes.some((outcome) => outcome.error !== undefined);
    const leftToOtherClasses = ingressesLeftToOtherClasses(loaded.snapshot, translateOptions);
    const seconds = (performance.now() - started) / 1000;
    return { round, changed, outcomes, diagnostics: [...loaded.diagnostics, ...translated.diagnostics], ingresses, leftToOtherClasses, failed, seconds };
  }
}

/** One log line per load balancer of a round: the operations applied, or the error; one already in step only at debug level. */
export function logRound(logger: Logger, report: RoundReport): void {
  for (const outcome of report.outcomes) {
    const operations = outcome.plan?.operations.length ?? 0;
    if (outcome.error) logger.error({ stack: outcome.stackId, error: outcome.error, apiCalls: outcome.apiCalls }, 'reconcile failed');
    else if (operations > 0) logger.info({ stack: outcome.stackId, operations, apiCalls: outcome.apiCalls }, 'load balancer updated');
    else logger.debug({ stack: outcome.stackId, apiCalls: outcome.apiCalls }, 'load balancer in step');
  }
}
