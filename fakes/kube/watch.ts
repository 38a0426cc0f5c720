/**
 * Watch streams: newline-delimited `{type, object}` JSON over a chunked 200 response, replaying
 * history after the requested resourceVersion and then following live changes. Open connections
 * are kept here so tests can drop, end, expire or pause them.
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import { isJsonObject, type KubeObject } from './object.js';
import { apiVersionOf, type ResourceType } from './resources.js';
import { matchesSelectors, type Selectors } from './selectors.js';
import type { Change, ObjectStore } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: unknown;
}

export interface WatchOptions {
  bookmarkIntervalMs: number;
  /** How a watch from a compacted resourceVersion fails: an ERROR event in a 200 stream, or HTTP 410. */
  expiredResponse: 'event' | 'http';
}

export interface WatchRequest {
  type: ResourceType;
  /** Undefined watches all namespaces. */
  namespace: string | undefined;
  selectors: Selectors;
  /** Absent or '0': start with an ADDED event for every existing object. */
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
  bookmarks: boolean;
}

export class WatchHub {
  private readonly connections = new Set<WatchConnection>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: WatchOptions,
  ) {}

  /** Starts a watch on `response`; throws an ApiError (before any header is sent) when it cannot. */
  open(request: WatchRequest, response: ServerResponse): void {
    const backlog = this.backlog(request);
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    // client-node's informer start() waits for the response headers.
    response.flushHeaders();
    const connection = new WatchConnection(request.type, response, this.store.currentRevision);
    if (backlog === 'expired') {
      connection.expire(this.expiredMessage(request));
      return;
    }
    this.connections.add(connection);
    for (const event of backlog) connection.send(event);
    const unsubscribe = this.store.subscribe(request.type, (change) => {
      const event = toWatchEvent(change, request);
      if (event) connection.send(event);
    });
    const bookmarkTimer = request.bookmarks
      ? setInterval(() => connection.bookmark(this.store.currentRevision), this.options.bookmarkIntervalMs).unref()
      : undefined;
    const timeoutTimer = request.timeoutSeconds ? setTimeout(() => connection.end(), request.timeoutSeconds * 1000).unref() : undefined;
    response.on('close', () => {
      unsubscribe();
      clearInterval(bookmarkTimer);
      clearTimeout(timeoutTimer);
      this.connections.delete(connection);
    });
  }

  /** Destroys the sockets of open watches abruptly, as a network failure would. */
  drop(type?: ResourceType): number {
    return this.each(type, (connection) => connection.drop());
  }

  /** Ends open watches cleanly, as the API server does when a watch times out. */
  end(type?: ResourceType): number {
    return this.each(type, (connection) => connection.end());
  }

  /** Sends the 410 Expired ERROR event and closes, as after an etcd compaction. */
  expire(type?: ResourceType): number {
    return this.each(type, (connection) => connection.expire(`too old resource version: ${connection.lastRevision} (${this.store.currentRevision})`));
  }

  /** Holds back events (and bookmarks) on open watches until `resume`. */
  pause(type?: ResourceType): number {
    return this.each(type, (connection) => connection.pause());
  }

  resume(type?: ResourceType): number {
    return this.each(type, (connection) => connection.resume());
  }

  count(type?: ResourceType): number {
    return this.each(type, () => undefined);
  }

  private each(type: ResourceType | undefined, action: (connection: WatchConnection) => void): number {
    const selected = [...this.connections].filter((connection) => type === undefined || connection.type === type);
    selected.forEach(action);
    return selected.length;
  }

  private backlog(request: WatchRequest): WatchEvent[] | 'expired' {
    const { type, resourceVersion } = request;
    if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') {
      return this.store
        .list(type, request.namespace)
        .filter((object) => inScope(object, request))
        .map((object) => ({ type: 'ADDED', object }));
    }
    if (!/^\d+$/.test(resourceVersion)) {
      throw new ApiError({ code: 400, message: `resourceVersion: Invalid value: "${resourceVersion}": must be a non-negative integer` });
    }
    const since = this.store.changesSince(type, Number(resourceVersion));
    if (since.expired) {
      if (this.options.expiredResponse === 'http') {
        throw new ApiError({ code: 410, reason: 'Expired', message: this.expiredMessage(request) });
      }
      return 'expired';
    }
    return since.changes.flatMap((change) => toWatchEvent(change, request) ?? []);
  }

  private expiredMessage(request: WatchRequest): string {
    return `too old resource version: ${request.resourceVersion} (${this.store.currentRevision})`;
  }
}

/**
 * What a watcher with a namespace and selectors sees of a change: an object that starts matching
 * is ADDED, one that stops matching is DELETED, as the API server's watch filter reports them.
 */
function toWatchEvent(change: Change, request: WatchRequest): WatchEvent | undefined {
  const matchesNow = inScope(change.object, request);
  if (change.type !== 'MODIFIED') return matchesNow ? { type: change.type, object: change.object } : undefined;
  const matchedBefore = change.previous !== undefined && inScope(change.previous, request);
  if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', object: change.object };
  return matchedBefore ? { type: 'DELETED', object: change.object } : undefined;
}

function inScope(object: KubeObject, request: WatchRequest): boolean {
  return (request.namespace === undefined || object.metadata.namespace === request.namespace) && matchesSelectors(object, request.selectors);
}

class WatchConnection {
  private paused = false;
  private held: WatchEvent[] = [];

  constructor(
    readonly type: ResourceType,
    private readonly response: ServerResponse,
    public lastRevision: number,
  ) {}

  send(event: WatchEvent): void {
    if (this.paused) {
      this.held.push(event);
      return;
    }
    const metadata = isJsonObject(event.object) ? event.object.metadata : undefined;
    if (isJsonObject(metadata) && typeof metadata.resourceVersion === 'string') this.lastRevision = Number(metadata.resourceVersion);
    this.write(event);
  }

  bookmark(revision: number): void {
    if (this.paused) return;
    this.send({ type: 'BOOKMARK', object: { kind: this.type.kind, apiVersion: apiVersionOf(this.type), metadata: { resourceVersion: String(revision) } } });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    held.forEach((event) => this.send(event));
  }

  expire(message: string): void {
    this.held = [];
    this.write({ type: 'ERROR', object: new ApiError({ code: 410, reason: 'Expired', message }).toStatus() });
    this.end();
  }

  end(): void {
    this.response.end();
  }

  drop(): void {
    this.response.socket?.destroy();
    this.response.destroy();
  }

  private write(event: WatchEvent): void {
    if (!this.response.writableEnded) this.response.write(JSON.stringify(event) + '\n');
  }
}
