/**
 * The fake's state: every resource by key, the endpoints of each network endpoint group, the
 * instances of each instance group, and the operations. Mutations are checked as Compute checks
 * them: names unique per collection and scope, references to resources that exist, a resource in
 * use by another cannot be deleted, an update must carry the current fingerprint, a regional
 * forwarding rule of a managed scheme needs the region's active proxy-only subnet, a load balancer's
 * parts reference only parts of their own scope (regional or global), and a global external URL map
 * takes no regexMatch (Compute allows regex only on regional EXTERNAL_MANAGED and on INTERNAL_MANAGED
 * URL maps).
 * @module
 */
import { createHash } from 'node:crypto';
import { ComputeError, alreadyExists, conditionNotMet, inUse, invalid, notFound, required } from './errors.js';
import { parseKey, referenceKey, selfLink } from './links.js';
import { validateName, validateResource, type Json } from './validation.js';

/** A load balancer's parts: regional ones reference regional ones only, global ones global ones only. */
const SCOPED_COLLECTIONS = new Set([
  'addresses',
  'forwardingRules',
  'targetHttpProxies',
  'targetHttpsProxies',
  'urlMaps',
  'backendServices',
  'healthChecks',
  'sslCertificates',
]);

/** Collections whose resources carry a fingerprint that an update must echo. */
const FINGERPRINTED = new Set(['urlMaps', 'backendServices', 'targetHttpsProxies', 'forwardingRules', 'instanceGroups']);

export interface NetworkEndpoint {
  ipAddress: string;
  port: number;
  instance?: string;
}

export interface Operation {
  name: string;
  scope: string;
  operationType: string;
  targetLink: string;
  status: 'RUNNING' | 'DONE';
  waited: boolean;
}

export class ComputeStore {
  private readonly resources = new Map<string, Json>();
  private readonly endpoints = new Map<string, NetworkEndpoint[]>();
  private readonly instances = new Map<string, string[]>();
  private readonly operations = new Map<string, Operation>();
  private sequence = 0;

  /** A resource the test sets up (networks, proxy-only subnets, foreign resources), stored without validation. */
  seed(scope: string, collection: string, body: Json): string {
    const key = `${scope}/${collection}/${String(body['name'])}`;
    this.resources.set(key, this.stamp(key, collection, structuredClone(body)));
    return key;
  }

  get(key: string): Json {
    const resource = this.resources.get(key);
    if (!resource) throw notFound(key);
    return structuredClone(resource);
  }

  has(key: string): boolean {
    return this.resources.has(key);
  }

  list(scope: string, collection: string): Json[] {
    const prefix = `${scope}/${collection}/`;
    return [...this.resources.entries()]
      .filter(([key]) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, resource]) => structuredClone(resource));
  }

  /** Every resource key, for inventories. */
  keys(): string[] {
    return [...this.resources.keys()].sort();
  }

  insert(scope: string, collection: string, input: Json): Operation {
    validateName(input);
    validateResource(collection, input);
    const key = `${scope}/${collection}/${String(input['name'])}`;
    if (this.resources.has(key)) throw alreadyExists(key);
    const body = this.resolveReferences(scope, collection, structuredClone(input));
    this.checkScope(scope, collection, body);
    if (collection === 'forwardingRules') this.checkForwardingRule(scope, body);
    this.resources.set(key, this.stamp(key, collection, body));
    if (collection === 'networkEndpointGroups') this.endpoints.set(key, []);
    if (collection === 'instanceGroups') this.instances.set(key, []);
    return this.operation(scope, 'insert', key);
  }

  /** PUT (replace) or PATCH (merge) of a resource; both must carry the current fingerprint where the API has one. */
  update(key: string, input: Json, mode: 'update' | 'patch'): Operation {
    const current = this.get(key);
    const path = parseKey(key)!;
    if (FINGERPRINTED.has(path.collection) && input['fingerprint'] !== current['fingerprint']) throw conditionNotMet(key);
    if (input['name'] !== undefined && input['name'] !== current['name']) throw invalid('resource.name', 'a resource cannot be renamed');
    const merged = withoutOutputFields(mode === 'patch' ? { ...current, ...input } : { ...input, name: current['name'] });
    validateResource(path.collection, merged);
    const body = this.resolveReferences(path.scope, path.collection, merged);
    this.checkScope(path.scope, path.collection, body);
    this.resources.set(key, this.stamp(key, path.collection, body, current));
    return this.operation(path.scope, mode, key);
  }

  /** A change to a few fields (setUrlMap, setSslCertificates, setTarget). */
  set(key: string, fields: Json, verb: string): Operation {
    const current = this.get(key);
    const path = parseKey(key)!;
    const merged = withoutOutputFields({ ...current, ...fields });
    validateResource(path.collection, merged);
    const body = this.resolveReferences(path.scope, path.collection, merged);
    this.checkScope(path.scope, path.collection, body);
    this.resources.set(key, this.stamp(key, path.collection, body, current));
    return this.operation(path.scope, verb, key);
  }

  delete(key: string): Operation {
    const resource = this.get(key);
    const link = selfLink(key);
    for (const [otherKey, other] of this.resources) {
      if (otherKey !== key && JSON.stringify(other).includes(JSON.stringify(link))) throw inUse(key, selfLink(otherKey));
    }
    if (parseKey(key)!.collection === 'addresses') {
      const path = parseKey(key)!;
      const user = this.list(path.scope, 'forwardingRules').find((rule) => rule['IPAddress'] === resource['address']);
      if (user) throw inUse(key, String(user['selfLink']));
    }
    this.resources.delete(key);
    this.endpoints.delete(key);
    this.instances.delete(key);
    return this.operation(parseKey(key)!.scope, 'delete', key);
  }

  networkEndpoints(key: string): NetworkEndpoint[] {
    this.get(key);
    return structuredClone(this.endpoints.get(key) ?? []);
  }

  attachEndpoints(key: string, endpoints: NetworkEndpoint[]): Operation {
    const current = this.networkEndpoints(key);
    if (endpoints.length > 500) throw invalid('networkEndpoints', 'at most 500 endpoints per request');
    for (const [index, endpoint] of endpoints.entries()) {
      if (typeof endpoint.ipAddress !== 'string') throw required(`networkEndpoints[${index}].ipAddress`);
      if (typeof endpoint.port !== 'number') throw required(`networkEndpoints[${index}].port`);
      if (!current.some((existing) => sameEndpoint(existing, endpoint))) current.push({ ...endpoint });
    }
    this.endpoints.set(key, current);
    return this.operation(parseKey(key)!.scope, 'attachNetworkEndpoints', key);
  }

  detachEndpoints(key: string, endpoints: NetworkEndpoint[]): Operation {
    const current = this.networkEndpoints(key);
    for (const [index, endpoint] of endpoints.entries()) {
      if (!current.some((existing) => sameEndpoint(existing, endpoint))) {
        throw invalid(`networkEndpoints[${index}]`, `${endpoint.ipAddress}:${endpoint.port} is not in the network endpoint group`);
      }
    }
    this.endpoints.set(
      key,
      current.filter((existing) => !endpoints.some((endpoint) => sameEndpoint(existing, endpoint))),
    );
    return this.operation(parseKey(key)!.scope, 'detachNetworkEndpoints', key);
  }

  groupInstances(key: string): string[] {
    this.get(key);
    return [...(this.instances.get(key) ?? [])];
  }

  addInstances(key: string, instances: string[]): Operation {
    const current = this.groupInstances(key);
    const zone = parseKey(key)!.scope;
    for (const instance of instances) {
      const instanceKey = referenceKey(instance);
      if (!instanceKey?.startsWith(`${zone}/instances/`)) throw invalid('instances', `'${instance}' is not an instance of ${zone}`);
      if (current.includes(selfLink(instanceKey)))
        throw new ComputeError(400, 'memberAlreadyExists', `The instance '${instance}' is already a member of '${key}'`);
      current.push(selfLink(instanceKey));
    }
    this.instances.set(key, current);
    return this.operation(zone, 'addInstances', key);
  }

  removeInstances(key: string, instances: string[]): Operation {
    const current = this.groupInstances(key);
    const links = instances.map((instance) => selfLink(referenceKey(instance) ?? instance));
    this.instances.set(
      key,
      current.filter((link) => !links.includes(link)),
    );
    return this.operation(parseKey(key)!.scope, 'removeInstances', key);
  }

  wait(scope: string, name: string): Json {
    const operation = this.operations.get(`${scope}/operations/${name}`);
    if (!operation) throw notFound(`${scope}/operations/${name}`);
    operation.status = 'DONE';
    operation.waited = true;
    return operationJson(operation);
  }

  /** Operations nobody waited for: a client that does not await its changes leaves some here. */
  unwaitedOperations(): Operation[] {
    return [...this.operations.values()].filter((operation) => !operation.waited).map((operation) => ({ ...operation }));
  }

  private operation(scope: string, operationType: string, key: string): Operation {
    this.sequence += 1;
    const operation: Operation = { name: `operation-${this.sequence}`, scope, operationType, targetLink: selfLink(key), status: 'RUNNING', waited: false };
    this.operations.set(`${scope}/operations/${operation.name}`, operation);
    return operation;
  }

  private stamp(key: string, collection: string, body: Json, previous?: Json): Json {
    this.sequence += 1;
    const stamped: Json = {
      ...body,
      kind: `compute#${collection.replace(/ies$/, 'y').replace(/s$/, '')}`,
      id: previous?.['id'] ?? String(1_000_000 + this.sequence),
      creationTimestamp: previous?.['creationTimestamp'] ?? new Date(0).toISOString(),
      selfLink: selfLink(key),
    };
    const scope = parseKey(key)!.scope;
    if (scope.includes('/regions/')) stamped['region'] = selfLink(scope);
    if (scope.includes('/zones/')) stamped['zone'] = selfLink(scope);
    if (FINGERPRINTED.has(collection)) stamped['fingerprint'] = createHash('sha256').update(`${this.sequence}`).digest('base64').slice(0, 12);
    return stamped;
  }

  /** Every reference names a resource that exists, stored as its full URL; an address reference becomes its IP. */
  private resolveReferences(scope: string, collection: string, body: Json): Json {
    const resolve = (value: unknown, field: string): unknown => {
      if (typeof value === 'string') {
        if (field === 'IPAddress' && referenceKey(value) === undefined) return value;
        const key = referenceKey(value);
        if (key === undefined) return value;
        if (!this.resources.has(key)) throw notFound(key);
        if (field === 'IPAddress') return this.resources.get(key)!['address'];
        return selfLink(key);
      }
      if (Array.isArray(value)) return value.map((item) => resolve(item, field));
      if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, resolve(inner, name)]));
      }
      return value;
    };
    const resolved = resolve(body, '') as Json;
    if (collection === 'addresses' && resolved['address'] === undefined) {
      this.sequence += 1;
      resolved['address'] =
        resolved['addressType'] === 'INTERNAL' ? `10.128.0.${this.sequence % 250}` : `34.1.${Math.floor(this.sequence / 250) % 250}.${this.sequence % 250}`;
    }
    if (!scope.startsWith('projects/')) throw invalid('scope', scope);
    return resolved;
  }

  /**
   * A load balancer's part references parts of its own scope only; a global address is external and
   * Premium tier; a global URL map that serves EXTERNAL_MANAGED backend services has no regexMatch.
   */
  private checkScope(scope: string, collection: string, body: Json): void {
    if (!SCOPED_COLLECTIONS.has(collection)) return;
    const global = scope.endsWith('/global');
    const visit = (value: unknown, field: string): void => {
      if (typeof value === 'string') {
        const path = parseKey(referenceKey(value) ?? '');
        if (path && SCOPED_COLLECTIONS.has(path.collection) && path.scope.endsWith('/global') !== global) {
          throw invalid(
            `resource.${field}`,
            `a ${global ? 'global' : 'regional'} ${collection} resource cannot reference ${selfLink(path.scope)}/${path.collection}/${path.name}`,
          );
        }
      } else if (Array.isArray(value)) value.forEach((item) => visit(item, field));
      else if (typeof value === 'object' && value !== null) for (const [name, inner] of Object.entries(value)) visit(inner, name);
    };
    visit(body, '');
    if (!global) return;
    if (collection === 'addresses') {
      if (body['addressType'] !== undefined && body['addressType'] !== 'EXTERNAL')
        throw invalid('resource.addressType', 'global addresses for load balancers are EXTERNAL');
      if (body['networkTier'] !== undefined && body['networkTier'] !== 'PREMIUM') throw invalid('resource.networkTier', 'global addresses are Premium tier');
    }
    if (collection === 'urlMaps') {
      const external = [...JSON.stringify(body).matchAll(/"(https:[^"]*\/backendServices\/[^"]+)"/g)].some(
        (match) => this.resources.get(referenceKey(match[1]!) ?? '')?.['loadBalancingScheme'] === 'EXTERNAL_MANAGED',
      );
      const regex = findRegexMatch(body);
      if (external && regex !== undefined) {
        throw invalid(
          `resource.${regex}`,
          'regexMatch is only supported by regional EXTERNAL_MANAGED and by INTERNAL_MANAGED load balancers, not by a global EXTERNAL_MANAGED URL map',
        );
      }
    }
  }

  private checkForwardingRule(scope: string, body: Json): void {
    if (scope.endsWith('/global')) {
      this.checkGlobalForwardingRule(scope, body);
      return;
    }
    const proxySubnet = this.list(scope, 'subnetworks').find(
      (subnet) => subnet['purpose'] === 'REGIONAL_MANAGED_PROXY' && subnet['role'] === 'ACTIVE' && subnet['network'] === body['network'],
    );
    if (typeof body['network'] !== 'string' || body['network'] === '') throw required('resource.network');
    if (!proxySubnet) {
      throw invalid('resource.network', `An active proxy-only subnetwork is required in the same region and VPC as the forwarding rule (${scope})`);
    }
    const target = String(body['target']);
    if (!/\/(targetHttpProxies|targetHttpsProxies)\//.test(target)) throw invalid('resource.target', 'must be a target HTTP(S) proxy');
    if (body['loadBalancingScheme'] === 'INTERNAL_MANAGED' && typeof body['subnetwork'] !== 'string') throw required('resource.subnetwork');
    const taken = this.list(scope, 'forwardingRules').find((rule) => rule['IPAddress'] === body['IPAddress'] && rule['portRange'] === body['portRange']);
    if (taken) throw invalid('resource.IPAddress', `${String(body['IPAddress'])}:${String(body['portRange'])} is already used by ${String(taken['selfLink'])}`);
  }

  /** The global external Application Load Balancer's forwarding rule: at Google's edge, in no VPC, no proxy-only subnet needed. */
  private checkGlobalForwardingRule(scope: string, body: Json): void {
    if (body['loadBalancingScheme'] !== 'EXTERNAL_MANAGED')
      throw invalid('resource.loadBalancingScheme', 'only EXTERNAL_MANAGED global forwarding rules are modelled');
    if (body['network'] !== undefined) throw invalid('resource.network', 'a global EXTERNAL_MANAGED forwarding rule takes no network');
    if (body['subnetwork'] !== undefined) throw invalid('resource.subnetwork', 'a global EXTERNAL_MANAGED forwarding rule takes no subnetwork');
    if (!/\/global\/(targetHttpProxies|targetHttpsProxies)\//.test(String(body['target'])))
      throw invalid('resource.target', 'must be a global target HTTP(S) proxy');
    const taken = this.list(scope, 'forwardingRules').find((rule) => rule['IPAddress'] === body['IPAddress'] && rule['portRange'] === body['portRange']);
    if (taken) throw invalid('resource.IPAddress', `${String(body['IPAddress'])}:${String(body['portRange'])} is already used by ${String(taken['selfLink'])}`);
  }
}

/** The field path of the first regexMatch in a URL map (path, header or query-parameter match), if any. */
function findRegexMatch(value: unknown, field = ''): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findRegexMatch(item, `${field}[${index}]`);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, inner] of Object.entries(value)) {
      const path = field === '' ? name : `${field}.${name}`;
      if (name === 'regexMatch') return path;
      const found = findRegexMatch(inner, path);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Fields Compute sets itself: a client's copy of them is ignored on update. */
const OUTPUT_FIELDS = new Set(['id', 'selfLink', 'creationTimestamp', 'kind', 'fingerprint', 'region', 'zone']);

function withoutOutputFields(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([field]) => !OUTPUT_FIELDS.has(field)));
}

function sameEndpoint(a: NetworkEndpoint, b: NetworkEndpoint): boolean {
  return a.ipAddress === b.ipAddress && a.port === b.port;
}

export function operationJson(operation: Operation): Json {
  return {
    kind: 'compute#operation',
    name: operation.name,
    operationType: operation.operationType,
    targetLink: operation.targetLink,
    status: operation.status,
    progress: operation.status === 'DONE' ? 100 : 0,
    selfLink: selfLink(`${operation.scope}/operations/${operation.name}`),
  };
}
