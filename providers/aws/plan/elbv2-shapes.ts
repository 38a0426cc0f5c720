/**
 * Pure conversions from the cloud-neutral model to the ELBv2 API's own shapes. The plan renderer and
 * the Create/Modify calls share them, so a planned rule and a created rule cannot disagree. ARNs are
 * not known here: callers pass resolvers (real ARNs when applying, placeholders when planning).
 * Every optional part is omitted rather than set to `undefined`, so the shapes survive JSON unchanged.
 * @module
 */
import type {
  Action as Elbv2Action,
  Certificate as Elbv2Certificate,
  CreateTargetGroupInput,
  FixedResponseActionConfig,
  ForwardActionConfig,
  LoadBalancerAttribute,
  RedirectActionConfig,
  RuleCondition,
  Tag,
  TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Condition, HealthCheckSpec, MatchValues, Target, TargetGroupSpec, TargetType } from '../../../src/model.js';

/** Maps a target-group key of the spec to the ARN an action should name. */
export type ResolveTargetGroupArn = (targetGroupKey: string) => string;
/** Maps a certificate key of the spec to the ARN a listener should name. */
export type ResolveCertificateArn = (certificateKey: string) => string;

/** The health-check part of CreateTargetGroup/ModifyTargetGroup input. */
export type Elbv2HealthCheck = Pick<
  CreateTargetGroupInput,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>;

export function toElbv2Conditions(conditions: readonly Condition[]): RuleCondition[] {
  return conditions.map(toElbv2Condition);
}

function toElbv2Condition(condition: Condition): RuleCondition {
  switch (condition.field) {
    case 'host-header':
      return { Field: 'host-header', HostHeaderConfig: toElbv2MatchValues(condition) };
    case 'path-pattern':
      return { Field: 'path-pattern', PathPatternConfig: toElbv2MatchValues(condition) };
    case 'http-header':
      return {
        Field: 'http-header',
        HttpHeaderConfig: { HttpHeaderName: condition.headerName, ...toElbv2MatchValues(condition) },
      };
    case 'http-request-method':
      return { Field: 'http-request-method', HttpRequestMethodConfig: { Values: [...condition.values] } };
    case 'query-string':
      return {
        Field: 'query-string',
        QueryStringConfig: {
          Values: condition.values.map(({ key, value }) => (key === undefined ? { Value: value } : { Key: key, Value: value })),
        },
      };
    case 'source-ip':
      return { Field: 'source-ip', SourceIpConfig: { Values: [...condition.values] } };
  }
}

/** The model guarantees exactly one of the two is set; regex wins if a caller broke that. */
function toElbv2MatchValues(match: MatchValues): { Values: string[] } | { RegexValues: string[] } {
  if (match.regexValues !== undefined) return { RegexValues: [...match.regexValues] };
  return { Values: [...(match.values ?? [])] };
}

/** Converts a rule's or listener's actions, numbering them 1, 2, … in the order given. */
export function toElbv2Actions(actions: readonly Action[], resolveTargetGroupArn: ResolveTargetGroupArn): Elbv2Action[] {
  return actions.map((action, index) => toElbv2Action(action, index + 1, resolveTargetGroupArn));
}

export function toElbv2Action(action: Action, order: number, resolveTargetGroupArn: ResolveTargetGroupArn): Elbv2Action {
  switch (action.type) {
    case 'forward': {
      const forward: ForwardActionConfig = {
        TargetGroups: action.targetGroups.map((group) => ({
          TargetGroupArn: resolveTargetGroupArn(group.targetGroupKey),
          Weight: group.weight,
        })),
      };
      if (action.stickiness !== undefined) {
        // Describe calls return a disabled stickiness without a duration; mirror that for diffs.
        forward.TargetGroupStickinessConfig = action.stickiness.enabled
          ? { Enabled: true, DurationSeconds: action.stickiness.durationSeconds }
          : { Enabled: false };
      }
      return { Type: 'forward', Order: order, ForwardConfig: forward };
    }
    case 'redirect': {
      // Omitted parts default to the request's own (#{protocol}, #{host}, …) on the ALB side.
      const redirect: RedirectActionConfig = { StatusCode: action.statusCode };
      if (action.protocol !== undefined) redirect.Protocol = action.protocol;
      if (action.port !== undefined) redirect.Port = action.port;
      if (action.host !== undefined) redirect.Host = action.host;
      if (action.path !== undefined) redirect.Path = action.path;
      if (action.query !== undefined) redirect.Query = action.query;
      return { Type: 'redirect', Order: order, RedirectConfig: redirect };
    }
    case 'fixed-response': {
      const response: FixedResponseActionConfig = { StatusCode: action.statusCode };
      if (action.contentType !== undefined) response.ContentType = action.contentType;
      if (action.messageBody !== undefined) response.MessageBody = action.messageBody;
      return { Type: 'fixed-response', Order: order, FixedResponseConfig: response };
    }
  }
}

export function toElbv2HealthCheck(healthCheck: HealthCheckSpec, protocolVersion: TargetGroupSpec['protocolVersion']): Elbv2HealthCheck {
  return {
    HealthCheckProtocol: healthCheck.protocol,
    HealthCheckPort: String(healthCheck.port),
    HealthCheckPath: healthCheck.path,
    HealthCheckIntervalSeconds: healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: healthCheck.timeoutSeconds,
    HealthyThresholdCount: healthCheck.healthyThresholdCount,
    UnhealthyThresholdCount: healthCheck.unhealthyThresholdCount,
    Matcher: protocolVersion === 'GRPC' ? { GrpcCode: healthCheck.successCodes } : { HttpCode: healthCheck.successCodes },
  };
}

/**
 * Load-balancer or target-group attributes (the two SDK types are the same shape), sorted by key so
 * that equal maps give equal lists.
 */
export function toElbv2Attributes(attributes: Readonly<Record<string, string>>): LoadBalancerAttribute[] {
  return sortedEntries(attributes).map(([Key, Value]) => ({ Key, Value }));
}

export function toElbv2Tags(tags: Readonly<Record<string, string>>): Tag[] {
  return sortedEntries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * A listener's certificates as DescribeListenerCertificates reports them; the first key is the
 * default. Inputs must not carry IsDefault: CreateListener takes the default alone, the others go
 * through AddListenerCertificates.
 */
export function toElbv2Certificates(certificateKeys: readonly string[], resolveCertificateArn: ResolveCertificateArn): Elbv2Certificate[] {
  return certificateKeys.map((key, index) => ({
    CertificateArn: resolveCertificateArn(key),
    IsDefault: index === 0,
  }));
}

/**
 * RegisterTargets descriptions. Instance targets are registered by EC2 instance id; ip targets by
 * address, with the zone when known (ELBv2 detects it for in-VPC addresses, so it is only a hint).
 */
export function toElbv2Targets(targets: readonly Target[], targetType: TargetType): TargetDescription[] {
  return targets.map((target) => {
    if (targetType === 'instance') return { Id: instanceIdFromProviderId(target.id), Port: target.port };
    const description: TargetDescription = { Id: target.ip, Port: target.port };
    if (target.zone !== undefined) description.AvailabilityZone = target.zone;
    return description;
  });
}

const AWS_PROVIDER_ID = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/;

/** `aws:///us-east-1a/i-0abc` → `i-0abc`; a providerID of another form is returned unchanged. */
export function instanceIdFromProviderId(providerId: string): string {
  return AWS_PROVIDER_ID.exec(providerId)?.[1] ?? providerId;
}

/** Code-point order, not locale order, so output is identical on every machine. */
function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
