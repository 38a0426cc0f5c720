/**
 * The controller loop over a manifest directory: load, translate every group, reconcile each stack
 * with the provider, and again whenever a file under the directory changes. Rounds never overlap:
 * changes during a round coalesce into one more round after it.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import type { V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic } from '../model.js';
import type { Logger } from '../observability/logger.js';
import type { LoadBalancerAddress, Provider } from '../provider.js';
import { loadManifestDirectory } from '../sources/manifests.js';
import { Snapshot, type SnapshotView } from '../sources/snapshot.js';
import { translateAll, type TranslateOptions } from '../translate/index.js';
import { ingressRow, type IngressRow } from './ingress-table.js';
import { reconcileStack, type ReconcileOutcome } from './reconcile.js';

export interface RoundReport {
  round: number;
  outcomes: ReconcileOutcome[];
  /** Diagnostics of the files and of Ingresses that belong to no group. */
  diagnostics: Diagnostic[];
  ingresses: IngressRow[];
  failed: boolean;
}

export interface ManifestRunnerOptions {
  dir: string;
  provider: Provider;
  /** Called at the start of each round, so certificate validity is checked against the time of the round. */
  translateOptions: () => TranslateOptions;
  logger: Logger;
  /** Quiet period after a file change before a round starts, so an editor's several writes make one round. */
  debounceMs?: number;
}

export class ManifestRunner {
  private snapshot: SnapshotView = new Snapshot();
  private readonly knownStacks = new Set<string>();
  private rounds = 0;
  private running: Promise<RoundReport> | undefined;
  private rerun = false;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

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

  /** Watches the directory and calls `onRound` after every round a change caused. */
  watch(onRound: (report: RoundReport) => void): void {
    this.watcher = watch(this.options.dir, { recursive: true }, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.reconcile().then(onRound, (error: unknown) => this.options.logger.error({ err: error }, 'reconcile round failed'));
      }, this.options.debounceMs ?? 150);
    });
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    clearTimeout(this.debounce);
    await this.running;
  }

  private async round(): Promise<RoundReport> {
    const round = ++this.rounds;
    const { logger, provider } = this.options;
    const loaded = await loadManifestDirectory(this.options.dir);
    this.snapshot = loaded.snapshot;
    const translated = translateAll(loaded.snapshot, this.options.translateOptions());
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

    for (const outcome of outcomes) {
      const operations = outcome.plan?.operations.length ?? 0;
      if (outcome.error) logger.error({ stack: outcome.stackId, error: outcome.error, apiCalls: outcome.apiCalls }, 'reconcile failed');
      else logger.info({ stack: outcome.stackId, operations, apiCalls: outcome.apiCalls }, operations > 0 ? 'load balancer updated' : 'load balancer in step');
    }
    const addresses = new Map<string, LoadBalancerAddress | undefined>();
    for (const result of translated.results) {
      const address = outcomes.find((outcome) => outcome.stackId === result.stackId)?.result?.address;
      for (const member of result.members) addresses.set(`${member.namespace}/${member.name}`, address);
      for (const member of result.leftOut) addresses.set(`${member.namespace}/${member.name}`, undefined);
    }
    const ingresses = loaded.snapshot
      .ingresses()
      .filter((ingress: V1Ingress) => addresses.has(`${ingress.metadata?.namespace}/${ingress.metadata?.name}`))
      .map((ingress) => ingressRow(ingress, addresses.get(`${ingress.metadata?.namespace}/${ingress.metadata?.name}`)))
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    const failed = outcomes.some((outcome) => outcome.error !== undefined);
    return { round, outcomes, diagnostics: [...loaded.diagnostics, ...translated.diagnostics], ingresses, failed };
  }
}
