/**
 * Security-group permissions broken into grants — one protocol, one port range, one source — so two
 * rule sets compare grant by grant however EC2 happens to group them, and only the difference is
 * authorized or revoked.
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';

export type GrantSource =
  { kind: 'ipv4'; cidr: string } | { kind: 'ipv6'; cidr: string } | { kind: 'group'; groupId: string } | { kind: 'prefix-list'; prefixListId: string };

export interface Grant {
  protocol: string;
  fromPort: number;
  toPort: number;
  source: GrantSource;
}

export function grantKey(grant: Grant): string {
  const { source } = grant;
  const from = source.kind === 'group' ? source.groupId : source.kind === 'prefix-list' ? source.prefixListId : source.cidr.toLowerCase();
  return `${grant.protocol}|${grant.fromPort}|${grant.toPort}|${source.kind}|${from}`;
}

export function grantsOf(permission: IpPermission): Grant[] {
  const base = { protocol: permission.IpProtocol ?? '-1', fromPort: permission.FromPort ?? -1, toPort: permission.ToPort ?? -1 };
  return [
    ...(permission.IpRanges ?? []).map((range) => ({ ...base, source: { kind: 'ipv4', cidr: range.CidrIp ?? '' } as const })),
    ...(permission.Ipv6Ranges ?? []).map((range) => ({ ...base, source: { kind: 'ipv6', cidr: range.CidrIpv6 ?? '' } as const })),
    ...(permission.UserIdGroupPairs ?? []).map((pair) => ({ ...base, source: { kind: 'group', groupId: pair.GroupId ?? '' } as const })),
    ...(permission.PrefixListIds ?? []).map((list) => ({ ...base, source: { kind: 'prefix-list', prefixListId: list.PrefixListId ?? '' } as const })),
  ];
}

/** Grants back into IpPermissions, one per protocol and port range, in a stable order. */
export function toIpPermissions(grants: readonly Grant[]): IpPermission[] {
  const byPorts = new Map<string, IpPermission>();
  for (const grant of [...grants].sort((a, b) => compare(grantKey(a), grantKey(b)))) {
    const portsKey = `${grant.protocol}|${grant.fromPort}|${grant.toPort}`;
    const permission = byPorts.get(portsKey) ?? { IpProtocol: grant.protocol, FromPort: grant.fromPort, ToPort: grant.toPort };
    byPorts.set(portsKey, permission);
    const { source } = grant;
    if (source.kind === 'ipv4') permission.IpRanges = [...(permission.IpRanges ?? []), { CidrIp: source.cidr }];
    else if (source.kind === 'ipv6') permission.Ipv6Ranges = [...(permission.Ipv6Ranges ?? []), { CidrIpv6: source.cidr }];
    else if (source.kind === 'group') permission.UserIdGroupPairs = [...(permission.UserIdGroupPairs ?? []), { GroupId: source.groupId }];
    else permission.PrefixListIds = [...(permission.PrefixListIds ?? []), { PrefixListId: source.prefixListId }];
  }
  return [...byPorts.values()];
}

/** A rule as DescribeSecurityGroupRules reports it, as the permission that grants it. */
export function permissionOfRule(rule: SecurityGroupRule): IpPermission {
  const permission: IpPermission = { IpProtocol: rule.IpProtocol ?? '-1', FromPort: rule.FromPort ?? -1, ToPort: rule.ToPort ?? -1 };
  if (rule.CidrIpv4 !== undefined) permission.IpRanges = [{ CidrIp: rule.CidrIpv4 }];
  if (rule.CidrIpv6 !== undefined) permission.Ipv6Ranges = [{ CidrIpv6: rule.CidrIpv6 }];
  if (rule.ReferencedGroupInfo?.GroupId !== undefined) permission.UserIdGroupPairs = [{ GroupId: rule.ReferencedGroupInfo.GroupId }];
  if (rule.PrefixListId !== undefined) permission.PrefixListIds = [{ PrefixListId: rule.PrefixListId }];
  return permission;
}

/** CIDRs with a `:` are IPv6. */
export function cidrSource(cidr: string): GrantSource {
  return cidr.includes(':') ? { kind: 'ipv6', cidr } : { kind: 'ipv4', cidr };
}

/** Sorted, distinct ports as the fewest inclusive ranges (a rule costs quota; 60 inbound per group by default). */
export function portRanges(ports: Iterable<number>): [number, number][] {
  const ranges: [number, number][] = [];
  for (const port of [...new Set(ports)].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && port === last[1] + 1) last[1] = port;
    else ranges.push([port, port]);
  }
  return ranges;
}

/** Every port the load balancer sends to: target ports, and health-check ports given as numbers. */
export function targetPorts(spec: LoadBalancerSpec): number[] {
  return spec.targetGroups
    .filter((group) => group.targets.length > 0)
    .flatMap((group) => [...group.targets.map((target) => target.port), ...(typeof group.healthCheck.port === 'number' ? [group.healthCheck.port] : [])]);
}

/** Plain code-unit order, so ids sort the same on every machine whatever its locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
