/**
 * Reads one stack's resources, of either scope (a stack is regional or global, and while its scope
 * changes both): one aggregated list per kind whose aggregated list spans the global and regional
 * collections, one list each for the regional and the global addresses and forwarding rules and for
 * firewalls, one aggregated list per zonal collection (every zone in one read), each filtered by
 * the stack's name prefix, and then only what carries our ownership record for this cluster and
 * stack is kept. Network endpoints
 * and instance-group members are read per group found. The VPC and the proxy-only subnet are read
 * once per provider: they are not ours and rarely change.
 * @module
 */
import type { AggregatedItem, ComputeApi } from '../sdk/compute.js';
import { inScope, KINDS, type Kind, type Located, type Resource, type ScopedKind } from '../kinds.js';
import { readOwnership, stackNamePattern } from '../plan/names.js';
import type { Environment, GcpObserved } from './observed.js';

/**
 * Kinds read by one aggregated list of their global collection, which answers with the regional and
 * the global resources (Compute documents it so for these): one read finds a stack's URL maps of
 * either scope.
 */
const AGGREGATED: readonly ScopedKind[] = ['targetHttpProxy', 'targetHttpsProxy', 'urlMap', 'backendService', 'healthCheck', 'sslCertificate'];

/** Kinds read by one list per collection: addresses and forwarding rules in the region and globally, and firewalls. */
const LISTED: readonly Kind[] = ['address', 'globalAddress', 'forwardingRule', 'globalForwardingRule', 'firewall'];

export interface ObserveContext {
  api: ComputeApi;
  cluster: string;
  network: string;
  subnetwork: string;
}

export async function observeStack(stackId: string, context: ObserveContext, environment: Environment): Promise<GcpObserved> {
  const { api, cluster } = context;
  const pattern = stackNamePattern(cluster, stackId);
  const ours = (body: Resource): boolean => {
    const owner = readOwnership(body['description']);
    return owner?.cluster === cluster && owner.stack === stackId;
  };
  const resources: Located[] = [];
  const [lists, aggregated, negs, groups] = await Promise.all([
    Promise.all(LISTED.map(async (kind) => ({ kind, items: await api.list(KINDS[kind], pattern) }))),
    Promise.all(AGGREGATED.map(async (kind) => ({ kind, items: await api.aggregatedList(KINDS[inScope(kind, 'global')], pattern) }))),
    api.aggregatedList(KINDS.networkEndpointGroup, pattern),
    api.aggregatedList(KINDS.instanceGroup, pattern),
  ]);
  for (const { kind, items } of lists) {
    for (const body of items.filter(ours)) resources.push({ kind, name: String(body['name']), body });
  }
  for (const { kind, items } of aggregated) {
    for (const { scope, body } of items.filter((item) => item.scope !== 'zone' && ours(item.body))) {
      resources.push({ kind: inScope(kind, scope === 'global' ? 'global' : 'regional'), name: String(body['name']), body });
    }
  }
  const endpoints = new Map<string, Resource[]>();
  const instances = new Map<string, string[]>();
  await Promise.all([
    ...zonal(negs)
      .filter(({ body }) => ours(body))
      .map(async ({ zone, body }) => {
        const name = String(body['name']);
        resources.push({ kind: 'networkEndpointGroup', zone, name, body });
        endpoints.set(`${zone}/${name}`, await api.networkEndpoints(zone, name));
      }),
    ...zonal(groups)
      .filter(({ body }) => ours(body))
      .map(async ({ zone, body }) => {
        const name = String(body['name']);
        resources.push({ kind: 'instanceGroup', zone, name, body });
        instances.set(`${zone}/${name}`, await api.groupInstances(zone, name));
      }),
  ]);
  resources.sort((a, b) => `${a.kind}/${a.zone ?? ''}/${a.name}`.localeCompare(`${b.kind}/${b.zone ?? ''}/${b.name}`));
  return { stackId, resources, endpoints, instances, environment };
}

function zonal(items: readonly AggregatedItem[]): { zone: string; body: Resource }[] {
  return items.flatMap((item) => (item.scope === 'zone' ? [{ zone: item.zone, body: item.body }] : []));
}

/** The VPC, the subnetwork for internal addresses and the region's active proxy-only subnet in that VPC. */
export async function observeEnvironment(context: ObserveContext): Promise<Environment> {
  const { api } = context;
  const network = `projects/${api.project}/global/networks/${context.network}`;
  const subnets = await api.list('subnetwork');
  const partial = (value: unknown): string => String(value).replace(/^https:\/\/www\.googleapis\.com\/compute\/v1\//, '');
  const inNetwork = subnets.filter((subnet) => partial(subnet['network']) === network);
  const proxy = inNetwork.find((subnet) => subnet['purpose'] === 'REGIONAL_MANAGED_PROXY' && subnet['role'] === 'ACTIVE');
  const subnetwork = inNetwork.find((subnet) => subnet['name'] === context.subnetwork);
  return {
    // A subnet in the VPC proves the VPC exists without a read of the network itself.
    ...(inNetwork.length > 0 && { network }),
    ...(subnetwork && { subnetwork: partial(subnetwork['selfLink']) }),
    ...(proxy && { proxySubnetCidr: String(proxy['ipCidrRange']) }),
  };
}
