/**
 * The subnets a load balancer is placed in: the ones the Ingress names (subnet IDs or Name tags), or
 * the ones tagged for load balancers, found as aws-load-balancer-controller finds them
 * (docs/deploy/subnet_discovery.md):
 * - role: `kubernetes.io/role/elb` (internet-facing) or `kubernetes.io/role/internal-elb` (internal),
 *   value `1` or empty;
 * - cluster: a subnet tagged `kubernetes.io/cluster/<name>` only for other clusters is not ours; one
 *   with no cluster tag at all is shared by everyone;
 * - at least 8 free addresses, which an ALB needs to scale;
 * - one subnet per Availability Zone (one tagged for our cluster first, then the lowest ID), at least
 *   two zones, all in one VPC.
 * Answers are cached for a few minutes per selection and scheme: subnets change far more rarely than
 * reconciles run.
 * @module
 */
import type { DescribeSubnetsCommandInput, Subnet } from '@aws-sdk/client-ec2';
import type { Scheme, SubnetSelection } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import { cachePerOwner, EC2_PAGE_SIZE, type Now } from './lookup-cache.js';
import { ec2Sdk } from '../sdk/ec2.js';

const { paginateDescribeSubnets } = ec2Sdk;

export type SubnetResolution = { ok: true; subnetIds: string[]; vpcId: string } | { ok: false; message: string };

export interface SubnetLookupOptions {
  now?: Now;
}

const ROLE_TAG: Record<Scheme, string> = {
  'internet-facing': 'kubernetes.io/role/elb',
  internal: 'kubernetes.io/role/internal-elb',
};
/** EKS's tag on what belongs to a cluster (subnets, node and pod security groups): the key names the cluster. */
export const CLUSTER_TAG_PREFIX = 'kubernetes.io/cluster/';
const MIN_FREE_ADDRESSES = 8;
const MIN_ZONES = 2;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;

const subnetCache = cachePerOwner<SubnetResolution>(5 * 60_000);

export function resolveSubnets(
  clients: AwsClients,
  selection: SubnetSelection,
  scheme: Scheme,
  clusterName: string,
  options: SubnetLookupOptions = {},
): Promise<SubnetResolution> {
  const key = JSON.stringify([selection, scheme, clusterName]);
  const load = (): Promise<SubnetResolution> =>
    selection.kind === 'ids' ? namedSubnets(clients, selection.ids) : discoverSubnets(clients, scheme, clusterName);
  return subnetCache(clients).get(key, load, { ...options, keep: (resolution) => resolution.ok });
}

async function namedSubnets(clients: AwsClients, names: readonly string[]): Promise<SubnetResolution> {
  const ids = names.filter((name) => SUBNET_ID.test(name));
  const tagNames = names.filter((name) => !SUBNET_ID.test(name));
  const found: Subnet[] = [];
  if (ids.length > 0) found.push(...(await describeSubnets(clients, { Filters: [{ Name: 'subnet-id', Values: ids }] })));
  if (tagNames.length > 0) found.push(...(await describeSubnets(clients, { Filters: [{ Name: 'tag:Name', Values: tagNames }] })));

  const missing = names.filter((name) => !found.some((subnet) => subnet.SubnetId === name || nameTag(subnet) === name));
  if (missing.length > 0) return { ok: false, message: `no subnet has the ID or Name tag ${missing.join(', ')}` };
  const ambiguous = tagNames.filter((name) => found.filter((subnet) => nameTag(subnet) === name).length > 1);
  if (ambiguous.length > 0) return { ok: false, message: `more than one subnet has the Name tag ${ambiguous.join(', ')}; name them by subnet ID` };

  const subnets = uniqueById(found);
  const vpcs = vpcsOf(subnets);
  if (vpcs.size > 1) return { ok: false, message: `the subnets are in more than one VPC (${describeVpcs(vpcs)}); a load balancer lives in one` };
  const byZone = groupByZone(subnets);
  const crowded = [...byZone.entries()].filter(([, inZone]) => inZone.length > 1);
  if (crowded.length > 0) {
    const [zone, inZone] = crowded[0] as [string, Subnet[]];
    return { ok: false, message: `subnets ${idsOf(inZone).join(', ')} are all in ${zone}; a load balancer takes one subnet per Availability Zone` };
  }
  if (byZone.size < MIN_ZONES) {
    return {
      ok: false,
      message: `the subnets ${idsOf(subnets).join(', ')} cover ${byZone.size} Availability Zone; a load balancer needs subnets in at least ${MIN_ZONES}`,
    };
  }
  return { ok: true, subnetIds: idsOf(subnets), vpcId: [...vpcs.keys()][0] as string };
}

async function discoverSubnets(clients: AwsClients, scheme: Scheme, clusterName: string): Promise<SubnetResolution> {
  const roleTag = ROLE_TAG[scheme];
  const ourClusterTag = `${CLUSTER_TAG_PREFIX}${clusterName}`;
  const lookedFor = `subnets tagged ${roleTag} (value 1 or empty) and ${ourClusterTag} (owned or shared) or no kubernetes.io/cluster tag`;
  const tagged = (await describeSubnets(clients, { Filters: [{ Name: 'tag-key', Values: [roleTag] }] })).filter((subnet) =>
    ['1', ''].includes(tagValue(subnet, roleTag) ?? '-'),
  );
  const otherClusters = tagged.filter((subnet) => !availableToCluster(subnet, clusterName));
  const full = tagged.filter(
    (subnet) => availableToCluster(subnet, clusterName) && (subnet.AvailableIpAddressCount ?? MIN_FREE_ADDRESSES) < MIN_FREE_ADDRESSES,
  );
  const eligible = tagged.filter((subnet) => !otherClusters.includes(subnet) && !full.includes(subnet));

  const vpcs = vpcsOf(eligible);
  const vpcId = chooseVpc(vpcs, ourClusterTag);
  if (vpcId === undefined && vpcs.size > 1) {
    return {
      ok: false,
      message: `${lookedFor} are in more than one VPC (${describeVpcs(vpcs)}); tag subnets of one VPC only, or name the subnets with the subnets annotation`,
    };
  }
  const picked = [...groupByZone(vpcId === undefined ? [] : (vpcs.get(vpcId) ?? [])).values()].map(
    (inZone) => [...inZone].sort(preferCluster(ourClusterTag))[0] as Subnet,
  );
  if (vpcId === undefined || picked.length < MIN_ZONES) {
    const excluded = [
      otherClusters.length > 0 ? `${otherClusters.length} left out as tagged for another cluster only` : '',
      full.length > 0 ? `${full.length} left out with fewer than ${MIN_FREE_ADDRESSES} free addresses` : '',
    ].filter(Boolean);
    return {
      ok: false,
      message:
        `found ${lookedFor} in ${picked.length} Availability Zone${picked.length === 1 ? '' : 's'}${excluded.length > 0 ? ` (${excluded.join('; ')})` : ''}; ` +
        `a load balancer needs them in at least ${MIN_ZONES}: tag subnets in more zones, or name the subnets with the subnets annotation`,
    };
  }
  return { ok: true, subnetIds: idsOf(picked), vpcId };
}

async function describeSubnets(clients: AwsClients, input: DescribeSubnetsCommandInput): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  for await (const page of paginateDescribeSubnets({ client: clients.ec2, pageSize: EC2_PAGE_SIZE }, input)) subnets.push(...(page.Subnets ?? []));
  return subnets;
}

/** Untagged for any cluster, or tagged for ours. */
function availableToCluster(subnet: Subnet, clusterName: string): boolean {
  const clusterTags = (subnet.Tags ?? []).filter((tag) => tag.Key?.startsWith(CLUSTER_TAG_PREFIX));
  return clusterTags.length === 0 || clusterTags.some((tag) => tag.Key === `${CLUSTER_TAG_PREFIX}${clusterName}`);
}

/** The only VPC, or the only one with a subnet tagged for our cluster. */
function chooseVpc(vpcs: Map<string, Subnet[]>, ourClusterTag: string): string | undefined {
  if (vpcs.size <= 1) return [...vpcs.keys()][0];
  const ours = [...vpcs.entries()].filter(([, subnets]) => subnets.some((subnet) => tagValue(subnet, ourClusterTag) !== undefined));
  return ours.length === 1 ? ours[0]?.[0] : undefined;
}

function preferCluster(ourClusterTag: string): (a: Subnet, b: Subnet) => number {
  const rank = (subnet: Subnet): number => (tagValue(subnet, ourClusterTag) !== undefined ? 0 : 1);
  return (a, b) => rank(a) - rank(b) || compare(a.SubnetId ?? '', b.SubnetId ?? '');
}

function groupByZone(subnets: readonly Subnet[]): Map<string, Subnet[]> {
  return groupBy(subnets, (subnet) => subnet.AvailabilityZone ?? subnet.AvailabilityZoneId ?? '');
}

function vpcsOf(subnets: readonly Subnet[]): Map<string, Subnet[]> {
  return groupBy(subnets, (subnet) => subnet.VpcId ?? '');
}

function groupBy(subnets: readonly Subnet[], keyOf: (subnet: Subnet) => string): Map<string, Subnet[]> {
  const groups = new Map<string, Subnet[]>();
  for (const subnet of subnets) groups.set(keyOf(subnet), [...(groups.get(keyOf(subnet)) ?? []), subnet]);
  return groups;
}

function describeVpcs(vpcs: Map<string, Subnet[]>): string {
  return [...vpcs.entries()].map(([vpcId, subnets]) => `${vpcId}: ${idsOf(subnets).join(', ')}`).join('; ');
}

function uniqueById(subnets: readonly Subnet[]): Subnet[] {
  return [...new Map(subnets.map((subnet) => [subnet.SubnetId, subnet])).values()];
}

function idsOf(subnets: readonly Subnet[]): string[] {
  return subnets.map((subnet) => subnet.SubnetId ?? '').sort(compare);
}

function tagValue(subnet: Subnet, key: string): string | undefined {
  return subnet.Tags?.find((tag) => tag.Key === key)?.Value;
}

function nameTag(subnet: Subnet): string | undefined {
  return tagValue(subnet, 'Name');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
