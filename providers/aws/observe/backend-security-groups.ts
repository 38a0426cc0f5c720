/**
 * The security groups traffic from the load balancer meets at its targets, where the backend rules
 * go: for instance targets the groups of each node's primary network interface, for ip targets the
 * groups of the network interface holding each pod address.
 *
 * An interface with one group gets the rule in that group. With several, as
 * aws-load-balancer-controller does, the ones tagged `kubernetes.io/cluster/<any>` are chosen (the
 * cluster's node or pod group), or all of them when none is: a rule admitting only our load
 * balancer's group is harmless in any of them. Answers are cached for a few minutes per target set.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Filter, GroupIdentifier } from '@aws-sdk/client-ec2';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import { instanceIdFromProviderId } from '../plan/elbv2-shapes.js';
import { cachePerOwner, EC2_PAGE_SIZE, type Now } from './lookup-cache.js';
import { CLUSTER_TAG_PREFIX } from './subnets.js';
import { ec2Sdk } from '../sdk/ec2.js';

const { paginateDescribeInstances, paginateDescribeNetworkInterfaces, paginateDescribeSecurityGroups } = ec2Sdk;

/** EC2 takes at most 200 values per filter. */
const FILTER_VALUES = 200;
const groupsCache = cachePerOwner<string[]>(5 * 60_000);

export async function backendSecurityGroupIds(clients: AwsClients, spec: LoadBalancerSpec, options: { now?: Now } = {}): Promise<string[]> {
  const targets = (type: 'instance' | 'ip'): string[] =>
    [
      ...new Set(
        spec.targetGroups
          .filter((group) => group.targetType === type)
          .flatMap((group) => group.targets.map((target) => (type === 'instance' ? instanceIdFromProviderId(target.id) : target.ip))),
      ),
    ].sort();
  const instanceIds = targets('instance').filter((id) => id.startsWith('i-'));
  const ips = targets('ip');
  if (instanceIds.length === 0 && ips.length === 0) return [];
  const key = createHash('sha256')
    .update(JSON.stringify([instanceIds, ips]))
    .digest('hex');
  return groupsCache(clients).get(
    key,
    async () => {
      const interfaces = [...(await instanceInterfaceGroups(clients, instanceIds)), ...(await podInterfaceGroups(clients, ips))];
      return chooseGroups(clients, interfaces);
    },
    options,
  );
}

/** The groups of each instance's primary interface (device index 0). */
async function instanceInterfaceGroups(clients: AwsClients, instanceIds: readonly string[]): Promise<GroupIdentifier[][]> {
  const groups: GroupIdentifier[][] = [];
  for (const filters of chunkedFilters('instance-id', instanceIds)) {
    for await (const page of paginateDescribeInstances({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: filters })) {
      for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
        const primary = instance.NetworkInterfaces?.find((networkInterface) => networkInterface.Attachment?.DeviceIndex === 0);
        groups.push(primary?.Groups ?? instance.SecurityGroups ?? []);
      }
    }
  }
  return groups;
}

async function podInterfaceGroups(clients: AwsClients, ips: readonly string[]): Promise<GroupIdentifier[][]> {
  const groups: GroupIdentifier[][] = [];
  const lookups = [
    ...chunkedFilters(
      'addresses.private-ip-address',
      ips.filter((ip) => !ip.includes(':')),
    ),
    ...chunkedFilters(
      'ipv6-addresses.ipv6-address',
      ips.filter((ip) => ip.includes(':')),
    ),
  ];
  for (const filters of lookups) {
    for await (const page of paginateDescribeNetworkInterfaces({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: filters })) {
      for (const networkInterface of page.NetworkInterfaces ?? []) groups.push(networkInterface.Groups ?? []);
    }
  }
  return groups;
}

async function chooseGroups(clients: AwsClients, interfaces: readonly GroupIdentifier[][]): Promise<string[]> {
  const idsOf = (groups: readonly GroupIdentifier[]): string[] => groups.flatMap((group) => (group.GroupId ? [group.GroupId] : []));
  const ambiguous = [...new Set(interfaces.filter((groups) => groups.length > 1).flatMap(idsOf))];
  const clusterGroups = await clusterTaggedGroups(clients, ambiguous);
  const chosen = interfaces.flatMap((groups) => {
    const ids = idsOf(groups);
    if (ids.length <= 1) return ids;
    const tagged = ids.filter((id) => clusterGroups.has(id));
    return tagged.length > 0 ? tagged : ids;
  });
  return [...new Set(chosen)].sort();
}

async function clusterTaggedGroups(clients: AwsClients, groupIds: readonly string[]): Promise<Set<string>> {
  const tagged = new Set<string>();
  for (const filters of chunkedFilters('group-id', groupIds)) {
    for await (const page of paginateDescribeSecurityGroups({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, { Filters: filters })) {
      for (const group of page.SecurityGroups ?? []) {
        if (group.GroupId && group.Tags?.some((tag) => tag.Key?.startsWith(CLUSTER_TAG_PREFIX))) tagged.add(group.GroupId);
      }
    }
  }
  return tagged;
}

function chunkedFilters(name: string, values: readonly string[]): Filter[][] {
  const chunks: Filter[][] = [];
  for (let start = 0; start < values.length; start += FILTER_VALUES) chunks.push([{ Name: name, Values: values.slice(start, start + FILTER_VALUES) }]);
  return chunks;
}
