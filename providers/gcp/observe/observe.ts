/**
 * Reads one stack's resources: one list per regional collection and for firewalls, one aggregated
 * list per zonal collection (every zone in one read), each filtered by the stack's name prefix, and
 * then only what carries our ownership record for this cluster and stack is kept. Network endpoints
 * and instance-group members are read per group found. The VPC and the proxy-only subnet are read
 * once per provider: they are not ours and rarely change.
 * @module
 */
import type { ComputeApi } from '../sdk/compute.js';
import { KINDS, type Kind, type Located, type Resource } from '../kinds.js';
import { readOwnership, stackNamePattern } from '../plan/names.js';
import type { Environment, GcpObserved } from './observed.js';

const REGIONAL_AND_GLOBAL: readonly Kind[] = [
  'address',
  'forwardingRule',
  'targetHttpProxy',
  'targetHttpsProxy',
  'urlMap',
  'backendService',
  'healthCheck',
  'sslCertificate',
  'firewall',
];

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
  const lists = await Promise.all(REGIONAL_AND_GLOBAL.map(async (kind) => ({ kind, items: await api.list(KINDS[kind], pattern) })));
  for (const { kind, items } of lists) {
    for (const body of items.filter(ours)) resources.push({ kind, name: String(body['name']), body });
  }
  const [negs, groups] = await Promise.all([api.aggregatedList(KINDS.networkEndpointGroup, pattern), api.aggregatedList(KINDS.instanceGroup, pattern)]);
  const endpoints = new Map<string, Resource[]>();
  const instances = new Map<string, string[]>();
  await Promise.all([
    ...negs
      .filter(({ body }) => ours(body))
      .map(async ({ zone, body }) => {
        const name = String(body['name']);
        resources.push({ kind: 'networkEndpointGroup', zone, name, body });
        endpoints.set(`${zone}/${name}`, await api.networkEndpoints(zone, name));
      }),
    ...groups
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
