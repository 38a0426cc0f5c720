/**
 * Load-balancer and target-group attributes: the keys an ALB and its target groups know, their
 * defaults (Describe*Attributes lists every key, set or not), and value checks. An unknown key or a
 * bad value is a ValidationError, and nothing in the call is applied.
 * @module
 */
import type { LoadBalancerAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2Error } from './errors.js';

type ValueCheck = (value: string) => boolean;

const bool: ValueCheck = (value) => value === 'true' || value === 'false';
const anyString: ValueCheck = () => true;
const intRange =
  (min: number, max: number): ValueCheck =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
const oneOf =
  (...allowed: string[]): ValueCheck =>
  (value) =>
    allowed.includes(value);

interface AttributeSpec {
  default: string;
  check: ValueCheck;
}

const LOAD_BALANCER_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  'access_logs.s3.enabled': { default: 'false', check: bool },
  'access_logs.s3.bucket': { default: '', check: anyString },
  'access_logs.s3.prefix': { default: '', check: anyString },
  'connection_logs.s3.enabled': { default: 'false', check: bool },
  'connection_logs.s3.bucket': { default: '', check: anyString },
  'connection_logs.s3.prefix': { default: '', check: anyString },
  'client_keep_alive.seconds': { default: '3600', check: intRange(60, 604800) },
  'deletion_protection.enabled': { default: 'false', check: bool },
  'idle_timeout.timeout_seconds': { default: '60', check: intRange(1, 4000) },
  'load_balancing.cross_zone.enabled': { default: 'true', check: oneOf('true') },
  'routing.http.desync_mitigation_mode': { default: 'defensive', check: oneOf('monitor', 'defensive', 'strictest') },
  'routing.http.drop_invalid_header_fields.enabled': { default: 'false', check: bool },
  'routing.http.preserve_host_header.enabled': { default: 'false', check: bool },
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': { default: 'false', check: bool },
  'routing.http.xff_client_port.enabled': { default: 'false', check: bool },
  'routing.http.xff_header_processing.mode': { default: 'append', check: oneOf('append', 'preserve', 'remove') },
  'routing.http2.enabled': { default: 'true', check: bool },
  'waf.fail_open.enabled': { default: 'false', check: bool },
  'zonal_shift.config.enabled': { default: 'false', check: bool },
};

const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = {
  'deregistration_delay.timeout_seconds': { default: '300', check: intRange(0, 3600) },
  // Function target groups only (elbv2-target-groups.ts refuses it on the others).
  'lambda.multi_value_headers.enabled': { default: 'false', check: bool },
  'stickiness.enabled': { default: 'false', check: bool },
  'stickiness.type': { default: 'lb_cookie', check: oneOf('lb_cookie', 'app_cookie') },
  'stickiness.lb_cookie.duration_seconds': { default: '86400', check: intRange(1, 604800) },
  'stickiness.app_cookie.cookie_name': { default: '', check: anyString },
  'stickiness.app_cookie.duration_seconds': { default: '86400', check: intRange(1, 604800) },
  'slow_start.duration_seconds': { default: '0', check: (value) => value === '0' || intRange(30, 900)(value) },
  'load_balancing.algorithm.type': {
    default: 'round_robin',
    check: oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'),
  },
  'load_balancing.algorithm.anomaly_mitigation': { default: 'off', check: oneOf('on', 'off') },
  'load_balancing.cross_zone.enabled': { default: 'use_load_balancer_configuration', check: oneOf('true', 'false', 'use_load_balancer_configuration') },
  'target_group_health.dns_failover.minimum_healthy_targets.count': { default: '1', check: (value) => value === 'off' || intRange(1, 1000000)(value) },
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': { default: 'off', check: (value) => value === 'off' || intRange(1, 100)(value) },
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': { default: '1', check: intRange(1, 1000000) },
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': {
    default: 'off',
    check: (value) => value === 'off' || intRange(1, 100)(value),
  },
};

export type AttributeOwner = 'load balancer' | 'target group';

function specsOf(owner: AttributeOwner): Readonly<Record<string, AttributeSpec>> {
  return owner === 'load balancer' ? LOAD_BALANCER_ATTRIBUTES : TARGET_GROUP_ATTRIBUTES;
}

/** Checks a Modify*Attributes request as a whole and returns the changes to apply. */
export function checkAttributes(owner: AttributeOwner, attributes: readonly LoadBalancerAttribute[] | undefined): Record<string, string> {
  if (attributes === undefined || attributes.length === 0) {
    throw elbv2Error('ValidationError', 'At least one attribute must be specified');
  }
  const specs = specsOf(owner);
  const changes: Record<string, string> = {};
  for (const { Key: key = '', Value: value = '' } of attributes) {
    const spec = specs[key];
    if (spec === undefined) throw elbv2Error('ValidationError', `The ${owner} attribute key '${key}' is not recognized`);
    if (!spec.check(value)) {
      throw elbv2Error('ValidationError', `The value '${value}' is not valid for the ${owner} attribute '${key}'`);
    }
    changes[key] = value;
  }
  return changes;
}

/** Every attribute with its current value, in the fake's stable order. */
export function describeAttributes(owner: AttributeOwner, set: Readonly<Record<string, string>>): LoadBalancerAttribute[] {
  return Object.entries(specsOf(owner)).map(([key, spec]) => ({ Key: key, Value: set[key] ?? spec.default }));
}

export function attributeValue(owner: AttributeOwner, set: Readonly<Record<string, string>>, key: string): string | undefined {
  return set[key] ?? specsOf(owner)[key]?.default;
}
