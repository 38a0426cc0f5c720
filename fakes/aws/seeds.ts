/**
 * Puts resources into the fake without going through `send`, so they appear in no call log:
 * the network a cluster runs in, and "foreign" load balancers, target groups and certificates that
 * someone else created (untagged unless tags are given), for ownership and discovery tests.
 * ELBv2 seeds go through the same code as the API, so they obey the same rules.
 * @module
 */
import { functionArn } from './lambda.js';
import type { CertificateStatus, KeyAlgorithm } from '@aws-sdk/client-acm';
import { certificateArn, protectionArn, trustStoreArn, webAclArn } from './arns.js';
import { addSecurityGroup } from './ec2-security-groups.js';
import { createListener } from './elbv2-listeners.js';
import { createTargetGroup } from './elbv2-target-groups.js';
import { createLoadBalancer } from './elbv2.js';
import { addRules } from './ec2-sg-rules.js';
import { setTags, type FakeState } from './state.js';

type Tags = Readonly<Record<string, string>>;

const toPairs = (tags: Tags | undefined): [string, string][] => Object.entries(tags ?? {});

function tag(state: FakeState, key: string, tags: Tags | undefined): void {
  if (tags !== undefined) setTags(state, key, toPairs(tags));
}

/** The next free host address in a subnet: .10, .11, … of its /24 (or larger) block. */
function nextAddress(state: FakeState, subnetId: string): string {
  const subnet = state.subnets.get(subnetId);
  if (subnet === undefined) throw new Error(`seed: subnet ${subnetId} does not exist`);
  const used = [...state.networkInterfaces.values()].filter((eni) => eni.subnetId === subnetId).length;
  const [a, b, c] = (subnet.cidr.split('/')[0] ?? '10.0.0.0').split('.');
  return `${a}.${b}.${c}.${10 + used}`;
}

export interface Seeds {
  /** A VPC with its `default` security group, as EC2 creates one. */
  vpc(fields: { id: string; cidr?: string; tags?: Tags }): string;
  subnet(fields: { id: string; az: string; vpcId: string; cidr?: string; tags?: Tags }): string;
  securityGroup(fields: { id?: string; name: string; vpcId: string; description?: string; tags?: Tags }): string;
  /** An instance with its primary network interface; the address defaults to the subnet's next one. */
  instance(fields: { id: string; securityGroupIds: string[]; subnetId?: string; privateIp?: string; tags?: Tags }): string;
  networkInterface(fields: { id?: string; privateIp: string; securityGroupIds: string[]; subnetId?: string; tags?: Tags }): string;
  loadBalancer(fields: { name: string; subnetIds?: string[]; scheme?: 'internet-facing' | 'internal'; securityGroupIds?: string[]; tags?: Tags }): string;
  targetGroup(fields: { name: string; vpcId?: string; port?: number; targetType?: 'instance' | 'ip'; tags?: Tags }): string;
  listener(fields: { loadBalancerArn: string; port: number; targetGroupArn?: string; tags?: Tags }): string;
  certificate(fields: {
    domainName: string;
    subjectAlternativeNames?: string[];
    keyAlgorithm?: KeyAlgorithm;
    status?: CertificateStatus;
    notAfter?: Date;
    tags?: Tags;
  }): string;
  /** A regional WAFv2 web ACL, optionally associated with a load balancer (as Firewall Manager would). */
  webAcl(fields: { name: string; associateWith?: string }): string;
  /** A Shield protection someone else made for a resource. */
  shieldProtection(fields: { resourceArn: string; name?: string; tags?: Tags }): string;
  trustStore(fields: { name: string }): string;
  /** A Lambda function (with these published versions and aliases); its unqualified ARN. */
  lambdaFunction(fields: { name: string; versions?: string[]; aliases?: string[]; tags?: Tags }): string;
}

export function createSeeds(state: FakeState): Seeds {
  const firstSubnet = (): string => {
    const subnet = [...state.subnets.values()][0];
    if (subnet === undefined) throw new Error('seed: add a subnet first');
    return subnet.id;
  };
  const subnetsInDistinctZones = (): string[] => {
    const byZone = new Map<string, string>();
    for (const subnet of state.subnets.values()) if (!byZone.has(subnet.az)) byZone.set(subnet.az, subnet.id);
    return [...byZone.values()];
  };
  return {
    vpc({ id, cidr = '10.0.0.0/16', tags }) {
      state.vpcs.set(id, { id, cidr });
      tag(state, id, tags);
      const group = addSecurityGroup(state, { name: 'default', description: 'default VPC security group', vpcId: id });
      addRules(state, [{ groupId: group.id, isEgress: false, ipProtocol: '-1', fromPort: -1, toPort: -1, referencedGroupId: group.id }]);
      return id;
    },
    subnet({ id, az, vpcId, cidr, tags }) {
      if (!state.vpcs.has(vpcId)) throw new Error(`seed: VPC ${vpcId} does not exist`);
      const index = [...state.subnets.values()].filter((subnet) => subnet.vpcId === vpcId).length;
      state.subnets.set(id, { id, az, vpcId, cidr: cidr ?? `10.0.${index}.0/24` });
      tag(state, id, tags);
      return id;
    },
    securityGroup({ id, name, vpcId, description, tags }) {
      return addSecurityGroup(state, { ...(id === undefined ? {} : { id }), name, description: description ?? name, vpcId, tags: toPairs(tags) }).id;
    },
    instance({ id, securityGroupIds, subnetId = firstSubnet(), privateIp, tags }) {
      const vpcId = state.subnets.get(subnetId)?.vpcId ?? '';
      const address = privateIp ?? nextAddress(state, subnetId);
      const networkInterfaceId = state.ids.ec2('eni');
      state.networkInterfaces.set(networkInterfaceId, { id: networkInterfaceId, vpcId, subnetId, privateIp: address, securityGroupIds, instanceId: id });
      state.instances.set(id, { id, vpcId, subnetId, privateIp: address, securityGroupIds: [...securityGroupIds], networkInterfaceId });
      tag(state, id, tags);
      return id;
    },
    networkInterface({ id = state.ids.ec2('eni'), privateIp, securityGroupIds, subnetId = firstSubnet(), tags }) {
      const vpcId = state.subnets.get(subnetId)?.vpcId ?? '';
      state.networkInterfaces.set(id, { id, vpcId, subnetId, privateIp, securityGroupIds: [...securityGroupIds] });
      tag(state, id, tags);
      return id;
    },
    loadBalancer({ name, subnetIds = subnetsInDistinctZones(), scheme, securityGroupIds, tags }) {
      const created = createLoadBalancer(state, {
        Name: name,
        Subnets: subnetIds,
        Scheme: scheme,
        SecurityGroups: securityGroupIds,
        Tags: toPairs(tags).map(([Key, Value]) => ({ Key, Value })),
      });
      return created.LoadBalancers[0]?.LoadBalancerArn ?? '';
    },
    targetGroup({ name, vpcId = [...state.vpcs.keys()][0], port = 80, targetType = 'instance', tags }) {
      const created = createTargetGroup(state, {
        Name: name,
        Protocol: 'HTTP',
        Port: port,
        VpcId: vpcId,
        TargetType: targetType,
        Tags: toPairs(tags).map(([Key, Value]) => ({ Key, Value })),
      });
      return created.TargetGroups[0]?.TargetGroupArn ?? '';
    },
    listener({ loadBalancerArn, port, targetGroupArn, tags }) {
      const defaultActions = targetGroupArn
        ? [{ Type: 'forward' as const, TargetGroupArn: targetGroupArn }]
        : [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];
      const created = createListener(state, {
        LoadBalancerArn: loadBalancerArn,
        Port: port,
        Protocol: 'HTTP',
        DefaultActions: defaultActions,
        Tags: toPairs(tags).map(([Key, Value]) => ({ Key, Value })),
      });
      return created.Listeners[0]?.ListenerArn ?? '';
    },
    certificate({ domainName, subjectAlternativeNames = [domainName], keyAlgorithm = 'RSA_2048', status = 'ISSUED', notAfter, tags }) {
      const arn = certificateArn(state, state.ids.uuid());
      const now = new Date();
      state.certificates.set(arn, {
        arn,
        domainName,
        subjectAlternativeNames,
        keyAlgorithm,
        status,
        notBefore: now,
        notAfter: notAfter ?? new Date(now.getTime() + 365 * 24 * 3600 * 1000),
        serial: state.ids.hex(32).replace(/(..)(?!$)/g, '$1:'),
        subject: `CN=${domainName}`,
        issuer: 'CN=Foreign CA',
        createdAt: now,
        importedAt: now,
        importCount: 1,
      });
      tag(state, arn, tags);
      return arn;
    },
    webAcl({ name, associateWith }) {
      const id = state.ids.uuid();
      const arn = webAclArn(state, name, id);
      state.webAcls.set(arn, { arn, name, id });
      if (associateWith !== undefined) state.webAclAssociations.set(associateWith, arn);
      return arn;
    },
    shieldProtection({ resourceArn, name = 'FMManagedShieldProtection', tags }) {
      const id = state.ids.uuid();
      const arn = protectionArn(state, id);
      state.protections.set(id, { id, arn, name, resourceArn });
      tag(state, arn, tags);
      return id;
    },
    trustStore({ name }) {
      const arn = trustStoreArn(state, name, state.ids.hex(16));
      state.trustStores.set(arn, { arn, name });
      return arn;
    },
    lambdaFunction({ name, versions = [], aliases = [], tags }) {
      const arn = functionArn(state, name);
      state.functions.set(arn, { name, arn, versions: new Set(versions), aliases: new Set(aliases), policies: new Map(), revision: 1 });
      tag(state, arn, tags);
      return arn;
    },
  };
}
