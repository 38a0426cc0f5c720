/**
 * Function target groups (ELBv2 target type `lambda`): one per function the spec names, matched to
 * the observed ones by key and name as Service target groups are. Each needs, in this order:
 *
 *   CreateTargetGroup (TargetType lambda, health checks off as the ALB defaults them, tagged with its
 *   function) → ModifyTargetGroupAttributes when multi-value headers are on → AddPermission (statement
 *   `ingress-bridge-<target group name>`, lambda:InvokeFunction for elasticloadbalancing.amazonaws.com,
 *   SourceArn = this target group: no other target group may invoke it through our statement) →
 *   RegisterTargets (ELB refuses a function it may not invoke) — all before any rule forwards to it.
 *
 * A target group no longer wanted loses our statement first, then is deleted, after the rules that
 * used it: a crash between the two leaves a tagged group without a statement, which the next run
 * deletes. A crash anywhere on the way up leaves a tagged group whose missing parts the next run adds,
 * each step checked against what observe read, so nothing is added twice. A statement of ours that
 * admits another target group ARN (the group was replaced) is removed and added again.
 *
 * A function that does not exist, or is not tagged for this cluster, gets no target group: the provider's diff first takes it out of the
 * spec (withoutMissingFunctions: its paths answer 503, an error names it on the Ingress). A function
 * that was not observed at all keeps its `${TargetGroup:…}` placeholder with a problem recorded, so
 * apply stops there saying why.
 * @module
 */
import type { Action, Diagnostic, FunctionTargetGroupSpec, IngressRef, LoadBalancerSpec, RuleOrigin } from '../../../src/model.js';
import type { ObservedFunction, ObservedTargetGroup } from '../observe/observed.js';
import { tagChange, type TagChange } from './diff-tags.js';
import { toElbv2Tags } from './elbv2-shapes.js';
import { ELB_PRINCIPAL, FUNCTION_TAG, functionTag, statementIdOf } from './function-names.js';
import type { AwsOperation } from './operations.js';
import { targetGroupId, targetGroupKeyOf, targetGroupRef } from './resource-ids.js';
import { ownershipTags, resourceIdOf, tagValue } from './tags.js';

export const MULTI_VALUE_HEADERS = 'lambda.multi_value_headers.enabled';

export interface FunctionPlan {
  /** Creates, attributes, permissions and registrations: before any rule forwards to the groups. */
  upserts: AwsOperation[];
  /** Functions no longer the group's target: after the rules changed. */
  deregister: AwsOperation[];
  /** Our statements removed, then the groups deleted: after the rules and listeners that used them. */
  deletes: AwsOperation[];
  tagChanges: TagChange[];
  /** `${TargetGroup:key}` → ARN for the kept groups. */
  references: Record<string, string>;
  /** Kept group ARN → `${TargetGroup:key}`, so observed rules compare equal to desired ones. */
  placeholderOf: Map<string, string>;
  /** `${TargetGroup:key}` → why the group cannot exist (its function does not). */
  problems: Record<string, string>;
}

export function planFunctionTargetGroups(options: {
  desired: readonly FunctionTargetGroupSpec[];
  /** Observed function target groups only. */
  observed: readonly ObservedTargetGroup[];
  functions: Readonly<Record<string, ObservedFunction>>;
  clusterName: string;
  stackId: string;
}): FunctionPlan {
  const plan: FunctionPlan = { upserts: [], deregister: [], deletes: [], tagChanges: [], references: {}, placeholderOf: new Map(), problems: {} };
  const kept = new Set<ObservedTargetGroup>();
  for (const group of options.desired) {
    const ref = targetGroupRef(group.key);
    const fn = options.functions[group.key];
    if (!fn?.exists || fn.arn === undefined) {
      plan.problems[ref] = fn?.problem ?? `Lambda function ${group.function.name} was not observed`;
      continue;
    }
    const resource = targetGroupId(group.key);
    const tags = { ...group.tags, ...ownershipTags(options.clusterName, options.stackId, resource), [FUNCTION_TAG]: functionTag(group.function) };
    const match = options.observed.find(
      (candidate) => targetGroupKeyOf(resourceIdOf(candidate.tags)) === group.key && candidate.description.TargetGroupName === group.name,
    );
    const functionTarget = {
      FunctionName: group.function.arn ?? group.function.name,
      ...(group.function.qualifier !== undefined && { Qualifier: group.function.qualifier }),
    };
    const statementId = statementIdOf(group.name);
    const addPermission = (sourceArn: string): AwsOperation => ({
      action: 'AddPermission',
      resource: `${resource}/permission`,
      detail: {
        service: 'lambda',
        input: { ...functionTarget, StatementId: statementId, Action: 'lambda:InvokeFunction', Principal: ELB_PRINCIPAL, SourceArn: sourceArn },
      },
    });
    const register = (arn: string): AwsOperation => ({
      action: 'RegisterTargets',
      resource,
      detail: { service: 'elbv2', input: { TargetGroupArn: arn, Targets: [{ Id: fn.arn }] } },
    });
    if (!match) {
      plan.upserts.push({
        action: 'CreateTargetGroup',
        resource,
        detail: {
          service: 'elbv2',
          input: { Name: group.name, TargetType: 'lambda', HealthCheckEnabled: false, Tags: toElbv2Tags(tags) },
          produces: { ref, outputPath: 'TargetGroups.0.TargetGroupArn' },
        },
      });
      if (group.multiValueHeaders) plan.upserts.push(multiValueHeaders(resource, ref, true));
      // A statement of ours for a group that is gone (this name, an older ARN) is replaced, never duplicated.
      if (fn.statement) plan.upserts.push(removePermission(`${resource}/permission`, functionTarget, statementId));
      plan.upserts.push(addPermission(ref), register(ref));
      continue;
    }
    kept.add(match);
    const arn = match.description.TargetGroupArn ?? '';
    plan.references[ref] = arn;
    plan.placeholderOf.set(arn, ref);
    const observedMultiValue = match.attributes.find((attribute) => attribute.Key === MULTI_VALUE_HEADERS)?.Value ?? 'false';
    if (observedMultiValue !== String(group.multiValueHeaders)) plan.upserts.push(multiValueHeaders(resource, ref, group.multiValueHeaders));
    if (fn.statement?.sourceArn !== arn) {
      if (fn.statement) plan.upserts.push(removePermission(`${resource}/permission`, functionTarget, statementId));
      plan.upserts.push(addPermission(ref));
    }
    const registered = match.targets.map((target) => target.Target?.Id).filter((id): id is string => id !== undefined);
    const others = registered.filter((id) => id !== fn.arn);
    // One function per target group: another one must leave before this one can be registered.
    if (others.length > 0)
      plan.upserts.push({
        action: 'DeregisterTargets',
        resource,
        detail: { service: 'elbv2', input: { TargetGroupArn: ref, Targets: others.map((Id) => ({ Id })) } },
      });
    if (!registered.includes(fn.arn)) plan.upserts.push(register(ref));
    const change = tagChange({ arn: ref, resource, desired: tags, observed: match.tags });
    if (change) plan.tagChanges.push(change);
  }
  for (const stale of options.observed.filter((candidate) => !kept.has(candidate))) {
    const resource = resourceIdOf(stale.tags) ?? stale.description.TargetGroupName ?? 'TargetGroup';
    const key = targetGroupKeyOf(resourceIdOf(stale.tags));
    const fn = key === undefined ? undefined : options.functions[key];
    const named = tagValue(stale.tags, FUNCTION_TAG);
    if (fn?.statement && named !== undefined) {
      const [identifier = '', qualifier] = named.split('/');
      plan.deletes.push(
        removePermission(`${resource}/permission`, { FunctionName: identifier, ...(qualifier !== undefined && { Qualifier: qualifier }) }, fn.statement.sid),
      );
    }
    plan.deletes.push({ action: 'DeleteTargetGroup', resource, detail: { service: 'elbv2', input: { TargetGroupArn: stale.description.TargetGroupArn } } });
  }
  return plan;
}

function multiValueHeaders(resource: string, ref: string, enabled: boolean): AwsOperation {
  return {
    action: 'ModifyTargetGroupAttributes',
    resource,
    detail: { service: 'elbv2', input: { TargetGroupArn: ref, Attributes: [{ Key: MULTI_VALUE_HEADERS, Value: String(enabled) }] } },
  };
}

function removePermission(resource: string, functionTarget: Record<string, string>, statementId: string): AwsOperation {
  return { action: 'RemovePermission', resource, detail: { service: 'lambda', input: { ...functionTarget, StatementId: statementId } } };
}

/** What a path whose function cannot be a target answers: as translate answers for a backend that does not resolve. */
const FUNCTION_UNAVAILABLE: Action = {
  type: 'fixed-response',
  statusCode: '503',
  contentType: 'text/plain',
  messageBody: 'Service Unavailable: the function is not available',
};

/**
 * The spec with the functions that cannot be targets taken out — Lambda does not know them, or they
 * lack this cluster's tag (the IAM policy would refuse our statement at apply): a forward to one
 * alone answers 503, a weighted forward keeps its other target groups; an error on each Ingress whose
 * rules (or whose group's default action) name it, on the backend's `resource` field. So such a
 * function costs its own paths only, never the rest of the load balancer's changes. Pure.
 */
export function withoutMissingFunctions(
  spec: LoadBalancerSpec,
  functions: Readonly<Record<string, ObservedFunction>>,
): { spec: LoadBalancerSpec; diagnostics: Diagnostic[] } {
  const missing = new Map(
    (spec.functionTargetGroups ?? []).flatMap((group) => {
      const fn = functions[group.key];
      if (fn === undefined || (fn.exists && fn.tagged !== false)) return [];
      const until = fn.exists ? 'it is tagged' : 'it exists';
      return [
        [
          group.key,
          `${fn.problem ?? `Lambda function ${group.function.name} does not exist`}: requests the load balancer sends to it get 503 until ${until}`,
        ] as const,
      ];
    }),
  );
  if (missing.size === 0) return { spec, diagnostics: [] };
  const found = new Map<string, Diagnostic>();
  const report = (ingress: IngressRef, key: string, where: RuleOrigin | undefined): void => {
    // The provider has no index of the path in the Ingress: the field names the backend's resource, the message the path.
    const field = where === undefined ? 'spec.defaultBackend.resource' : 'spec.rules[].http.paths[].backend.resource';
    const path = where?.path === undefined ? '' : `path ${where.host ?? '*'}${where.path}: `;
    found.set(`${ingress.namespace}/${ingress.name}\u0000${key}\u0000${field}\u0000${path}`, {
      severity: 'error',
      object: { kind: 'Ingress', namespace: ingress.namespace, name: ingress.name },
      field,
      message: `${path}${missing.get(key) ?? key}`,
    });
  };
  const cleaned = (action: Action, blame: readonly IngressRef[], where?: RuleOrigin): Action => {
    if (action.type !== 'forward') return action;
    const gone = action.targetGroups.filter((group) => missing.has(group.targetGroupKey));
    if (gone.length === 0) return action;
    for (const group of gone) for (const ingress of blame) report(ingress, group.targetGroupKey, where);
    const kept = action.targetGroups.filter((group) => !missing.has(group.targetGroupKey));
    return kept.some((group) => group.weight > 0) ? { ...action, targetGroups: kept } : FUNCTION_UNAVAILABLE;
  };
  return {
    spec: {
      ...spec,
      listeners: spec.listeners.map((listener) => ({
        ...listener,
        defaultAction: cleaned(listener.defaultAction, spec.stack.members),
        rules: listener.rules.map((rule) => ({ ...rule, actions: rule.actions.map((action) => cleaned(action, [rule.origin.ingress], rule.origin)) })),
      })),
      functionTargetGroups: (spec.functionTargetGroups ?? []).filter((group) => !missing.has(group.key)),
    },
    diagnostics: [...found.values()],
  };
}
