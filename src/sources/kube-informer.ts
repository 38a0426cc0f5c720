/**
 * One client-node informer (ListWatch) made safe to run for the life of the process:
 * - an error stops a ListWatch for good, so it is restarted after a backoff (1 s doubling to 30 s,
 *   back to 1 s once a list succeeds, a watch opens or an event arrives), keeping its cache, so
 *   the restart resumes from the last resourceVersion (or relists if that is gone);
 * - a rejection inside ListWatch's reconnect path is not awaited by anyone and would crash the
 *   process, so the watch is wrapped to catch it and treat it as an error;
 * - list and watch objects reach the cache (and so the handlers) already in wire shape and trimmed;
 * - `stop()` stops it without a restart, even mid-list.
 * @module
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RESTART_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000 };

export interface InformerHandlers<T> {
  add(object: T): void;
  update(object: T): void;
  delete(object: T): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  path: string;
  /** The path watches open, asked at each one (default `path`): the list may have settled on another version of the kind. */
  watchPath?: () => string;
  fieldSelector?: string;
  /** The full list, already in wire shape and filtered like the watch's selector. */
  list: () => Promise<KubernetesListObject<T>>;
  /** A watch object → its cached form, or undefined to ignore it. */
  prepare: (object: unknown) => T | undefined;
  handlers: InformerHandlers<T>;
  /** Every failure, with the delay before the restart that follows it. Must not throw. */
  onError: (error: unknown, restartInMs: number) => void;
  onSynced: () => void;
  backoff: Backoff;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: ListWatch<T>;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private listed = false;
  /** ListWatch's own reconnect delays, cut short by stop() so nothing holds the process open. */
  private readonly pendingDelays = new Set<() => void>();

  constructor(private readonly options: ResilientInformerOptions<T>) {
    this.backoffMs = options.backoff.initialMs;
    const watch = new GuardedWatch(options.kubeConfig, {
      stopped: () => this.stopping,
      prepare: options.prepare,
      healthy: () => this.resetBackoff(),
      failed: (error) => this.fail(error),
      ...(options.watchPath ? { watchPath: options.watchPath } : {}),
    });
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      this.resetBackoff();
      return result;
    };
    const delayFn = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          this.pendingDelays.delete(finish);
          resolve();
        };
        const timer = setTimeout(finish, ms);
        this.pendingDelays.add(finish);
      });
    this.informer = new ListWatch(options.path, watch, list, false, undefined, options.fieldSelector, { delayFn });
    this.informer.on('add', (object: T) => {
      options.handlers.add(object);
    });
    this.informer.on('update', (object: T) => {
      options.handlers.update(object);
    });
    this.informer.on('delete', (object: T) => {
      options.handlers.delete(object);
    });
    this.informer.on('error', (error: unknown) => this.fail(error));
  }

  /** Resolves after the first attempt to list and open the watch, whether or not it succeeded. */
  start(): Promise<void> {
    this.stopping = false;
    return this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.informer.stop();
    for (const finish of [...this.pendingDelays]) finish();
  }

  /** The first list has been applied. */
  synced(): boolean {
    return this.listed;
  }

  private async run(): Promise<void> {
    try {
      await this.informer.start();
    } catch (error) {
      this.fail(error);
    }
    // The resourceVersion is set only once a list has been applied to the cache.
    if (!this.listed && !this.stopping && this.informer.latestResourceVersion() !== '') {
      this.listed = true;
      this.options.onSynced();
    }
  }

  private fail(error: unknown): void {
    // Only we abort a watch (stop, or a restart replacing it), and ListWatch reports that as an error.
    if (this.stopping || this.restartTimer || isAbort(error)) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoff.maxMs);
    this.options.onError(error, delay);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) void this.run();
    }, delay);
  }

  private resetBackoff(): void {
    this.backoffMs = this.options.backoff.initialMs;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

interface WatchHooks {
  stopped(): boolean;
  prepare(object: unknown): unknown;
  healthy(): void;
  failed(error: unknown): void;
  watchPath?: () => string;
}

// ListWatch's own callbacks may be async: what they return is checked for a rejection.
type WatchCallback = (phase: string, object: unknown, event?: unknown) => unknown;
type DoneCallback = (error: unknown) => unknown;

/** client-node's Watch with objects prepared before the cache sees them, and no way to throw. */
class GuardedWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly hooks: WatchHooks,
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    // ListWatch opens the watch after its list even when stop() was called meanwhile.
    if (this.hooks.stopped()) return new AbortController();
    let finished = false;
    const onDone: DoneCallback = (error) => {
      finished = true;
      this.catchRejection(done(error));
    };
    const onEvent: WatchCallback = (phase, object, event) => {
      const objectEvent = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
      const prepared = objectEvent ? this.hooks.prepare(object) : object;
      if (prepared === undefined) return;
      if (phase !== 'ERROR') this.hooks.healthy();
      this.catchRejection(callback(phase, prepared, event));
    };
    try {
      const controller = await super.watch(this.hooks.watchPath?.() ?? path, queryParams, onEvent, onDone);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- onDone may have set it while the watch was opening
      if (!finished) this.hooks.healthy();
      return controller;
    } catch (error) {
      // Authentication (a token file, an exec plugin) can fail here; ListWatch does not expect it.
      onDone(error);
      return new AbortController();
    }
  }

  /** ListWatch's callbacks are async functions typed as returning void: nobody awaits them. */
  private catchRejection(result: unknown): void {
    if (result instanceof Promise) result.catch((error: unknown) => this.hooks.failed(error));
  }
}
