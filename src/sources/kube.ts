/**
 * The Kubernetes source: one informer per watched kind fills the Snapshot the same way the manifest
 * source does, then reports each change to a listener. Namespaced kinds can be limited to one
 * namespace; Nodes and IngressClasses are cluster-scoped and always watched. Secrets are listed and
 * watched by `type=kubernetes.io/tls` only. Nothing here throws into the informers: a failing
 * informer is restarted with backoff, a failing listener is reported and the next change still flows.
 * @module
 */
import { collectionPath, GATEWAY_KIND_SPECS, WATCHED_KIND_SPECS, type WatchedKindSpec } from './kube-kinds.js';
import { httpCodeOf, type KubeClient } from './kube-http.js';
import { DEFAULT_RESTART_BACKOFF, ResilientInformer, type Backoff, type InformerList } from './kube-informer.js';
import { trimForCache } from './kube-objects.js';
import { WATCHED_KINDS, type Snapshot, type WatchedKind, type WatchedObject } from './snapshot.js';
import type { ChangeType, SourceChange } from './source-change.js';

export interface SourceFailure {
  kind: WatchedKind;
  /**
   * `informer`: a list or watch failed and restarts in `restartInMs`; `listener`: handling a change
   * threw; `missing-api`: an optional kind is not served by the cluster (reported once);
   * `older-version`: the kind is read at an older version, the only one the cluster serves (reported
   * once; not a failure, and `error` says which version).
   */
  phase: 'informer' | 'listener' | 'missing-api' | 'older-version';
  error: unknown;
  restartInMs?: number;
}

export interface KubeSourceOptions {
  client: KubeClient;
  snapshot: Snapshot;
  /** Limits Ingresses, Services, EndpointSlices and Secrets to one namespace. */
  watchNamespace?: string;
  /** Called after the Snapshot holds the change. */
  onChange?: (change: SourceChange) => void;
  onError?: (failure: SourceFailure) => void;
  restartBackoff?: Backoff;
  /** Objects per list request; large clusters are listed in pages to bound the peak memory. */
  listPageSize?: number;
}

const DEFAULT_LIST_PAGE_SIZE = 500;

/** One page of a list, as the API server sends it (items without apiVersion and kind). */
interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface PageRequest {
  namespace: string | undefined;
  continueToken: string | undefined;
  limit: number;
  signal: AbortSignal;
}

export class KubeSource {
  private readonly informers: ResilientInformer<WatchedObject>[];
  private syncWaiters: (() => void)[] = [];
  /** Optional kinds the API server does not serve (their CRDs are not installed): reported once, then quiet. */
  private readonly missingKinds = new Set<WatchedKind>();
  /**
   * The version a kind with an older one is read at, once a list has settled it: the newer unless
   * the cluster answered 404 for it and served the older. Until then each list tries the newer first.
   */
  private readonly settledSpecs = new Map<WatchedKind, WatchedKindSpec>();
  private readonly reportedOlder = new Set<WatchedKind>();

  constructor(private readonly options: KubeSourceOptions) {
    const specs: Record<WatchedKind, WatchedKindSpec> = { ...WATCHED_KIND_SPECS, ...GATEWAY_KIND_SPECS } as Record<WatchedKind, WatchedKindSpec>;
    this.informers = WATCHED_KINDS.map((kind) => this.informerFor(specs[kind]));
  }

  /** Resolves once every informer has made its first attempt; `whenSynced()` says when they succeeded. */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }

  /** Every informer's first list is in the Snapshot: translating before that would see a partial cluster. */
  synced(): boolean {
    return this.informers.every((informer) => informer.synced());
  }

  whenSynced(): Promise<void> {
    if (this.synced()) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private informerFor(spec: WatchedKindSpec): ResilientInformer<WatchedObject> {
    const namespace = spec.namespaced ? this.options.watchNamespace : undefined;
    const prepare = (value: unknown): WatchedObject | undefined => {
      const object = trimForCache(value) as WatchedObject | undefined;
      return object && (spec.accepts?.(object) ?? true) ? object : undefined;
    };
    return new ResilientInformer<WatchedObject>({
      client: this.options.client,
      watchPath: () => collectionPath(this.settledSpecs.get(spec.kind) ?? spec, namespace),
      ...(spec.fieldSelector !== undefined && { fieldSelector: spec.fieldSelector }),
      list: (signal) => this.listAll(spec, namespace, prepare, signal),
      prepare,
      handlers: {
        add: (object) => this.apply(spec.kind, 'add', object),
        update: (object) => this.apply(spec.kind, 'update', object),
        delete: (object) => this.apply(spec.kind, 'delete', object),
      },
      onError: (error, restartInMs) => {
        // The watch of a kind the cluster does not serve fails on every restart; its absence was reported once.
        if (!this.missingKinds.has(spec.kind)) this.report({ kind: spec.kind, phase: 'informer', error, restartInMs });
      },
      onSynced: () => this.releaseSyncWaiters(),
      backoff: this.options.restartBackoff ?? DEFAULT_RESTART_BACKOFF,
    });
  }

  private async listAll(
    spec: WatchedKindSpec,
    namespace: string | undefined,
    prepare: (value: unknown) => WatchedObject | undefined,
    signal: AbortSignal,
  ): Promise<InformerList<WatchedObject>> {
    const items: WatchedObject[] = [];
    let resourceVersion: string;
    let continueToken: string | undefined;
    do {
      const page = await this.listPage(spec, { namespace, continueToken, limit: this.options.listPageSize ?? DEFAULT_LIST_PAGE_SIZE, signal });
      if (!page) return { resourceVersion: '0', items: [] };
      resourceVersion = page.metadata?.resourceVersion ?? '';
      // List items carry no apiVersion and kind; the version is the one the list settled on.
      const identity = { apiVersion: (this.settledSpecs.get(spec.kind) ?? spec).apiVersion, kind: spec.kind };
      for (const item of page.items ?? []) {
        const object = prepare({ ...identity, ...(item as object) });
        if (object) items.push(object);
      }
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { resourceVersion, items };
  }

  private readPage(spec: WatchedKindSpec, request: PageRequest): Promise<ListPage> {
    return this.options.client.get<ListPage>(collectionPath(spec, request.namespace), {
      query: { limit: request.limit, continue: request.continueToken, fieldSelector: spec.fieldSelector },
      signal: request.signal,
    });
  }

  /**
   * One page; undefined when an optional kind is not served (HTTP 404: its CRD is not installed).
   * That kind then counts as listed and empty, so the other kinds sync and serve: the informer's
   * restarts look again, and a CRD installed later is picked up by the next one.
   */
  private async listPage(spec: WatchedKindSpec, request: PageRequest): Promise<ListPage | undefined> {
    try {
      const page = await this.listSettled(spec, request);
      this.missingKinds.delete(spec.kind);
      return page;
    } catch (error) {
      if (!spec.optional || !isNotFound(error)) throw error;
      if (!this.missingKinds.has(spec.kind)) {
        this.missingKinds.add(spec.kind);
        this.report({
          kind: spec.kind,
          phase: 'missing-api',
          error: new Error(
            `the cluster does not serve ${spec.apiPath}/${spec.resource} (is its CRD installed?); ${spec.kind} objects are not read until it does`,
          ),
        });
      }
      return undefined;
    }
  }

  /**
   * A page at the version settled for the kind; for a kind with an older version not yet settled,
   * the newer first and the older on its 404 (the older's 404 is the caller's: the kind is missing).
   * The first page that answers settles the version, reported once when it is the older.
   */
  private async listSettled(spec: WatchedKindSpec, request: PageRequest): Promise<ListPage> {
    const settled = this.settledSpecs.get(spec.kind);
    if (!spec.olderVersion || settled === spec) return this.readPage(spec, request);
    if (settled) {
      try {
        return await this.readPage(settled, request);
      } catch (error) {
        // The older version gone (CRDs upgraded past it): settle afresh, newer first.
        if (!isNotFound(error)) throw error;
        this.settledSpecs.delete(spec.kind);
      }
    }
    let chosen = spec;
    let page: ListPage;
    try {
      page = await this.readPage(spec, request);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      chosen = spec.olderVersion;
      page = await this.readPage(chosen, request);
    }
    this.settledSpecs.set(spec.kind, chosen);
    if (chosen !== spec && !this.reportedOlder.has(spec.kind)) {
      this.reportedOlder.add(spec.kind);
      this.report({
        kind: spec.kind,
        phase: 'older-version',
        error: new Error(`the cluster does not serve ${spec.apiPath}/${spec.resource}; ${spec.kind} objects are read at ${chosen.apiVersion}`),
      });
    }
    return page;
  }

  /** Snapshot first, then the listener, so the listener always reads a Snapshot that has the change. */
  private apply(kind: WatchedKind, reported: ChangeType, object: WatchedObject): void {
    try {
      const namespace = object.metadata?.namespace;
      const name = object.metadata?.name ?? '';
      const previous = this.options.snapshot.get(kind, namespace, name);
      if (reported === 'delete') this.options.snapshot.remove(kind, namespace, name);
      else this.options.snapshot.upsert(kind, object);
      const type: ChangeType = reported === 'delete' ? 'delete' : previous ? 'update' : 'add';
      // kind and object come from the same informer, which TypeScript cannot see through the union.
      const change = { kind, type, object, ...(previous ? { previous } : {}) } as SourceChange;
      this.options.onChange?.(change);
    } catch (error) {
      this.report({ kind, phase: 'listener', error });
    }
  }

  private report(failure: SourceFailure): void {
    try {
      this.options.onError?.(failure);
    } catch {
      // A failing reporter must not take the informer down with it.
    }
  }

  private releaseSyncWaiters(): void {
    if (!this.synced()) return;
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function isNotFound(error: unknown): boolean {
  return httpCodeOf(error) === 404;
}
