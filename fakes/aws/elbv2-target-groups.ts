/**
 * ELBv2 target groups for ALBs (HTTP/HTTPS, instance or ip targets): create (idempotent for
 * identical settings), describe, modify health checks and attributes, delete unless in use.
 * @module
 */
import type {
  CreateTargetGroupInput,
  DeleteTargetGroupInput,
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupsInput,
  Matcher,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupInput,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { targetGroupArn } from './arns.js';
import { checkAttributes, describeAttributes } from './elbv2-attributes.js';
import { checkResourceName, checkTags, elbv2Page, loadBalancersUsing, requireLoadBalancer, requireTargetGroup, selectByArnsOrNames } from './elbv2-common.js';
import { elbv2Error, unsupportedAction } from './errors.js';
import { handler, setTags, type FakeState, type Handler, type HealthCheckRecord, type TargetGroupRecord } from './state.js';

const TARGET_GROUPS_PER_REGION = 3000;

/** What CreateTargetGroup sets, compared when a group of the same name exists. */
type TargetGroupSettings = Omit<TargetGroupRecord, 'arn' | 'name' | 'attributes' | 'targets'>;

type HealthCheckInput = Pick<
  CreateTargetGroupInput,
  | 'HealthCheckEnabled'
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>;

function describeTargetGroup(state: FakeState, group: TargetGroupRecord): TargetGroup {
  const check = group.healthCheck;
  // A function's target group has no protocol, port, VPC or protocol version, and Describe shows none.
  if (group.targetType === 'lambda') {
    return {
      TargetGroupArn: group.arn,
      TargetGroupName: group.name,
      HealthCheckEnabled: check.enabled,
      HealthCheckIntervalSeconds: check.intervalSeconds,
      HealthCheckTimeoutSeconds: check.timeoutSeconds,
      HealthyThresholdCount: check.healthyThresholdCount,
      UnhealthyThresholdCount: check.unhealthyThresholdCount,
      HealthCheckPath: check.path,
      Matcher: { ...check.matcher },
      LoadBalancerArns: loadBalancersUsing(state, group.arn),
      TargetType: 'lambda',
    };
  }
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: check.protocol,
    HealthCheckPort: check.port,
    HealthCheckEnabled: check.enabled,
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThresholdCount,
    UnhealthyThresholdCount: check.unhealthyThresholdCount,
    HealthCheckPath: check.path,
    Matcher: { ...check.matcher },
    LoadBalancerArns: loadBalancersUsing(state, group.arn),
    TargetType: group.targetType,
    ProtocolVersion: group.protocolVersion,
    IpAddressType: group.ipAddressType,
  };
}

function inRange(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw elbv2Error('ValidationError', `${field} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Applies a request's health-check fields over a base (the defaults, or the group's current check). */
function healthCheckFrom(input: HealthCheckInput, base: HealthCheckRecord): HealthCheckRecord {
  const protocol = input.HealthCheckProtocol ?? base.protocol;
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw elbv2Error('ValidationError', `Health check protocol '${protocol}' must be HTTP or HTTPS`);
  const port = input.HealthCheckPort ?? base.port;
  if (port !== 'traffic-port' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw elbv2Error('ValidationError', `Health check port '${port}' must be 'traffic-port' or a port number`);
  }
  const path = input.HealthCheckPath ?? base.path;
  if (!path.startsWith('/') || path.length > 1024)
    throw elbv2Error('ValidationError', `Health check path '${path}' must start with '/' and be at most 1024 characters`);
  const interval = inRange(input.HealthCheckIntervalSeconds ?? base.intervalSeconds, 5, 300, 'HealthCheckIntervalSeconds');
  const timeout = inRange(input.HealthCheckTimeoutSeconds ?? base.timeoutSeconds, 2, 120, 'HealthCheckTimeoutSeconds');
  if (timeout >= interval) throw elbv2Error('ValidationError', 'Health check timeout must be smaller than the interval');
  return {
    enabled: input.HealthCheckEnabled ?? base.enabled,
    protocol,
    port,
    path,
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    healthyThresholdCount: inRange(input.HealthyThresholdCount ?? base.healthyThresholdCount, 2, 10, 'HealthyThresholdCount'),
    unhealthyThresholdCount: inRange(input.UnhealthyThresholdCount ?? base.unhealthyThresholdCount, 2, 10, 'UnhealthyThresholdCount'),
    matcher: checkMatcher(input.Matcher ?? base.matcher),
  };
}

function checkMatcher(matcher: Matcher): Matcher {
  const code = matcher.HttpCode ?? matcher.GrpcCode ?? '';
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(code)) throw elbv2Error('ValidationError', `Matcher '${code}' is not a list or range of codes`);
  return matcher.HttpCode !== undefined ? { HttpCode: matcher.HttpCode } : { GrpcCode: matcher.GrpcCode };
}

function defaultHealthCheck(protocol: 'HTTP' | 'HTTPS', protocolVersion: string): HealthCheckRecord {
  const grpc = protocolVersion === 'GRPC';
  return {
    enabled: true,
    protocol,
    port: 'traffic-port',
    path: grpc ? '/AWS.ALB/healthcheck' : '/',
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: grpc ? { GrpcCode: '12' } : { HttpCode: '200' },
  };
}

export function createTargetGroup(state: FakeState, input: CreateTargetGroupInput): { TargetGroups: TargetGroup[] } {
  const name = checkResourceName(input.Name, 'target group');
  const targetType = input.TargetType ?? 'instance';
  if (targetType === 'lambda') return createLambdaTargetGroup(state, input, name);
  if (targetType !== 'instance' && targetType !== 'ip') throw unsupportedAction('elbv2', 'CreateTargetGroup', `TargetType ${targetType}`);
  const protocol = input.Protocol;
  if (protocol === undefined) throw elbv2Error('ValidationError', 'A protocol must be specified for instance and ip target groups');
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw unsupportedAction('elbv2', 'CreateTargetGroup', `Protocol ${protocol} (not an ALB protocol)`);
  const port = inRange(input.Port ?? 0, 1, 65535, 'Port');
  if (input.VpcId === undefined || !state.vpcs.has(input.VpcId)) throw elbv2Error('ValidationError', `The VPC ID '${input.VpcId ?? ''}' is not found`);
  const protocolVersion = input.ProtocolVersion ?? 'HTTP1';
  if (!['HTTP1', 'HTTP2', 'GRPC'].includes(protocolVersion)) throw elbv2Error('ValidationError', `Protocol version '${protocolVersion}' is not valid`);
  const ipAddressType = input.IpAddressType ?? 'ipv4';
  if (ipAddressType !== 'ipv4' && ipAddressType !== 'ipv6') throw elbv2Error('ValidationError', `IP address type '${String(ipAddressType)}' is not valid`);
  const healthCheck = healthCheckFrom(input, defaultHealthCheck(protocol, protocolVersion));
  const tags = checkTags(input.Tags);
  return createOrMatch(state, name, { protocol, protocolVersion, port, vpcId: input.VpcId, targetType, ipAddressType, healthCheck }, tags);
}

/**
 * TargetType lambda: Protocol, Port, VpcId and ProtocolVersion must be absent; health checks are off
 * unless HealthCheckEnabled (then HTTP on `/`, 35 s interval, 30 s timeout, 5 and 2 thresholds).
 */
function createLambdaTargetGroup(state: FakeState, input: CreateTargetGroupInput, name: string): { TargetGroups: TargetGroup[] } {
  for (const field of ['Protocol', 'Port', 'VpcId', 'ProtocolVersion'] as const) {
    if (input[field] !== undefined) throw elbv2Error('ValidationError', `${field} cannot be specified for target groups with target type 'lambda'`);
  }
  const healthCheck = healthCheckFrom(input, {
    enabled: false,
    protocol: 'HTTP',
    port: 'traffic-port',
    path: '/',
    intervalSeconds: 35,
    timeoutSeconds: 30,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: { HttpCode: '200' },
  });
  const tags = checkTags(input.Tags);
  const settings = {
    protocol: 'HTTP' as const,
    protocolVersion: 'HTTP1',
    port: 0,
    vpcId: '',
    targetType: 'lambda' as const,
    ipAddressType: 'ipv4' as const,
    healthCheck,
  };
  return createOrMatch(state, name, settings, tags);
}

/**
 * The group of that name if its settings are the same (CreateTargetGroup is idempotent), else a new
 * one within the region's limit. A function's group has fixed protocol, port and VPC fields, so
 * comparing all settings compares its target type and health check.
 */
function createOrMatch(state: FakeState, name: string, settings: TargetGroupSettings, tags: [string, string][]): { TargetGroups: TargetGroup[] } {
  const existing = [...state.targetGroups.values()].find((group) => group.name === name);
  if (existing !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the rest is the settings: the named fields are left out on purpose
    const { arn: _arn, name: _name, attributes: _attributes, targets: _targets, ...current } = existing;
    if (JSON.stringify(current) !== JSON.stringify(settings)) {
      throw elbv2Error('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
    }
    return { TargetGroups: [describeTargetGroup(state, existing)] };
  }
  if (state.targetGroups.size >= TARGET_GROUPS_PER_REGION) throw elbv2Error('TooManyTargetGroups', 'You have reached the limit on the number of target groups');
  const group: TargetGroupRecord = { arn: targetGroupArn(state, name, state.ids.hex(16)), name, ...settings, attributes: {}, targets: new Map() };
  state.targetGroups.set(group.arn, group);
  if (tags.length > 0) setTags(state, group.arn, tags);
  return { TargetGroups: [describeTargetGroup(state, group)] };
}

function describeTargetGroups(state: FakeState, input: DescribeTargetGroupsInput): object {
  const selectors = [input.LoadBalancerArn, input.TargetGroupArns, input.Names].filter((selector) => selector !== undefined);
  if (selectors.length > 1) throw elbv2Error('ValidationError', 'Specify at most one of LoadBalancerArn, TargetGroupArns and Names');
  let selected = selectByArnsOrNames(state.targetGroups, input.TargetGroupArns, input.Names, {
    require: (arn) => requireTargetGroup(state, arn),
    notFound: () => elbv2Error('TargetGroupNotFound', 'One or more target groups not found'),
  });
  if (input.LoadBalancerArn !== undefined) {
    const lb = requireLoadBalancer(state, input.LoadBalancerArn);
    selected = selected.filter((group) => loadBalancersUsing(state, group.arn).includes(lb.arn));
  }
  const { items, ...marker } = elbv2Page(state, 'DescribeTargetGroups', selected, input);
  return { TargetGroups: items.map((group) => describeTargetGroup(state, group)), ...marker };
}

function modifyTargetGroup(state: FakeState, input: ModifyTargetGroupInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  group.healthCheck = healthCheckFrom(input, group.healthCheck);
  return { TargetGroups: [describeTargetGroup(state, group)] };
}

function modifyTargetGroupAttributes(state: FakeState, input: ModifyTargetGroupAttributesInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  const lambdaOnly = (input.Attributes ?? []).find((attribute) => attribute.Key?.startsWith('lambda.') === true && group.targetType !== 'lambda');
  if (lambdaOnly)
    throw elbv2Error('InvalidConfigurationRequest', `Attribute '${lambdaOnly.Key ?? ''}' is only valid for target groups with target type 'lambda'`);
  Object.assign(group.attributes, checkAttributes('target group', input.Attributes));
  return { Attributes: describeAttributes('target group', group.attributes) };
}

function describeTargetGroupAttributes(state: FakeState, input: DescribeTargetGroupAttributesInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  return { Attributes: describeAttributes('target group', group.attributes) };
}

function deleteTargetGroup(state: FakeState, input: DeleteTargetGroupInput): object {
  // The API lists no not-found error for this action: deleting a group that is gone succeeds.
  const group = state.targetGroups.get(input.TargetGroupArn ?? '');
  if (group === undefined) return {};
  if (loadBalancersUsing(state, group.arn).length > 0) {
    throw elbv2Error('ResourceInUse', `Target group '${group.arn}' is currently in use by a listener or a rule`);
  }
  state.targetGroups.delete(group.arn);
  state.tags.delete(group.arn);
  return {};
}

export const targetGroupHandlers: Readonly<Record<string, Handler>> = {
  CreateTargetGroup: handler(createTargetGroup),
  DescribeTargetGroups: handler(describeTargetGroups),
  ModifyTargetGroup: handler(modifyTargetGroup),
  ModifyTargetGroupAttributes: handler(modifyTargetGroupAttributes),
  DescribeTargetGroupAttributes: handler(describeTargetGroupAttributes),
  DeleteTargetGroup: handler(deleteTargetGroup),
};
