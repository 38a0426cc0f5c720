/**
 * A stateful fake of the Compute Engine REST API (v1), served over HTTP on loopback so that the real
 * `@google-cloud/compute` clients talk to it with their own request building. It models what the
 * GCP provider uses — regional and global URL maps, backend services, health checks, SSL
 * certificates, target HTTP(S) proxies, forwarding rules and addresses; subnetworks; zonal network
 * endpoint groups and instance groups; global firewalls — with their validations (store.ts, validation.ts), Compute's
 * error bodies (errors.ts) and long-running operations that a client awaits with `wait`.
 *
 * Test controls: a call log with what counts as mutating, throttling of the next n calls
 * (429 rateLimitExceeded), a crash after k mutating calls (every later mutating call fails before
 * it changes anything), and IAM: given the permissions of a role, a call outside them is 403.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComputeError, forbidden, notFound, rateLimited } from './errors.js';
import { referenceKey } from './links.js';
import { ComputeStore, operationJson, type NetworkEndpoint, type Operation } from './store.js';
import type { Json } from './validation.js';

export { ComputeStore } from './store.js';
export { API_BASE, referenceKey, selfLink } from './links.js';

/** API families whose regional resources live under `region…` names in Compute's IAM. */
const REGION_PREFIXED = new Set(['urlMaps', 'backendServices', 'healthChecks', 'sslCertificates', 'targetHttpProxies', 'targetHttpsProxies']);
/** API families whose global resources live under `global…` names in Compute's IAM (the regional ones have the plain name). */
const GLOBAL_PREFIXED = new Set(['addresses', 'forwardingRules']);
const READ_VERBS = new Set(['get', 'list', 'aggregatedList', 'listNetworkEndpoints', 'listInstances', 'getHealth', 'wait']);

export interface FakeCall {
  /** `regionUrlMaps.insert`, `networkEndpointGroups.attachNetworkEndpoints`, `regionOperations.wait`. */
  action: string;
  /** The resource's partial URL, or the collection's for insert and list. */
  target: string;
  body?: unknown;
  mutating: boolean;
  /** The error reason when the call was refused. */
  error?: string;
}

export interface GcpFakeOptions {
  project?: string;
  region?: string;
  /** Items per list page (Compute's default is 500): small pages prove that clients follow them. */
  pageSize?: number;
}

export class GcpFake {
  readonly project: string;
  readonly region: string;
  readonly store = new ComputeStore();
  private readonly log: FakeCall[] = [];
  private readonly server: Server;
  private throttled = 0;
  private crashAfter: number | undefined;
  private permissions: ReadonlySet<string> | undefined;
  private readonly pageSize: number;
  private readonly mutationListeners: ((call: FakeCall) => void)[] = [];

  constructor(options: GcpFakeOptions = {}) {
    this.project = options.project ?? 'test-project';
    this.region = options.region ?? 'us-central1';
    this.pageSize = options.pageSize ?? 500;
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ error: { code: 500, message: String(error), errors: [{ reason: 'backendError', message: String(error) }] } }));
      });
    });
  }

  /** The region's scope key, `projects/p/regions/r`. */
  get regionScope(): string {
    return `projects/${this.project}/regions/${this.region}`;
  }

  zoneScope(zone: string): string {
    return `projects/${this.project}/zones/${zone}`;
  }

  get globalScope(): string {
    return `projects/${this.project}/global`;
  }

  /** Starts listening on 127.0.0.1 and seeds the VPC `default` with a proxy-only subnet in the region. */
  async start(options: { proxySubnet?: boolean } = {}): Promise<{ host: string; port: number }> {
    const network = this.store.seed(this.globalScope, 'networks', { name: 'default', autoCreateSubnetworks: false });
    this.store.seed(this.regionScope, 'subnetworks', {
      name: 'default',
      network: `https://www.googleapis.com/compute/v1/${network}`,
      ipCidrRange: '10.128.0.0/20',
    });
    if (options.proxySubnet !== false) {
      this.store.seed(this.regionScope, 'subnetworks', {
        name: 'proxy-only',
        network: `https://www.googleapis.com/compute/v1/${network}`,
        ipCidrRange: '10.129.0.0/23',
        purpose: 'REGIONAL_MANAGED_PROXY',
        role: 'ACTIVE',
      });
    }
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  calls(): FakeCall[] {
    return this.log.map((call) => ({ ...call }));
  }

  mutatingCalls(): FakeCall[] {
    return this.calls().filter((call) => call.mutating);
  }

  /** Called after every mutating call that changed the state, so a test can check an invariant between any two calls. */
  afterMutation(listener: (call: FakeCall) => void): void {
    this.mutationListeners.push(listener);
  }

  /** The next n calls are refused with 429 rateLimitExceeded, as Compute's per-minute quotas do. */
  throttleNext(calls: number): void {
    this.throttled = calls;
  }

  /** After `mutations` more mutating calls, every mutating call fails as if the controller had died before it; undefined: back to normal. */
  failAfterMutations(mutations: number | undefined): void {
    this.crashAfter = mutations;
  }

  /** Only these permissions (`compute.regionUrlMaps.create`, …) are granted; undefined: everything. */
  grant(permissions: Iterable<string> | undefined): void {
    this.permissions = permissions === undefined ? undefined : new Set(permissions);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const text = await readBody(request);
    const body = text === '' ? undefined : (JSON.parse(text) as Json);
    const path = url.pathname.replace(/^\/compute\/v1\//, '');
    const aggregated = /^projects\/[^/]+\/aggregated\/([A-Za-z]+)$/.exec(path);
    const route = aggregated ? aggregatedRoute(path, aggregated[1]!) : parseRoute(request.method ?? 'GET', path);
    if (!route) {
      send(response, 404, notFound(path).body());
      return;
    }
    const call: FakeCall = { action: route.action, target: route.target, body, mutating: !READ_VERBS.has(route.verb) };
    this.log.push(call);
    try {
      this.admit(call, route);
      const result = this.execute(route, body, url.searchParams);
      if (call.mutating) for (const listener of this.mutationListeners) listener(call);
      send(response, 200, result);
    } catch (error) {
      if (!(error instanceof ComputeError)) throw error;
      call.error = error.reason;
      send(response, error.status, error.body());
    }
  }

  /** Throttling, the simulated crash and IAM, decided before the call changes anything. */
  private admit(call: FakeCall, route: Route): void {
    if (this.throttled > 0) {
      this.throttled -= 1;
      throw rateLimited();
    }
    if (call.mutating && this.crashAfter !== undefined) {
      if (this.crashAfter <= 0) throw new ComputeError(400, 'fakeCrash', 'the controller died before this call');
      this.crashAfter -= 1;
    }
    if (this.permissions !== undefined) {
      for (const permission of permissionsFor(route)) {
        if (!this.permissions.has(permission)) throw forbidden(permission, route.target);
      }
    }
  }

  private execute(route: Route, body: Json | undefined, query: URLSearchParams): unknown {
    const { store } = this;
    const input = body ?? {};
    switch (route.verb) {
      case 'list':
        return this.page(store.list(route.scope, route.collection), query);
      case 'aggregatedList':
        return this.aggregated(route.collection, query);
      case 'get':
        return store.get(route.target);
      case 'wait':
        return store.wait(route.scope, route.name!);
      case 'insert':
        return this.done(store.insert(route.scope, route.collection, input));
      case 'update':
      case 'patch':
        return this.done(store.update(route.target, input, route.verb));
      case 'delete':
        return this.done(store.delete(route.target));
      case 'setUrlMap':
        return this.done(store.set(route.target, { urlMap: input['urlMap'] }, route.verb));
      case 'setSslCertificates':
        return this.done(store.set(route.target, { sslCertificates: input['sslCertificates'] }, route.verb));
      case 'setTarget':
        return this.done(store.set(route.target, { target: input['target'] }, route.verb));
      case 'attachNetworkEndpoints':
        return this.done(store.attachEndpoints(route.target, endpointsOf(input)));
      case 'detachNetworkEndpoints':
        return this.done(store.detachEndpoints(route.target, endpointsOf(input)));
      case 'listNetworkEndpoints':
        return this.page(
          store.networkEndpoints(route.target).map((endpoint) => ({ networkEndpoint: endpoint, healths: [] })),
          query,
        );
      case 'addInstances':
        return this.done(store.addInstances(route.target, instancesOf(input)));
      case 'removeInstances':
        return this.done(store.removeInstances(route.target, instancesOf(input)));
      case 'listInstances':
        return this.page(
          store.groupInstances(route.target).map((instance) => ({ instance, status: 'RUNNING' })),
          query,
        );
      case 'setNamedPorts':
        return this.done(store.update(route.target, { namedPorts: input['namedPorts'], fingerprint: input['fingerprint'] }, 'patch'));
      default:
        throw new ComputeError(400, 'invalid', `the fake does not model ${route.action}`);
    }
  }

  private done(operation: Operation): unknown {
    return operationJson(operation);
  }

  /**
   * Every scope's resources of a collection, keyed `global`, `regions/<region>` and `zones/<zone>` as
   * aggregatedList answers them, paged like a list. (Compute documents the aggregated lists of URL
   * maps, backend services, health checks, SSL certificates and target proxies as spanning the
   * regional and the global collections.)
   */
  private aggregated(collection: string, query: URLSearchParams): unknown {
    const scopes = [
      ...new Set(
        this.store
          .keys()
          .map((key) => /^projects\/[^/]+\/((?:zones|regions)\/[^/]+|global)\//.exec(key)?.[1])
          .filter((scope): scope is string => scope !== undefined),
      ),
    ].sort();
    const tagged = scopes.flatMap((scope) => this.store.list(`projects/${this.project}/${scope}`, collection).map((item) => ({ ...item, ['scope/']: scope })));
    const page = this.page(tagged, query) as { items: Json[]; nextPageToken?: string };
    const items: Record<string, { [collection: string]: Json[] }> = {};
    for (const item of page.items) {
      const { ['scope/']: scope, ...resource } = item;
      (items[String(scope)] ??= { [collection]: [] })[collection]!.push(resource);
    }
    return { items, ...(page.nextPageToken !== undefined && { nextPageToken: page.nextPageToken }) };
  }

  /** `filter=name eq "RE2"` (the whole name must match) and page tokens, as Compute's list methods take them. */
  private page(items: Json[], query: URLSearchParams): unknown {
    const filter = query.get('filter');
    let matching = items;
    if (filter) {
      const parsed = /^\(?name\s+eq\s+"?(.*?)"?\)?$/.exec(filter.trim());
      if (!parsed) throw new ComputeError(400, 'invalid', `Invalid list filter expression '${filter}'`);
      const pattern = new RegExp(`^(?:${parsed[1]!})$`);
      matching = items.filter((item) => pattern.test(String(item['name'])));
    }
    const size = Math.min(Number(query.get('maxResults') ?? this.pageSize) || this.pageSize, this.pageSize);
    const start = Number(query.get('pageToken') ?? '0') || 0;
    const page = matching.slice(start, start + size);
    const next = start + size < matching.length ? String(start + size) : undefined;
    return { items: page, ...(next !== undefined && { nextPageToken: next }) };
  }
}

interface Route {
  verb: string;
  scope: string;
  collection: string;
  name?: string;
  target: string;
  action: string;
}

function aggregatedRoute(path: string, collection: string): Route {
  return { verb: 'aggregatedList', scope: path, collection, target: path, action: `${collection}.aggregatedList` };
}

/**
 * The global target proxies' setUrlMap and setSslCertificates are served under
 * `projects/<p>/targetHttp(s)Proxies/<name>/<verb>`, without `global` (as Compute's REST reference
 * and the SDK have them): the same route as under `projects/<p>/global/`.
 */
const GLOBAL_PROXY_VERB = /^projects\/([^/]+)\/(targetHttpProxies|targetHttpsProxies)\/([^/]+)\/(setUrlMap|setSslCertificates)$/;

function parseRoute(method: string, path: string): Route | undefined {
  const proxyVerb = GLOBAL_PROXY_VERB.exec(path);
  if (proxyVerb) return parseRoute(method, `projects/${proxyVerb[1]!}/global/${proxyVerb[2]!}/${proxyVerb[3]!}/${proxyVerb[4]!}`);
  const match = /^(projects\/[^/]+\/(?:regions|zones)\/[^/]+|projects\/[^/]+\/global)\/([A-Za-z]+)(?:\/([^/]+))?(?:\/([A-Za-z]+))?$/.exec(path);
  if (!match) return undefined;
  const [, scope, collection, name, custom] = match as unknown as [string, string, string, string | undefined, string | undefined];
  let verb: string;
  if (custom) verb = custom;
  else if (name === undefined) verb = method === 'POST' ? 'insert' : 'list';
  else verb = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? 'unknown';
  const family =
    scope.includes('/regions/') && (REGION_PREFIXED.has(collection) || collection === 'operations')
      ? `region${capitalise(collection)}`
      : scope.endsWith('/global') && GLOBAL_PREFIXED.has(collection)
        ? `global${capitalise(collection)}`
        : collection;
  const operationsFamily =
    collection === 'operations' ? (scope.includes('/zones/') ? 'zoneOperations' : scope.endsWith('/global') ? 'globalOperations' : family) : family;
  return {
    verb,
    scope,
    collection,
    ...(name !== undefined && { name }),
    target: name === undefined ? `${scope}/${collection}` : `${scope}/${collection}/${name}`,
    action: `${operationsFamily}.${verb}`,
  };
}

/** The IAM permissions a call needs, as Compute documents them: the method's own, and `use` on resources it references. */
function permissionsFor(route: Route): string[] {
  const [family, verb] = route.action.split('.') as [string, string];
  const permission =
    { aggregatedList: 'list', insert: 'create', patch: 'update', wait: 'get', listNetworkEndpoints: 'list', listInstances: 'list', setNamedPorts: 'update' }[
      verb
    ] ?? verb;
  const needed = [`compute.${family}.${permission}`];
  if (family === 'instanceGroups' && (verb === 'addInstances' || verb === 'removeInstances')) needed[0] = 'compute.instanceGroups.update';
  if (family === 'firewalls' && verb !== 'get' && verb !== 'list') needed.push('compute.networks.updatePolicy');
  return needed;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function endpointsOf(input: Json): NetworkEndpoint[] {
  return ((input['networkEndpoints'] ?? []) as NetworkEndpoint[]).map((endpoint) => ({ ...endpoint }));
}

function instancesOf(input: Json): string[] {
  return ((input['instances'] ?? []) as { instance?: string }[]).map((reference) => String(reference.instance));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=UTF-8');
  response.end(JSON.stringify(body));
}

/** The resource key a reference names, for tests that follow links. */
export function keyOf(reference: string): string {
  const key = referenceKey(reference);
  if (key === undefined) throw new Error(`not a resource reference: ${reference}`);
  return key;
}
