/**
 * Desired state against observed: the fewest Compute calls, in an order that never drops traffic.
 * 1. create and change bottom-up — health checks, NEGs and their new endpoints, instance groups,
 *    backend services, certificates, URL maps, proxies, the address, forwarding rules, the firewall;
 * 2. detach endpoints and remove instances that are no longer targets (after new ones are attached);
 * 3. delete what is no longer wanted top-down, dependents first, so nothing is deleted while used.
 * A rotated certificate is therefore created, swapped onto the proxy in one setSslCertificates, and
 * only then is the old one deleted: the HTTPS proxy is never without a certificate.
 * Unchanged resources cost nothing: an in-step stack yields no operation.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { PlannedOperation } from '../../../src/provider.js';
import { baseKind, DELETE_ORDER, KINDS, type Kind, type Located, type Resource } from '../kinds.js';
import type { GcpObserved } from '../observe/observed.js';
import type { DesiredResource, DesiredState } from './desired.js';

/** Endpoints per attach or detach call (Compute takes at most 500). */
export const ENDPOINT_BATCH = 500;

export interface GcpOperation extends PlannedOperation {
  kind: Kind;
  zone?: string;
  name: string;
  method: 'insert' | 'update' | 'delete' | 'patch' | 'verb';
  /** The custom verb and its request field, for method `verb`. */
  verb?: string;
  field?: string;
  body?: Resource;
  secret?: { namespace: string; name: string };
}

const CREATE_ORDER: readonly Kind[] = [...DELETE_ORDER].reverse().filter((kind) => kind !== 'firewall');
const API_BASE = 'https://www.googleapis.com/compute/v1/';

export function diffState(desired: DesiredState | undefined, observed: GcpObserved): GcpOperation[] {
  const wanted = desired?.resources ?? [];
  const key = (resource: { kind: Kind; zone?: string; name: string }): string => `${resource.kind}/${resource.zone ?? ''}/${resource.name}`;
  const have = new Map(observed.resources.map((resource) => [key(resource), resource]));
  const want = new Set(wanted.map(key));
  const creates: GcpOperation[] = [];
  const detaches: GcpOperation[] = [];
  const deletes: GcpOperation[] = [];
  const addressWanted = wanted.find((resource) => baseKind(resource.kind) === 'address');
  // The address the forwarding rules will use: an address of the other scheme or scope is a different one, deleted after.
  const address = observed.resources.find((resource) => resource.kind === addressWanted?.kind && resource.name === addressWanted.name);
  const recreateAddress = address !== undefined && addressWanted !== undefined && !covers(normalise(address.body), normalise(addressWanted.body));
  // An address made anew takes the forwarding rules of its scope down first (they hold it) and then up again.
  const rulesOfAddress: Kind = addressWanted?.kind === 'globalAddress' ? 'globalForwardingRule' : 'forwardingRule';

  for (const kind of [...CREATE_ORDER, 'firewall' as const]) {
    for (const resource of wanted.filter((candidate) => candidate.kind === kind)) {
      const current = have.get(key(resource));
      if (current && kind === addressWanted?.kind && recreateAddress) {
        for (const rule of observed.resources.filter((candidate) => candidate.kind === rulesOfAddress)) creates.push(deleteOf(rule));
        creates.push(deleteOf(current), insertOf(resource));
      } else if (!current || (kind === rulesOfAddress && recreateAddress)) {
        creates.push(insertOf(resource));
      } else {
        creates.push(...changesOf(resource, current, address));
      }
      if (kind === 'networkEndpointGroup') {
        const zonal = `${resource.zone ?? ''}/${resource.name}`;
        const [attach, detach] = endpointChanges(desired?.endpoints.get(zonal) ?? [], current ? (observed.endpoints.get(zonal) ?? []) : []);
        creates.push(...batches(attach).map((endpoints) => endpointCall(resource, 'attachNetworkEndpoints', endpoints)));
        detaches.push(...batches(detach).map((endpoints) => endpointCall(resource, 'detachNetworkEndpoints', endpoints)));
      }
      if (kind === 'instanceGroup') {
        const zonal = `${resource.zone ?? ''}/${resource.name}`;
        const wantedInstances = desired?.instances.get(zonal) ?? [];
        const current_ = current ? (observed.instances.get(zonal) ?? []).map(partial) : [];
        const add = wantedInstances.filter((instance) => !current_.includes(instance));
        const remove = current_.filter((instance) => !wantedInstances.includes(instance));
        if (add.length > 0) creates.push(instanceCall(resource, 'addInstances', 'instanceGroupsAddInstancesRequestResource', add));
        if (remove.length > 0) detaches.push(instanceCall(resource, 'removeInstances', 'instanceGroupsRemoveInstancesRequestResource', remove));
      }
    }
  }
  for (const kind of DELETE_ORDER) {
    for (const resource of observed.resources.filter((candidate) => candidate.kind === kind && !want.has(key(candidate)))) {
      if (recreateAddress && (kind === rulesOfAddress || kind === address.kind)) continue;
      deletes.push(deleteOf(resource));
    }
  }
  return [...creates, ...detaches, ...deletes];
}

function planned(kind: Kind, method: string, resource: { zone?: string; name: string }, detail?: unknown): PlannedOperation {
  return {
    action: `${KINDS[kind].family}.${method}`,
    resource: resource.zone ? `${resource.zone}/${resource.name}` : resource.name,
    ...(detail !== undefined && { detail }),
  };
}

function insertOf(resource: DesiredResource): GcpOperation {
  const detail = resource.secret
    ? { ...resource.body, certificate: `(tls.crt of Secret ${resource.secret.namespace}/${resource.secret.name})`, privateKey: '(not shown)' }
    : resource.body;
  return {
    ...planned(resource.kind, 'insert', resource, detail),
    kind: resource.kind,
    ...(resource.zone && { zone: resource.zone }),
    name: resource.name,
    method: 'insert',
    body: resource.body,
    ...(resource.secret && { secret: resource.secret }),
  };
}

function deleteOf(resource: Located): GcpOperation {
  return {
    ...planned(resource.kind, 'delete', resource),
    kind: resource.kind,
    ...(resource.zone && { zone: resource.zone }),
    name: resource.name,
    method: 'delete',
  };
}

function verbCall(resource: DesiredResource, verb: string, field: string, request: Resource): GcpOperation {
  return {
    ...planned(resource.kind, verb, resource, request),
    kind: resource.kind,
    ...(resource.zone && { zone: resource.zone }),
    name: resource.name,
    method: 'verb',
    verb,
    field,
    body: request,
  };
}

function endpointCall(resource: DesiredResource, verb: 'attachNetworkEndpoints' | 'detachNetworkEndpoints', endpoints: Resource[]): GcpOperation {
  const field =
    verb === 'attachNetworkEndpoints' ? 'networkEndpointGroupsAttachEndpointsRequestResource' : 'networkEndpointGroupsDetachEndpointsRequestResource';
  return verbCall(resource, verb, field, { networkEndpoints: endpoints });
}

function instanceCall(resource: DesiredResource, verb: string, field: string, instances: string[]): GcpOperation {
  return verbCall(resource, verb, field, { instances: instances.map((instance) => ({ instance })) });
}

/** What it takes to bring one existing resource in step (nothing when it is). */
function changesOf(resource: DesiredResource, current: Located, address: Located | undefined): GcpOperation[] {
  const wanted = normalise(resource.body);
  const have = normalise(current.body);
  switch (baseKind(resource.kind)) {
    case 'sslCertificate':
    case 'networkEndpointGroup':
      // Immutable, and named by what they hold: a different one has a different name.
      return [];
    case 'urlMap': {
      const fields = ['defaultService', 'defaultRouteAction', 'defaultUrlRedirect', 'hostRules', 'pathMatchers'];
      if (fields.every((field) => isDeepStrictEqual(wanted[field], have[field]))) return [];
      return [updateOf(resource, { ...resource.body, fingerprint: current.body['fingerprint'] })];
    }
    case 'targetHttpProxy':
    case 'targetHttpsProxy': {
      const changes: GcpOperation[] = [];
      if (baseKind(resource.kind) === 'targetHttpsProxy' && !isDeepStrictEqual(wanted['sslCertificates'], have['sslCertificates'])) {
        changes.push(
          verbCall(resource, 'setSslCertificates', `${KINDS[resource.kind].family}SetSslCertificatesRequestResource`, {
            sslCertificates: resource.body['sslCertificates'],
          }),
        );
      }
      if (wanted['urlMap'] !== have['urlMap']) changes.push(verbCall(resource, 'setUrlMap', 'urlMapReferenceResource', { urlMap: resource.body['urlMap'] }));
      return changes;
    }
    case 'forwardingRule': {
      const comparable = { ...wanted, IPAddress: address?.body['address'] ?? wanted['IPAddress'] };
      if (covers(have, comparable)) return [];
      if (covers(have, { ...comparable, target: have['target'] }))
        return [verbCall(resource, 'setTarget', 'targetReferenceResource', { target: resource.body['target'] })];
      return [deleteOf(current), insertOf(resource)];
    }
    case 'instanceGroup': {
      if (isDeepStrictEqual(wanted['namedPorts'], have['namedPorts'])) return [];
      return [
        verbCall(resource, 'setNamedPorts', 'instanceGroupsSetNamedPortsRequestResource', {
          namedPorts: resource.body['namedPorts'],
          fingerprint: current.body['fingerprint'],
        }),
      ];
    }
    case 'backendService':
      if (covers(have, wanted) && sameLength(have['backends'], wanted['backends'])) return [];
      return [updateOf(resource, { ...resource.body, fingerprint: current.body['fingerprint'] })];
    case 'healthCheck':
      return covers(have, wanted) ? [] : [updateOf(resource, resource.body)];
    case 'firewall':
      return covers(have, wanted) ? [] : [{ ...updateOf(resource, resource.body), ...planned('firewall', 'patch', resource, resource.body), method: 'patch' }];
    case 'address':
      return [];
  }
}

function updateOf(resource: DesiredResource, body: Resource): GcpOperation {
  return {
    ...planned(resource.kind, 'update', resource, body),
    kind: resource.kind,
    ...(resource.zone && { zone: resource.zone }),
    name: resource.name,
    method: 'update',
    body,
  };
}

function sameLength(a: unknown, b: unknown): boolean {
  return (Array.isArray(a) ? a.length : 0) === (Array.isArray(b) ? b.length : 0);
}

function endpointChanges(wanted: Resource[], have: Resource[]): [Resource[], Resource[]] {
  const id = (endpoint: Resource): string => `${String(endpoint['ipAddress'])}:${String(endpoint['port'])}`;
  const haveIds = new Set(have.map(id));
  const wantedIds = new Set(wanted.map(id));
  return [
    wanted.filter((endpoint) => !haveIds.has(id(endpoint))),
    have.filter((endpoint) => !wantedIds.has(id(endpoint))).map((endpoint) => ({ ipAddress: endpoint['ipAddress'], port: endpoint['port'] })),
  ];
}

function batches<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += ENDPOINT_BATCH) result.push(items.slice(start, start + ENDPOINT_BATCH));
  return result;
}

function partial(reference: string): string {
  return reference.startsWith(API_BASE) ? reference.slice(API_BASE.length) : reference;
}

/**
 * References as partial URLs, and what Compute leaves out when it is empty or false left out too,
 * so a body we sent and the body Compute returns compare equal.
 */
export function normalise(value: unknown): Resource {
  return normaliseValue(value) as Resource;
}

function normaliseValue(value: unknown): unknown {
  if (typeof value === 'string') return partial(value);
  if (Array.isArray(value)) return value.map(normaliseValue);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Resource)
      .map(([key, inner]) => [key, normaliseValue(inner)] as const)
      .filter(([, inner]) => inner !== undefined && inner !== null && inner !== false && !(Array.isArray(inner) && inner.length === 0));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Every field of `wanted` is in `have` with the same value (objects compared field by field, arrays element by element). */
export function covers(have: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) return Array.isArray(have) && have.length === wanted.length && wanted.every((item, index) => covers(have[index], item));
  if (typeof wanted === 'object' && wanted !== null) {
    if (typeof have !== 'object' || have === null) return false;
    return Object.entries(wanted).every(([key, inner]) => covers((have as Resource)[key], inner));
  }
  return isDeepStrictEqual(have, wanted);
}
