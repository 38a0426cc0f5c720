/**
 * An HTTP fake of the Kubernetes API on loopback, for running the controller's own Kubernetes client
 * and client-node's end to end. `startKubeFake()` returns the handle tests use: a connection, direct
 * store access (same rules as the API, minus auth, recording and the status-subresource split),
 * the requests seen, and faults to inject.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { admitCreate, type AdmissionRecord } from './admission.js';
import { FaultPlan, matchesRequest, type Authorizer, type FailOptions, type RequestMatch, type RequestRecord } from './faults.js';
import { fakeClientNodeConfig } from './client-node-config.js';
import { fakeConnection, fakeKubeConfigFile, type FakeConnection } from './kubeconfig.js';
import { createObject, deleteObject, getExisting, updateObject, type LifecycleContext } from './lifecycle.js';
import { asKubeObject, type KubeObject } from './object.js';
import { applyPatch } from './patch.js';
import { resolveResource, resourceForObject, type ResourceType } from './resources.js';
import { createFakeApiServer } from './server.js';
import { ObjectStore } from './store.js';
import { WatchHub } from './watch.js';

export type { AdmissionRecord } from './admission.js';
export { ApiError, type KubeStatus, type StatusReason } from './errors.js';
export type { Authorizer, FailOptions, RequestAttributes, RequestMatch, RequestRecord, Verb } from './faults.js';
export type { KubeObject, ObjectMeta } from './object.js';
export { RESOURCE_TYPES, type ResourceType } from './resources.js';
export { waitFor } from './wait.js';

export interface KubeFakeOptions {
  /** The bearer token clients must send (default `kube-fake-token`). */
  token?: string;
  /** Decides every request; false answers 403. Default: allow all. */
  authorize?: Authorizer;
  /** Changes kept per resource type for watches to resume from (default 1000). */
  historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /** A watch from a compacted resourceVersion gets an ERROR event (default) or HTTP 410. */
  expiredWatchResponse?: 'event' | 'http';
  /** The clock for creationTimestamp and deletionTimestamp. */
  now?: () => Date;
  /**
   * `group/version/plural` paths the fake answers 404 for, as a cluster whose CRDs do not serve that
   * version: `gateway.networking.k8s.io/v1/referencegrants` plays Gateway API before v1.5.
   */
  unservedVersions?: readonly string[];
}

export async function startKubeFake(options: KubeFakeOptions = {}): Promise<KubeFake> {
  const fake = new KubeFake(options);
  await fake.listen();
  return fake;
}

export class KubeFake {
  private readonly token: string;
  private readonly store: ObjectStore;
  private readonly lifecycle: LifecycleContext;
  private readonly watches: WatchHub;
  private readonly faults = new FaultPlan();
  private readonly server: Server;
  private authorizer: Authorizer;
  private recorded: RequestRecord[] = [];
  private readonly serviceRoutes = new Map<string, string>();
  private admissions: AdmissionRecord[] = [];
  private address = '';

  constructor(options: KubeFakeOptions) {
    this.token = options.token ?? 'kube-fake-token';
    this.authorizer = options.authorize ?? (() => true);
    this.store = new ObjectStore({ historyLimit: options.historyLimit ?? 1000 });
    this.lifecycle = { store: this.store, now: options.now ?? (() => new Date()) };
    this.watches = new WatchHub(this.store, {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
      expiredResponse: options.expiredWatchResponse ?? 'event',
    });
    this.server = createFakeApiServer({
      lifecycle: this.lifecycle,
      watches: this.watches,
      token: this.token,
      adminToken: `${this.token}-admin`,
      authorizer: () => this.authorizer,
      faults: this.faults,
      record: (record) => this.recorded.push(record),
      unservedVersions: new Set(options.unservedVersions ?? []),
      admitCreate: (type, namespace, body) =>
        admitCreate({ store: this.store, routes: this.serviceRoutes, record: (record) => this.admissions.push(record) }, type, namespace, body),
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return this.address;
  }

  /** The controller's way in (src/sources/kube-connection.ts's shape): its requests are judged by the authorizer. */
  connection(): FakeConnection {
    return fakeConnection({ server: this.url, token: this.token });
  }

  /** The same identity as connection(), for client-node (the fake's own tests, an independent client). */
  kubeConfig(): KubeConfig {
    return fakeClientNodeConfig({ server: this.url, token: this.token });
  }

  /** A KubeConfig for a cluster admin: its requests are served, recorded (`admin: true`) and admitted, never judged by the authorizer. */
  adminKubeConfig(): KubeConfig {
    return fakeClientNodeConfig({ server: this.url, token: `${this.token}-admin` });
  }

  kubeConfigFile(): string {
    return fakeKubeConfigFile({ server: this.url, token: this.token });
  }

  /** Creates an object (status included) from its wire shape; its apiVersion and kind pick the resource. */
  create(object: KubeObject): KubeObject {
    return createObject(this.lifecycle, resourceForObject(object), { body: object, keepStatus: true, namespace: object.metadata.namespace });
  }

  /** Creates the object, or replaces it unconditionally (spec and status) if it exists. */
  apply(object: KubeObject): KubeObject {
    const type = resourceForObject(object);
    const { namespace, name = '' } = object.metadata;
    const body: KubeObject = { ...object, metadata: { ...object.metadata } };
    delete body.metadata.resourceVersion;
    if (!this.store.get(type, type.namespaced ? namespace : undefined, name)) return this.create(body);
    return updateObject(this.lifecycle, type, { namespace, name, body, scope: 'all' });
  }

  /** `resource` is a plural (`ingresses`), plural.group (`events.events.k8s.io`) or kind (`Ingress`). */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = resolveResource(resource);
    return this.store.get(type, type.namespaced ? namespace : undefined, name);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return this.store.list(resolveResource(resource), namespace);
  }

  /** Applies a JSON patch (an array) or a merge patch (an object) to the whole object, status included. */
  patch(resource: string, namespace: string | undefined, name: string, patch: unknown): KubeObject {
    const type = resolveResource(resource);
    const current = getExisting(this.lifecycle, type, namespace, name);
    const body = asKubeObject(applyPatch(current, patch, Array.isArray(patch) ? 'json' : 'merge'));
    if (!body) throw new TypeError('the patch did not leave a Kubernetes object');
    return updateObject(this.lifecycle, type, { namespace, name, body, scope: 'all' });
  }

  /** Deletes as the API does: an object with finalizers is only marked, and returned. */
  remove(resource: string, namespace: string | undefined, name: string): { object: KubeObject; removed: boolean } {
    return deleteObject(this.lifecycle, resolveResource(resource), { namespace, name });
  }

  /** Requests seen so far, oldest first, optionally only those matching. */
  requests(match: Partial<RequestRecord> = {}): RequestRecord[] {
    return this.recorded.filter((record) => matchesRequest(match, record));
  }

  clearRequests(): void {
    this.recorded = [];
  }

  /**
   * Where a Service's port is reached, for admission webhooks that name a service: the fake has no
   * cluster network, so a test points it at its server on loopback (`https://127.0.0.1:PORT`).
   */
  routeService(namespace: string, name: string, port: number, baseUrl: string): void {
    this.serviceRoutes.set(`${namespace}/${name}:${port}`, baseUrl);
  }

  /** Admission webhook calls so far, oldest first (creates made through the HTTP API only). */
  admissionCalls(): AdmissionRecord[] {
    return [...this.admissions];
  }

  setAuthorizer(authorize: Authorizer): void {
    this.authorizer = authorize;
  }

  /** The next matching request (or `times` of them) fails with `status` and a Status body. */
  failNext(match: RequestMatch, status: number, options?: FailOptions): void {
    this.faults.failNext(match, status, options);
  }

  /** Destroys open watch connections (of one resource, or all) abruptly; returns how many. */
  dropWatches(resource?: string): number {
    return this.watches.drop(resourceOrAll(resource));
  }

  /** Ends open watch streams cleanly, as the API server does at a watch timeout. */
  endWatches(resource?: string): number {
    return this.watches.end(resourceOrAll(resource));
  }

  /** Sends each open watch a 410 Expired ERROR event and closes it. */
  expireWatches(resource?: string): number {
    return this.watches.expire(resourceOrAll(resource));
  }

  pauseWatches(resource?: string): number {
    return this.watches.pause(resourceOrAll(resource));
  }

  resumeWatches(resource?: string): number {
    return this.watches.resume(resourceOrAll(resource));
  }

  openWatches(resource?: string): number {
    return this.watches.count(resourceOrAll(resource));
  }

  /** Forgets change history, so any watch from an earlier resourceVersion gets 410. */
  compactHistory(resource?: string): void {
    this.store.compact(resourceOrAll(resource));
  }

  get resourceVersion(): string {
    return String(this.store.currentRevision);
  }

  async close(): Promise<void> {
    this.watches.drop();
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }
}

/** The watch and history methods act on one resource when named, on all when not. */
function resourceOrAll(resource: string | undefined): ResourceType | undefined {
  return resource === undefined ? undefined : resolveResource(resource);
}
