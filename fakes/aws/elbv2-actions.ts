/**
 * Listener and rule actions: validated as the API validates them, then normalized to the shape
 * Describe* returns (a forward action carries both TargetGroupArn, when it names one group, and a
 * ForwardConfig with weights and a stickiness config; a redirect spells out its #{…} defaults).
 * A list holds exactly one terminal action (forward, redirect, fixed-response), last by Order, and
 * at most one pre-routing action before it (authenticate-oidc, authenticate-cognito or
 * jwt-validation: elbv2-auth.ts), which an HTTPS listener only accepts.
 * @module
 */
import type { Action, ForwardActionConfig, RedirectActionConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { authenticationAction, AUTHENTICATION_TYPES, clientSecretOf } from './elbv2-auth.js';
import { actionsInUse, requireTargetGroup, targetGroupArnsOf } from './elbv2-common.js';
import { elbv2Error, unsupportedAction } from './errors.js';
import type { FakeState } from './state.js';

const TARGET_GROUPS_PER_ACTION = 5;
const UNIQUE_TARGET_GROUPS_PER_LOAD_BALANCER = 100;
const CONTENT_TYPES: readonly string[] = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

interface ActionContext {
  loadBalancerArn: string;
  /** The listener's protocol: authentication needs HTTPS. */
  protocol: 'HTTP' | 'HTTPS';
  /** The listener or rule being replaced: its own references do not count against the limits. */
  replacing?: readonly Action[];
}

/** Checks a DefaultActions or Actions list and returns it normalized, ordered by Order. */
export function checkActions(state: FakeState, actions: readonly Action[] | undefined, context: ActionContext): Action[] {
  if (actions === undefined || actions.length === 0) throw elbv2Error('ValidationError', 'At least one action must be specified');
  const normalized = actions.map((action, index) => normalizeAction(state, action, index + 1, clientSecretOf(context.replacing)));
  const orders = new Set(normalized.map((action) => action.Order));
  if (orders.size !== normalized.length) throw elbv2Error('ValidationError', 'Action orders must be unique');
  normalized.sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  const authentications = normalized.filter((action) => AUTHENTICATION_TYPES.has(action.Type ?? ''));
  const terminal = normalized.filter((action) => !AUTHENTICATION_TYPES.has(action.Type ?? ''));
  // forward, redirect and fixed-response are all terminal: a list holds exactly one of them, last.
  if (terminal.length !== 1 || normalized.at(-1) !== terminal[0]) {
    throw elbv2Error(
      'InvalidLoadBalancerAction',
      'Exactly one terminal action (forward, redirect or fixed-response) must be specified, with the highest order',
    );
  }
  if (authentications.length > 1) {
    throw elbv2Error('InvalidLoadBalancerAction', 'At most one authenticate-oidc, authenticate-cognito or jwt-validation action can be specified');
  }
  if (authentications.length > 0 && context.protocol !== 'HTTPS') {
    throw elbv2Error('InvalidLoadBalancerAction', `${authentications[0]?.Type ?? ''} actions are supported only on HTTPS listeners`);
  }
  checkTargetGroupAssociations(state, normalized, context);
  return normalized;
}

function normalizeAction(state: FakeState, action: Action, position: number, existingSecret: string | undefined): Action {
  const order = action.Order ?? position;
  if (!Number.isInteger(order) || order < 1 || order > 50000) throw elbv2Error('ValidationError', `Action order ${order} must be between 1 and 50000`);
  switch (action.Type) {
    case 'authenticate-oidc':
    case 'authenticate-cognito':
    case 'jwt-validation':
      return authenticationAction(action, order, existingSecret);
    case 'forward':
      return forwardAction(state, action, order);
    case 'redirect':
      return { Type: 'redirect', Order: order, RedirectConfig: redirectConfig(action.RedirectConfig) };
    case 'fixed-response': {
      const config = action.FixedResponseConfig;
      if (config === undefined) throw elbv2Error('ValidationError', 'A fixed-response action requires FixedResponseConfig');
      if (!/^[245]\d\d$/.test(config.StatusCode ?? '')) {
        throw elbv2Error('ValidationError', `Fixed response status code '${config.StatusCode ?? ''}' must be 2XX, 4XX or 5XX`);
      }
      if (config.ContentType !== undefined && !CONTENT_TYPES.includes(config.ContentType)) {
        throw elbv2Error('ValidationError', `Content type '${config.ContentType}' is not valid; use one of ${CONTENT_TYPES.join(', ')}`);
      }
      if ((config.MessageBody ?? '').length > 1024) throw elbv2Error('ValidationError', 'A fixed response message body cannot exceed 1024 characters');
      return { Type: 'fixed-response', Order: order, FixedResponseConfig: { ...config } };
    }
    case undefined:
      throw elbv2Error('ValidationError', 'An action type must be specified');
    default:
      // Only a type the SDK does not know yet gets here (the wire takes any string).
      throw unsupportedAction('elbv2', 'Action', `Type ${String(action.Type)}`);
  }
}

function forwardAction(state: FakeState, action: Action, order: number): Action {
  const config = action.ForwardConfig;
  const groups = config?.TargetGroups ?? (action.TargetGroupArn === undefined ? [] : [{ TargetGroupArn: action.TargetGroupArn }]);
  if (groups.length === 0) throw elbv2Error('ValidationError', 'A forward action requires a target group');
  if (groups.length > TARGET_GROUPS_PER_ACTION) {
    throw elbv2Error('ValidationError', `A forward action can have at most ${TARGET_GROUPS_PER_ACTION} target groups`);
  }
  if (action.TargetGroupArn !== undefined && config !== undefined && (groups.length !== 1 || groups[0]?.TargetGroupArn !== action.TargetGroupArn)) {
    throw elbv2Error('ValidationError', 'TargetGroupArn and ForwardConfig must name the same single target group when both are given');
  }
  const arns = new Set<string>();
  const targetGroups = groups.map((group) => {
    const arn = requireTargetGroup(state, group.TargetGroupArn).arn;
    if (arns.has(arn)) throw elbv2Error('ValidationError', `Target group '${arn}' is specified more than once`);
    arns.add(arn);
    const weight = group.Weight ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 999) throw elbv2Error('ValidationError', `Weight ${weight} must be between 0 and 999`);
    return { TargetGroupArn: arn, Weight: weight };
  });
  const stickiness = config?.TargetGroupStickinessConfig;
  const forward: ForwardActionConfig = { TargetGroups: targetGroups, TargetGroupStickinessConfig: { Enabled: false } };
  if (stickiness?.Enabled === true) {
    const duration = stickiness.DurationSeconds;
    if (duration === undefined || duration < 1 || duration > 604800) {
      throw elbv2Error('ValidationError', 'Target group stickiness duration must be between 1 and 604800 seconds');
    }
    forward.TargetGroupStickinessConfig = { Enabled: true, DurationSeconds: duration };
  }
  const single = targetGroups.length === 1 ? { TargetGroupArn: targetGroups[0]?.TargetGroupArn } : {};
  return { Type: 'forward', ...single, Order: order, ForwardConfig: forward };
}

function redirectConfig(config: RedirectActionConfig | undefined): RedirectActionConfig {
  if (config === undefined) throw elbv2Error('ValidationError', 'A redirect action requires RedirectConfig');
  if (config.StatusCode !== 'HTTP_301' && config.StatusCode !== 'HTTP_302') {
    throw elbv2Error('ValidationError', `Redirect status code '${config.StatusCode ?? ''}' must be HTTP_301 or HTTP_302`);
  }
  const filled: RedirectActionConfig = {
    Protocol: config.Protocol ?? '#{protocol}',
    Port: config.Port ?? '#{port}',
    Host: config.Host ?? '#{host}',
    Path: config.Path ?? '/#{path}',
    Query: config.Query ?? '#{query}',
    StatusCode: config.StatusCode,
  };
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(filled.Protocol ?? '')) {
    throw elbv2Error('ValidationError', `Redirect protocol '${filled.Protocol ?? ''}' must be HTTP, HTTPS or #{protocol}`);
  }
  if (!(filled.Path ?? '').startsWith('/')) throw elbv2Error('ValidationError', `Redirect path '${filled.Path ?? ''}' must start with '/'`);
  if ((filled.Query ?? '').startsWith('?')) throw elbv2Error('ValidationError', `Redirect query '${filled.Query ?? ''}' must not start with '?'`);
  const loops = filled.Protocol === '#{protocol}' && filled.Port === '#{port}' && filled.Host === '#{host}' && filled.Path === '/#{path}';
  if (loops) {
    throw elbv2Error('ValidationError', 'You must modify at least one of the following components to avoid a redirect loop: protocol, port, hostname or path');
  }
  return filled;
}

/** A target group serves one load balancer only, and an ALB reaches at most 100 distinct groups. */
function checkTargetGroupAssociations(state: FakeState, actions: readonly Action[], context: ActionContext): void {
  const wanted = targetGroupArnsOf(actions);
  const others = actionsInUse(state).filter((use) => use.actions !== context.replacing);
  const conflicting = wanted.filter((arn) =>
    others.some((use) => use.loadBalancerArn !== context.loadBalancerArn && targetGroupArnsOf(use.actions).includes(arn)),
  );
  if (conflicting.length > 0) {
    throw elbv2Error(
      'TargetGroupAssociationLimit',
      `The following target groups cannot be associated with more than one load balancer: ${conflicting.join(', ')}`,
    );
  }
  const unique = new Set(wanted);
  for (const use of others) {
    if (use.loadBalancerArn === context.loadBalancerArn) for (const arn of targetGroupArnsOf(use.actions)) unique.add(arn);
  }
  if (unique.size > UNIQUE_TARGET_GROUPS_PER_LOAD_BALANCER) {
    throw elbv2Error(
      'TooManyUniqueTargetGroupsPerLoadBalancer',
      `A load balancer can forward to at most ${UNIQUE_TARGET_GROUPS_PER_LOAD_BALANCER} unique target groups`,
    );
  }
}
