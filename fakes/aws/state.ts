/**
 * The fake's whole world as plain data in Maps, shared by every service module. Records keep only
 * what the fake needs to answer like AWS; SDK-shaped answers are built from them on each call, so a
 * caller can never mutate state through a returned object.
 * @module
 */
import type {
  Action,
  IpAddressType,
  LoadBalancerSchemeEnum,
  Matcher,
  MutualAuthenticationAttributes,
  ProtocolEnum,
  RuleCondition,
  RuleTransform,
  TargetGroupIpAddressTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CertificateStatus, KeyAlgorithm } from '@aws-sdk/client-acm';
import { IdSource } from './arns.js';

export interface FakeClock {
  /** Milliseconds; only differences matter. */
  now(): number;
}

export interface FakeLimits {
  rulesPerLoadBalancer: number;
  certificatesPerListener: number;
  targetsPerTargetGroup: number;
  /** DescribeTargetHealth calls (while the group is in use) a target reports `initial` before `healthy`. */
  targetsHealthyAfterDescribes: number;
  /** How long a deregistered target reports `draining`; 0 removes it at once. */
  drainingMs: number;
  /** Caps every page the fake returns, below each API's own maximum, so callers must follow tokens. */
  maxPageSize: number | undefined;
}

export interface VpcRecord {
  id: string;
  cidr: string;
}
export interface SubnetRecord {
  id: string;
  vpcId: string;
  az: string;
  cidr: string;
}
export interface SecurityGroupRecord {
  id: string;
  name: string;
  description: string;
  vpcId: string;
}

/** One EC2 security-group rule: a single source (CIDR, IPv6 CIDR, group or prefix list). */
export interface SecurityGroupRuleRecord {
  id: string;
  groupId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface InstanceRecord {
  id: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  securityGroupIds: string[];
  networkInterfaceId: string;
}

export interface NetworkInterfaceRecord {
  id: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  securityGroupIds: string[];
  instanceId?: string;
}

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  dnsName: string;
  scheme: LoadBalancerSchemeEnum;
  ipAddressType: IpAddressType;
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  createdTime: Date;
  /** Only attributes set through ModifyLoadBalancerAttributes; the rest read as their defaults. */
  attributes: Record<string, string>;
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  sslPolicy?: string;
  defaultCertificateArn?: string;
  /** Certificates added with AddListenerCertificates, besides the default. */
  extraCertificateArns: string[];
  defaultActions: Action[];
  /** The listener's default rule: DescribeRules lists it, nothing may modify or delete it. */
  defaultRuleArn: string;
  /** HTTPS only; undefined reads as mode off. */
  mutualAuthentication?: MutualAuthenticationAttributes;
  /** Only attributes set through ModifyListenerAttributes; the rest read as their defaults. */
  attributes: Record<string, string>;
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  transforms: RuleTransform[];
}

export interface HealthCheckRecord {
  enabled: boolean;
  protocol: ProtocolEnum;
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: Matcher;
}

export interface TargetRecord {
  id: string;
  port: number;
  availabilityZone?: string;
  /** DescribeTargetHealth calls that saw this target while its group was in use. */
  healthDescribes: number;
  /** Set once deregistered; the target disappears when the clock passes it. */
  drainingUntil?: number;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: 'HTTP' | 'HTTPS';
  protocolVersion: string;
  port: number;
  vpcId: string;
  /** lambda: one function target, no protocol, port or VPC (those fields are unused). */
  targetType: 'instance' | 'ip' | 'lambda';
  ipAddressType: TargetGroupIpAddressTypeEnum;
  healthCheck: HealthCheckRecord;
  attributes: Record<string, string>;
  /** Keyed by `id:port`. */
  targets: Map<string, TargetRecord>;
}

export interface CertificateRecord {
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
  keyAlgorithm: KeyAlgorithm;
  notBefore: Date;
  notAfter: Date;
  status: CertificateStatus;
  serial: string;
  subject: string;
  issuer: string;
  createdAt: Date;
  importedAt: Date;
  /** 1 after the first import, +1 for every reimport by ARN. */
  importCount: number;
  certificatePem?: string;
  chainPem?: string;
}

/** A regional WAFv2 web ACL (seeded: the controller never creates one). */
export interface WebAclRecord {
  arn: string;
  name: string;
  id: string;
}

/** A Shield Advanced protection; tags live in `tags` under its ARN. */
export interface ProtectionRecord {
  id: string;
  arn: string;
  name: string;
  resourceArn: string;
}

/** An ELBv2 trust store (seeded: the controller never creates one). */
export interface TrustStoreRecord {
  arn: string;
  name: string;
}

export interface FakeState {
  region: string;
  accountId: string;
  limits: FakeLimits;
  clock: FakeClock;
  ids: IdSource;
  vpcs: Map<string, VpcRecord>;
  subnets: Map<string, SubnetRecord>;
  securityGroups: Map<string, SecurityGroupRecord>;
  securityGroupRules: Map<string, SecurityGroupRuleRecord>;
  instances: Map<string, InstanceRecord>;
  networkInterfaces: Map<string, NetworkInterfaceRecord>;
  loadBalancers: Map<string, LoadBalancerRecord>;
  listeners: Map<string, ListenerRecord>;
  rules: Map<string, RuleRecord>;
  targetGroups: Map<string, TargetGroupRecord>;
  certificates: Map<string, CertificateRecord>;
  webAcls: Map<string, WebAclRecord>;
  /** Resource ARN → web ACL ARN: at most one web ACL per resource. */
  webAclAssociations: Map<string, string>;
  /** By protection id. */
  protections: Map<string, ProtectionRecord>;
  trustStores: Map<string, TrustStoreRecord>;
  /**
   * Tags by ARN (ELBv2, ACM) or EC2 id. An entry outlives its last tag, as the Resource Groups
   * Tagging API still lists "previously tagged" resources; it goes with the resource.
   */
  tags: Map<string, Map<string, string>>;
  /** Health a test holds targets at, by target id (an address or instance id), whatever their checks say. */
  heldHealth: Map<string, HeldTargetHealth>;
  /** Lambda functions by unqualified ARN (lambda.ts); seeded, never created by the controller. */
  functions: Map<string, FunctionRecord>;
}

/** One statement of a Lambda function's resource-based policy, as GetPolicy returns it. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service?: string; AWS?: string };
  Action: string;
  Resource: string;
  Condition?: { ArnLike?: Record<string, string>; StringEquals?: Record<string, string> };
}

export interface FunctionRecord {
  name: string;
  arn: string;
  versions: Set<string>;
  aliases: Set<string>;
  /** Statements by qualifier ('' for the unqualified function): each has its own policy. */
  policies: Map<string, PolicyStatement[]>;
  /** The policy's RevisionId, bumped by every change. */
  revision: number;
}

/** The states a test can hold a registered, in-use target at (elbv2-targets.ts). */
export type HeldTargetHealth = 'initial' | 'unhealthy';

export function createState(options: { region: string; accountId: string; limits: FakeLimits; clock: FakeClock; idSeed: string }): FakeState {
  return {
    region: options.region,
    accountId: options.accountId,
    limits: options.limits,
    clock: options.clock,
    ids: new IdSource(options.idSeed),
    vpcs: new Map(),
    subnets: new Map(),
    securityGroups: new Map(),
    securityGroupRules: new Map(),
    instances: new Map(),
    networkInterfaces: new Map(),
    loadBalancers: new Map(),
    listeners: new Map(),
    rules: new Map(),
    targetGroups: new Map(),
    certificates: new Map(),
    webAcls: new Map(),
    webAclAssociations: new Map(),
    protections: new Map(),
    trustStores: new Map(),
    tags: new Map(),
    heldHealth: new Map(),
    functions: new Map(),
  };
}

/** The tags of a resource as a plain record (empty when it never had any). */
export function tagRecord(state: FakeState, key: string): Record<string, string> {
  return Object.fromEntries(state.tags.get(key) ?? []);
}

export function setTags(state: FakeState, key: string, tags: Iterable<readonly [string, string]>): void {
  const current = state.tags.get(key) ?? new Map<string, string>();
  for (const [tagKey, value] of tags) current.set(tagKey, value);
  state.tags.set(key, current);
}

/** One API action: reads or changes state and returns the SDK-shaped output (without $metadata). */
export type Handler = (state: FakeState, input: unknown) => object;

/**
 * Takes a handler typed by the SDK's input shape (any input type: `never` is assignable to each);
 * `send` only ever passes the command's own input.
 */
export function handler(fn: (state: FakeState, input: never) => object): Handler {
  return (state, input) => fn(state, input as never);
}
