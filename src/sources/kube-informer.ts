/**
 * One informer: list, then watch from the list's resourceVersion, for the life of the process.
 * - The cache holds the objects as the handlers got them (the same objects the Snapshot holds, not a
 *   copy) by namespace and name: a relist compares against it, and reports what disappeared as deleted.
 * - A failed list or watch is retried after a backoff (1 s doubling to 30 s, back to 1 s once a list
 *   succeeds, a watch opens or an event arrives), resuming from the last resourceVersion seen
 *   (events and bookmarks move it), so nothing is listed again that need not be.
 * - 410 Gone (the version is too old: an HTTP answer, or an ERROR event) relists at once, which is
 *   no failure. A watch the server ends (its timeoutSeconds) is opened again at once.
 * - List and watch objects reach the cache, and the handlers, prepared (wire shape, trimmed);
 *   what `prepare` refuses is not kept.
 * - `stop()` aborts the list or watch in flight and every wait, and leaves nothing holding the process open.
 * - Nothing here throws into the caller: every failure goes to `onError`.
 * @module
 */
import { KubeApiError, type KubeClient } from './kube-http.js';
import { errorEventCode, openWatch, type WatchEvent } from './kube-watch.js';

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

/** What a list gives the informer: the items already prepared, and the version to watch from. */
export interface InformerList<T> {
  resourceVersion: string;
  items: T[];
}

/** What an object must have to be cached. */
export interface InformerObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ResilientInformerOptions<T extends InformerObject> {
  client: KubeClient;
  /** The collection path watches open; asked at each one (a list may have settled on another version of the kind). */
  watchPath: () => string;
  fieldSelector?: string;
  /** The full list, prepared, filtered like the watch's selector; `signal` aborts it. */
  list: (signal: AbortSignal) => Promise<InformerList<T>>;
  /** A watch object → its cached form, or undefined to ignore it. */
  prepare: (object: unknown) => T | undefined;
  handlers: InformerHandlers<T>;
  /** Every failure, with the delay before the retry that follows it. Must not throw. */
  onError: (error: unknown, restartInMs: number) => void;
  onSynced: () => void;
  backoff: Backoff;
  /** The server ends each watch after this long (default: 5 to 10 minutes, random, as client-go asks). */
  watchTimeoutSeconds?: () => number;
}

/** A watch that says nothing for this long past its own timeout is taken as a dead connection. */
const WATCH_SILENCE_GRACE_MS = 60_000;
/** A watch the server ends sooner than this is opened again only after the backoff, so a server that ends them at once is not hammered. */
const SHORT_WATCH_MS = 1_000;

const randomWatchTimeout = (): number => 300 + Math.floor(Math.random() * 300);

export class ResilientInformer<T extends InformerObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private backoffMs: number;
  private stopping = true;
  private listed = false;
  private aborter = new AbortController();
  private loop: Promise<void> | undefined;
  private cancelWait: (() => void) | undefined;

  constructor(private readonly options: ResilientInformerOptions<T>) {
    this.backoffMs = options.backoff.initialMs;
  }

  /** Resolves after the first attempt to list and open the watch, whether or not it succeeded. */
  start(): Promise<void> {
    if (!this.stopping) return Promise.resolve();
    this.stopping = false;
    this.aborter = new AbortController();
    return new Promise((firstAttempt) => {
      this.loop = this.run(firstAttempt);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.aborter.abort();
    this.cancelWait?.();
    await this.loop;
  }

  /** Asked, not read, where an await may have passed since the last look. */
  private stopped(): boolean {
    return this.stopping;
  }

  /** The first list has been applied. */
  synced(): boolean {
    return this.listed;
  }

  private async run(firstAttempt: () => void): Promise<void> {
    while (!this.stopping) {
      let delayMs = 0;
      let watching = false;
      try {
        if (this.resourceVersion === '') await this.relist();
        const timeoutSeconds = (this.options.watchTimeoutSeconds ?? randomWatchTimeout)();
        const openedAt = performance.now();
        const heard = { any: false };
        watching = true;
        const { ended } = await openWatch(this.options.client, this.options.watchPath(), {
          query: { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds, fieldSelector: this.options.fieldSelector },
          signal: this.aborter.signal,
          idleTimeoutMs: timeoutSeconds * 1000 + WATCH_SILENCE_GRACE_MS,
          onEvent: (event) => {
            heard.any = true;
            this.onEvent(event);
          },
        });
        this.resetBackoff();
        firstAttempt();
        await ended;
        if (!heard.any && performance.now() - openedAt < SHORT_WATCH_MS) delayMs = this.nextBackoff();
      } catch (error) {
        firstAttempt();
        if (this.stopped()) break;
        if (watching && isGone(error)) {
          // The version is too old to watch from: list afresh, at once; no failure.
          this.resourceVersion = '';
          continue;
        }
        delayMs = this.nextBackoff();
        this.report(error, delayMs);
      }
      if (delayMs > 0) await this.wait(delayMs);
    }
    firstAttempt();
  }

  private async relist(): Promise<void> {
    const list = await this.options.list(this.aborter.signal);
    if (this.stopping) return;
    this.resetBackoff();
    const listedKeys = new Set(list.items.map(keyOf));
    for (const [key, object] of [...this.cache]) {
      if (listedKeys.has(key)) continue;
      this.cache.delete(key);
      this.options.handlers.delete(object);
    }
    for (const object of list.items) this.addOrUpdate(object);
    this.resourceVersion = list.resourceVersion;
    if (!this.listed) {
      this.listed = true;
      this.options.onSynced();
    }
  }

  private onEvent(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      if (errorEventCode(event) === 410) throw new GoneEvent();
      throw new Error(`watch of ${this.options.watchPath()}: ${JSON.stringify(event.object)}`);
    }
    this.resetBackoff();
    const version = (event.object as InformerObject | undefined)?.metadata?.resourceVersion;
    if (event.type !== 'BOOKMARK') {
      const object = this.options.prepare(event.object);
      if (object && event.type === 'DELETED') {
        const key = keyOf(object);
        if (this.cache.delete(key)) this.options.handlers.delete(object);
      } else if (object) {
        this.addOrUpdate(object);
      }
    }
    if (version) this.resourceVersion = version;
  }

  private addOrUpdate(object: T): void {
    const key = keyOf(object);
    const cached = this.cache.get(key);
    if (cached && cached.metadata?.resourceVersion !== undefined && cached.metadata.resourceVersion === object.metadata?.resourceVersion) return;
    this.cache.set(key, object);
    if (cached) this.options.handlers.update(object);
    else this.options.handlers.add(object);
  }

  private report(error: unknown, restartInMs: number): void {
    try {
      this.options.onError(error, restartInMs);
    } catch {
      // onError must not throw; if it does, the informer still goes on.
    }
  }

  private nextBackoff(): number {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoff.maxMs);
    return delay;
  }

  private resetBackoff(): void {
    this.backoffMs = this.options.backoff.initialMs;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.cancelWait = done;
    });
  }
}

/** A 410 ERROR event ends the watch so the loop relists; it is no failure. */
class GoneEvent extends Error {
  override readonly name = 'GoneEvent';
}

function keyOf(object: InformerObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function isGone(error: unknown): boolean {
  return error instanceof GoneEvent || (error instanceof KubeApiError && error.code === 410);
}
