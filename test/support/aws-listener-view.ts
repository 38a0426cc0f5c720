/**
 * ELBv2 listener state (as the fake or a hand-made Describe answer holds it) turned back into the
 * model's ListenerSpec, so tests can ask the shared ALB evaluator how a listener routes *right now*,
 * between any two calls of an apply.
 * @module
 */
import type { Action as Elbv2Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Condition, ListenerSpec, LoadBalancerSpec, RuleSpec } from '../../src/model.js';

export interface Elbv2RuleView {
  priority: number;
  conditions: readonly RuleCondition[];
  actions: readonly Elbv2Action[];
}

export interface Elbv2ListenerView {
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  defaultActions: readonly Elbv2Action[];
  rules: readonly Elbv2RuleView[];
}

/** Maps a target group ARN to the spec key the evaluator knows it by. */
export type KeyOfArn = (arn: string) => string;

export function listenerSpecFromElbv2(listener: Elbv2ListenerView, keyOfArn: KeyOfArn): ListenerSpec {
  const [defaultAction] = actionsFrom(listener.defaultActions, keyOfArn);
  if (!defaultAction) throw new Error(`listener ${listener.port} has no default action`);
  return {
    port: listener.port,
    protocol: listener.protocol,
    certificateKeys: [],
    defaultAction,
    rules: listener.rules.map((rule): RuleSpec => ({
      priority: rule.priority,
      conditions: rule.conditions.map(conditionFrom),
      actions: actionsFrom(rule.actions, keyOfArn),
      origin: { ingress: { namespace: '', name: '' } },
    })),
  };
}

/** The spec with its listeners replaced by what the cloud holds now. */
export function specWithListeners(spec: LoadBalancerSpec, listeners: readonly ListenerSpec[]): LoadBalancerSpec {
  return { ...spec, listeners: [...listeners] };
}

function matchValues(
  config: { Values?: string[]; RegexValues?: string[] } | undefined,
  legacy: string[] | undefined,
): { values?: string[]; regexValues?: string[] } {
  if (config?.RegexValues !== undefined && config.RegexValues.length > 0) return { regexValues: [...config.RegexValues] };
  return { values: [...(config?.Values ?? legacy ?? [])] };
}

function conditionFrom(condition: RuleCondition): Condition {
  switch (condition.Field) {
    case 'host-header':
      return { field: 'host-header', ...matchValues(condition.HostHeaderConfig, condition.Values) };
    case 'path-pattern':
      return { field: 'path-pattern', ...matchValues(condition.PathPatternConfig, condition.Values) };
    case 'http-header':
      return { field: 'http-header', headerName: condition.HttpHeaderConfig?.HttpHeaderName ?? '', ...matchValues(condition.HttpHeaderConfig, undefined) };
    case 'http-request-method':
      return { field: 'http-request-method', values: [...(condition.HttpRequestMethodConfig?.Values ?? condition.Values ?? [])] };
    case 'query-string':
      return {
        field: 'query-string',
        values: (condition.QueryStringConfig?.Values ?? []).map(({ Key, Value }) =>
          Key === undefined ? { value: Value ?? '' } : { key: Key, value: Value ?? '' },
        ),
      };
    case 'source-ip':
      return { field: 'source-ip', values: [...(condition.SourceIpConfig?.Values ?? condition.Values ?? [])] };
    case undefined:
    default:
      throw new Error(`condition field ${String(condition.Field)} is not modelled`);
  }
}

function actionsFrom(actions: readonly Elbv2Action[], keyOfArn: KeyOfArn): Action[] {
  return [...actions]
    .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
    .map((action): Action => {
      switch (action.Type) {
        case 'forward': {
          const groups = action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
          return {
            type: 'forward',
            targetGroups: groups.map((group) => ({ targetGroupKey: keyOfArn(group.TargetGroupArn ?? ''), weight: group.Weight ?? 1 })),
          };
        }
        case 'redirect': {
          const redirect = action.RedirectConfig;
          return {
            type: 'redirect',
            statusCode: redirect?.StatusCode ?? 'HTTP_301',
            ...(redirect?.Protocol !== undefined && { protocol: redirect.Protocol }),
            ...(redirect?.Port !== undefined && { port: redirect.Port }),
            ...(redirect?.Host !== undefined && { host: redirect.Host }),
            ...(redirect?.Path !== undefined && { path: redirect.Path }),
            ...(redirect?.Query !== undefined && { query: redirect.Query }),
          };
        }
        case 'fixed-response': {
          const response = action.FixedResponseConfig;
          return {
            type: 'fixed-response',
            statusCode: response?.StatusCode ?? '',
            ...(response?.ContentType !== undefined && { contentType: response.ContentType }),
            ...(response?.MessageBody !== undefined && { messageBody: response.MessageBody }),
          };
        }
        case 'authenticate-cognito':
        case 'authenticate-oidc':
        case 'jwt-validation':
        case undefined:
        default:
          throw new Error(`action type ${String(action.Type)} is not modelled`);
      }
    });
}
