/**
 * The Compute API as the provider calls it: `@google-cloud/compute`'s REST clients behind one small
 * interface — list by a name filter (pages followed), aggregated list across zones, insert, update,
 * delete and the custom verbs (setUrlMap, attachNetworkEndpoints, …). Every mutating call returns a
 * long-running operation, awaited with the operations client's `wait` method (Compute's own
 * server-side wait, no poll loop here). Every call first takes a token of its quota from the budget
 * (budget.ts); rate limits lower that quota's rate, and they and server errors are retried with
 * full-jitter backoff; every call is reported for metrics.
 *
 * With an explicit `http:` endpoint (the fake) no credentials are sent; otherwise the clients use
 * Application Default Credentials (Workload Identity on GKE).
 * @module
 */
import type { Kind, KindInfo, Resource } from '../kinds.js';
import { ComputeBudget } from './budget.js';
import {
  AddressesClient,
  BackendServicesClient,
  FirewallsClient,
  ForwardingRulesClient,
  GlobalAddressesClient,
  GlobalForwardingRulesClient,
  GlobalOperationsClient,
  HealthChecksClient,
  InstanceGroupsClient,
  NetworkEndpointGroupsClient,
  RegionBackendServicesClient,
  RegionHealthChecksClient,
  RegionOperationsClient,
  RegionSslCertificatesClient,
  RegionTargetHttpProxiesClient,
  RegionTargetHttpsProxiesClient,
  RegionUrlMapsClient,
  SslCertificatesClient,
  SubnetworksClient,
  TargetHttpProxiesClient,
  TargetHttpsProxiesClient,
  UrlMapsClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import { setTimeout as sleep } from 'node:timers/promises';

/** One resource of an aggregated list, with the scope it is in. */
export type AggregatedItem = { scope: 'global' | 'region'; body: Resource } | { scope: 'zone'; zone: string; body: Resource };

export interface ComputeCallEvent {
  /** `regionUrlMaps.insert`, `regionOperations.wait`, … */
  action: string;
  outcome: 'success' | 'throttled' | 'error';
}

export interface ComputeOptions {
  project: string;
  region: string;
  /** `http://127.0.0.1:port` for a fake; undefined: Google's endpoint with Application Default Credentials. */
  endpoint?: string;
  maxAttempts: number;
  onCall?: (event: ComputeCallEvent) => void;
  /** Injected by tests so backoff takes no time. */
  sleep?: (ms: number) => Promise<void>;
  /** The project's read and write quotas every call spends; default: Compute's default quotas, all of them. */
  budget?: ComputeBudget;
}

/** A Compute call that failed: the gRPC-style code the client reports, and Compute's message. */
export class ComputeCallError extends Error {
  override readonly name = 'ComputeCallError';

  constructor(
    readonly action: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${action}: ${message}`);
  }
}

/** google-gax codes: RESOURCE_EXHAUSTED (429), INTERNAL (500), UNAVAILABLE (503), DEADLINE_EXCEEDED. */
const RETRYABLE = new Set([4, 8, 13, 14]);
const NOT_FOUND = 5;

type GenericCall = (request: object, options?: object) => Promise<unknown[]>;
type GenericClient = Record<string, GenericCall> & { close(): Promise<void> };
type AggregatedClient = { aggregatedListAsync(request: object): AsyncIterable<[string, Record<string, unknown>]> };

/** The clients' constructor options (google-gax's), as the SDK types them. */
type GaxOptions = NonNullable<ConstructorParameters<typeof AddressesClient>[0]>;

function clientOptions(endpoint: string | undefined): GaxOptions {
  if (endpoint === undefined) return { fallback: true };
  const url = new URL(endpoint);
  const options: GaxOptions = {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
    protocol: url.protocol.slice(0, -1),
  };
  // A plain-HTTP endpoint is a local fake or emulator: no token is ever sent to it. google-gax's REST
  // transport needs of an auth client only these two methods.
  if (url.protocol === 'http:') {
    const anonymous = { getRequestHeaders: () => Promise.resolve(new Headers()), fetch: (input: string, init: RequestInit) => fetch(input, init) };
    options.authClient = anonymous as unknown as GaxOptions['authClient'];
  }
  return options;
}

type ClientName = Kind | 'subnetwork' | 'regionOperations' | 'zoneOperations' | 'globalOperations';

/** The SDK's client class of each kind (and of subnetworks and operations). */
const CLIENT_CLASSES: Readonly<Record<ClientName, new (options: GaxOptions) => object>> = {
  address: AddressesClient,
  forwardingRule: ForwardingRulesClient,
  targetHttpProxy: RegionTargetHttpProxiesClient,
  targetHttpsProxy: RegionTargetHttpsProxiesClient,
  urlMap: RegionUrlMapsClient,
  backendService: RegionBackendServicesClient,
  healthCheck: RegionHealthChecksClient,
  sslCertificate: RegionSslCertificatesClient,
  globalAddress: GlobalAddressesClient,
  globalForwardingRule: GlobalForwardingRulesClient,
  globalTargetHttpProxy: TargetHttpProxiesClient,
  globalTargetHttpsProxy: TargetHttpsProxiesClient,
  globalUrlMap: UrlMapsClient,
  globalBackendService: BackendServicesClient,
  globalHealthCheck: HealthChecksClient,
  globalSslCertificate: SslCertificatesClient,
  networkEndpointGroup: NetworkEndpointGroupsClient,
  instanceGroup: InstanceGroupsClient,
  firewall: FirewallsClient,
  subnetwork: SubnetworksClient,
  regionOperations: RegionOperationsClient,
  zoneOperations: ZoneOperationsClient,
  globalOperations: GlobalOperationsClient,
};

export class ComputeApi {
  /** Made on first use: each client parses the SDK's protos (about a tenth of a second), and a provider may never call some. */
  private readonly clients = new Map<ClientName, GenericClient>();
  private readonly clientOptions: GaxOptions;
  private readonly pause: (ms: number) => Promise<void>;
  private readonly budget: ComputeBudget;

  constructor(private readonly options: ComputeOptions) {
    this.clientOptions = clientOptions(options.endpoint);
    this.pause = options.sleep ?? ((ms) => sleep(ms));
    this.budget = options.budget ?? new ComputeBudget();
  }

  get project(): string {
    return this.options.project;
  }

  get region(): string {
    return this.options.region;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }

  private client(name: ClientName): GenericClient {
    let client = this.clients.get(name);
    if (!client) {
      client = new CLIENT_CLASSES[name]({ ...this.clientOptions }) as unknown as GenericClient;
      this.clients.set(name, client);
    }
    return client;
  }

  /** Every resource of a regional or global kind (or the region's subnetworks) whose name matches the RE2 `namePattern` (all pages). */
  async list(kind: KindInfo | 'subnetwork', namePattern?: string): Promise<Resource[]> {
    const family = kind === 'subnetwork' ? 'subnetworks' : kind.family;
    const client = this.client(kind === 'subnetwork' ? 'subnetwork' : kind.client);
    const scope = kind !== 'subnetwork' && kind.scope === 'global' ? {} : { region: this.region };
    const filter = namePattern === undefined ? {} : { filter: `name eq "${namePattern}"` };
    const [items] = await this.call(`${family}.list`, () => method(client, 'list')({ project: this.project, ...scope, ...filter }, { autoPaginate: true }));
    return plain(items) as Resource[];
  }

  /**
   * Every resource of a kind's collection whose name matches, across the scopes an aggregated list
   * answers with: the global one, this region, and this region's zones (other regions' and zones'
   * are left out). One read for a zonal collection's every zone, or for the regional and global
   * URL maps (backend services, …) at once.
   */
  async aggregatedList(kind: KindInfo, namePattern: string): Promise<AggregatedItem[]> {
    const collection = kind.collection;
    return this.call(`${kind.family}.aggregatedList`, async () => {
      const found: AggregatedItem[] = [];
      const client = this.client(kind.client) as unknown as AggregatedClient;
      for await (const [scope, list] of client.aggregatedListAsync({ project: this.project, filter: `name eq "${namePattern}"` })) {
        const items = (plain(list[collection]) as Resource[] | undefined) ?? [];
        const zone = /^zones\/(.+)$/.exec(scope)?.[1];
        if (scope === 'global') found.push(...items.map((body) => ({ scope: 'global' as const, body })));
        else if (scope === `regions/${this.region}`) found.push(...items.map((body) => ({ scope: 'region' as const, body })));
        else if (zone?.startsWith(`${this.region}-`)) found.push(...items.map((body) => ({ scope: 'zone' as const, zone, body })));
      }
      return found;
    });
  }

  insert(kind: KindInfo, zone: string | undefined, body: Resource): Promise<void> {
    return this.mutate(kind, zone, 'insert', { [kind.resourceField]: body });
  }

  update(kind: KindInfo, zone: string | undefined, name: string, body: Resource, verb: 'update' | 'patch' = 'update'): Promise<void> {
    return this.mutate(kind, zone, verb, { [kind.idField]: name, [kind.resourceField]: body });
  }

  delete(kind: KindInfo, zone: string | undefined, name: string): Promise<void> {
    return this.mutate(kind, zone, 'delete', { [kind.idField]: name });
  }

  /** A custom verb (`setUrlMap`, `attachNetworkEndpoints`, …) with its request resource field. */
  verb(kind: KindInfo, zone: string | undefined, name: string, verb: string, field: string, request: Resource): Promise<void> {
    return this.mutate(kind, zone, verb, { [kind.idField]: name, [field]: request });
  }

  async networkEndpoints(zone: string, name: string): Promise<Resource[]> {
    const [items] = await this.call('networkEndpointGroups.listNetworkEndpoints', () =>
      method(this.client('networkEndpointGroup'), 'listNetworkEndpoints')(
        { project: this.project, zone, networkEndpointGroup: name, networkEndpointGroupsListEndpointsRequestResource: {} },
        { autoPaginate: true },
      ),
    );
    return ((plain(items) as Resource[] | undefined) ?? []).map((item) => item['networkEndpoint'] as Resource);
  }

  async groupInstances(zone: string, name: string): Promise<string[]> {
    const [items] = await this.call('instanceGroups.listInstances', () =>
      method(this.client('instanceGroup'), 'listInstances')(
        { project: this.project, zone, instanceGroup: name, instanceGroupsListInstancesRequestResource: { instanceState: 'ALL' } },
        { autoPaginate: true },
      ),
    );
    return ((plain(items) as Resource[] | undefined) ?? []).map((item) => String(item['instance']));
  }

  private async mutate(info: KindInfo, zone: string | undefined, verb: string, request: Resource): Promise<void> {
    const location = info.scope === 'region' ? { region: this.region } : info.scope === 'zone' ? { zone } : {};
    const [operation] = await this.call(`${info.family}.${verb}`, () =>
      method(this.client(info.client), verb)({ project: this.project, ...location, ...request }),
    );
    const name = (operation as { latestResponse?: { name?: string } }).latestResponse?.name;
    if (name === undefined) throw new ComputeCallError(`${info.family}.${verb}`, undefined, 'no operation in the response');
    await this.wait(info.scope, zone, name);
  }

  /** Compute's operations `wait`: returns when the operation is DONE (or after about two minutes, then asked again). */
  private async wait(scope: 'region' | 'zone' | 'global', zone: string | undefined, operation: string): Promise<void> {
    const client = this.client(`${scope}Operations`);
    const location = scope === 'region' ? { region: this.region } : scope === 'zone' ? { zone } : {};
    const family = `${scope}Operations`;
    for (;;) {
      const [result] = await this.call(`${family}.wait`, () => method(client, 'wait')({ project: this.project, ...location, operation }));
      const done = plain(result) as { status?: string; error?: { errors?: { code?: string; message?: string }[] } };
      if (done.error?.errors?.length) {
        throw new ComputeCallError(`${family}.wait`, undefined, done.error.errors.map((error) => `${error.code ?? ''} ${error.message ?? ''}`).join('; '));
      }
      if (done.status === 'DONE') return;
    }
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      // Every attempt spends the project's quota, so every attempt takes a token.
      const sentAt = await this.budget.acquire(action);
      try {
        const result = await run();
        this.options.onCall?.({ action, outcome: 'success' });
        return result;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const numeric = typeof code === 'number' ? code : undefined;
        const throttled = isRateLimited(numeric, error);
        const retryable = throttled || (numeric !== undefined && RETRYABLE.has(numeric));
        this.options.onCall?.({ action, outcome: throttled ? 'throttled' : 'error' });
        if (throttled) this.budget.throttled(action, sentAt);
        if (!retryable || attempt >= this.options.maxAttempts) throw new ComputeCallError(action, numeric, (error as Error).message);
        await this.pause(Math.floor(Math.random() * Math.min(30_000, 500 * 2 ** (attempt - 1))));
      }
    }
  }
}

/**
 * A rate quota ran out: RESOURCE_EXHAUSTED (HTTP 429), or the 403 `rateLimitExceeded` Compute's
 * quota documentation describes (PERMISSION_DENIED by code, told apart by its reason).
 */
function isRateLimited(code: number | undefined, error: unknown): boolean {
  return code === 8 || (code === 7 && /rateLimitExceeded|rate limit exceeded/i.test((error as Error).message));
}

/** A client's method by name; the clients are typed loosely so one code path serves every resource kind. */
function method(client: GenericClient, name: string): GenericCall {
  const found = client[name];
  if (typeof found !== 'function') throw new Error(`the Compute client has no method ${name}`);
  return found.bind(client);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ComputeCallError && error.code === NOT_FOUND;
}

/** The SDK's decoded messages carry protobuf bookkeeping (`_name` oneof markers): plain JSON without it. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([key, inner]) => !key.startsWith('_') && inner !== null && inner !== undefined);
    return Object.fromEntries(entries.map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}
