/**
 * Target registration and health. Registration is idempotent per (id, port); instance targets
 * must be known EC2 instances, ip targets private IPv4 addresses. Health follows the fake's
 * options: `initial` for the first describes after registration, then `healthy`; `unused` while no
 * load balancer forwards to the group; `draining` for a while after deregistration. A test can hold a
 * target id at `initial` or `unhealthy` (`holdTargetHealth`) until it lets go.
 * @module
 */
import { invokableBy } from './lambda.js';
import { accessDeniedError } from './errors.js';
import type {
  DeregisterTargetsInput,
  DescribeTargetHealthInput,
  RegisterTargetsInput,
  TargetDescription,
  TargetHealth,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { loadBalancersUsing, requireTargetGroup } from './elbv2-common.js';
import { elbv2Error } from './errors.js';
import { handler, type FakeState, type Handler, type TargetGroupRecord, type TargetRecord } from './state.js';

const PRIVATE_RANGES: readonly [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
];

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base);
  if (address === undefined || network === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(address / size) === Math.floor(network / size);
}

function targetKey(id: string, port: number): string {
  return `${id}:${port}`;
}

/** Drops targets whose draining time has passed, so every reader sees the same moment. */
function expireDraining(state: FakeState, group: TargetGroupRecord): void {
  const now = state.clock.now();
  for (const [key, target] of group.targets) {
    if (target.drainingUntil !== undefined && target.drainingUntil <= now) group.targets.delete(key);
  }
}

function checkTarget(state: FakeState, group: TargetGroupRecord, target: TargetDescription): { id: string; port: number } {
  const id = target.Id ?? '';
  if (group.targetType === 'lambda') {
    if (target.Port !== undefined) throw elbv2Error('ValidationError', 'A port cannot be specified for a Lambda function target');
    // ELB checks it may invoke the function from this target group before it registers it.
    if (!invokableBy(state, id, group.arn)) {
      throw accessDeniedError('elbv2', `elasticloadbalancing principal does not have permission to invoke ${id} from target group ${group.arn}`);
    }
    return { id, port: 0 };
  }
  const port = target.Port ?? group.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw elbv2Error('ValidationError', `Target port ${port} must be between 1 and 65535`);
  if (group.targetType === 'instance') {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw elbv2Error('ValidationError', `Instance ID '${id}' is not valid`);
    const instance = state.instances.get(id);
    if (instance === undefined || instance.vpcId !== group.vpcId) {
      throw elbv2Error('InvalidTarget', `The following targets are not valid instances in the target group's VPC: '${id}'`);
    }
    return { id, port };
  }
  if (ipv4ToNumber(id) === undefined) throw elbv2Error('ValidationError', `'${id}' is not a valid IPv4 address for an ip target`);
  const vpcCidr = state.vpcs.get(group.vpcId)?.cidr;
  const allowed = PRIVATE_RANGES.some(([base, bits]) => ipv4InCidr(id, `${base}/${bits}`)) || (vpcCidr !== undefined && ipv4InCidr(id, vpcCidr));
  if (!allowed) throw elbv2Error('InvalidTarget', `The IP address '${id}' is not a private address and cannot be registered`);
  return { id, port };
}

function registerTargets(state: FakeState, input: RegisterTargetsInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  if ((input.Targets?.length ?? 0) === 0) throw elbv2Error('ValidationError', 'At least one target must be specified');
  expireDraining(state, group);
  const checked = (input.Targets ?? []).map((target) => ({ ...checkTarget(state, group, target), zone: target.AvailabilityZone }));
  if (group.targetType === 'lambda') {
    const ids = new Set([
      ...[...group.targets.values()].filter((target) => target.drainingUntil === undefined).map((target) => target.id),
      ...checked.map((target) => target.id),
    ]);
    if (ids.size > 1) throw elbv2Error('TooManyTargets', 'A target group with target type lambda can have only one function registered');
  }
  const keys = new Set([...group.targets.keys(), ...checked.map((target) => targetKey(target.id, target.port))]);
  if (keys.size > state.limits.targetsPerTargetGroup) {
    throw elbv2Error('TooManyTargets', `A target group can have at most ${state.limits.targetsPerTargetGroup} targets`);
  }
  for (const target of checked) {
    const key = targetKey(target.id, target.port);
    const existing = group.targets.get(key);
    if (existing !== undefined && existing.drainingUntil === undefined) continue;
    const record: TargetRecord = { id: target.id, port: target.port, healthDescribes: 0 };
    if (target.zone !== undefined) record.availabilityZone = target.zone;
    group.targets.set(key, record);
  }
  return {};
}

/** Unknown targets are skipped: deregistration is safe to repeat. */
function deregisterTargets(state: FakeState, input: DeregisterTargetsInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  if ((input.Targets?.length ?? 0) === 0) throw elbv2Error('ValidationError', 'At least one target must be specified');
  expireDraining(state, group);
  for (const target of input.Targets ?? []) {
    const key = targetKey(target.Id ?? '', target.Port ?? group.port);
    const existing = group.targets.get(key);
    if (existing === undefined || existing.drainingUntil !== undefined) continue;
    if (state.limits.drainingMs > 0) existing.drainingUntil = state.clock.now() + state.limits.drainingMs;
    else group.targets.delete(key);
  }
  return {};
}

function healthOf(state: FakeState, target: TargetRecord, inUse: boolean): TargetHealth {
  if (target.drainingUntil !== undefined) {
    return { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
  }
  if (!inUse) {
    return { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
  }
  const held = state.heldHealth.get(target.id);
  if (held === 'initial') return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
  if (held === 'unhealthy') return { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [503]' };
  target.healthDescribes += 1;
  if (target.healthDescribes <= state.limits.targetsHealthyAfterDescribes) {
    return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
  }
  return { State: 'healthy' };
}

function describeTargetHealth(state: FakeState, input: DescribeTargetHealthInput): object {
  const group = requireTargetGroup(state, input.TargetGroupArn);
  expireDraining(state, group);
  const inUse = loadBalancersUsing(state, group.arn).length > 0;
  const describe = (target: TargetRecord): TargetHealthDescription => ({
    Target: { Id: target.id, Port: target.port, ...(target.availabilityZone === undefined ? {} : { AvailabilityZone: target.availabilityZone }) },
    HealthCheckPort: group.healthCheck.port === 'traffic-port' ? String(target.port) : group.healthCheck.port,
    TargetHealth: healthOf(state, target, inUse),
  });
  if (input.Targets === undefined) return { TargetHealthDescriptions: [...group.targets.values()].map(describe) };
  return {
    TargetHealthDescriptions: input.Targets.map((wanted) => {
      const port = wanted.Port ?? group.port;
      const target = group.targets.get(targetKey(wanted.Id ?? '', port));
      if (target !== undefined) return describe(target);
      return {
        Target: { Id: wanted.Id, Port: port },
        HealthCheckPort: String(port),
        TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
      };
    }),
  };
}

export const targetHandlers: Readonly<Record<string, Handler>> = {
  RegisterTargets: handler(registerTargets),
  DeregisterTargets: handler(deregisterTargets),
  DescribeTargetHealth: handler(describeTargetHealth),
};
