/**
 * What a stack's function target groups need from Lambda before diff: for each function the spec
 * names, whether it exists and its ARN (GetFunctionConfiguration; RegisterTargets takes the ARN) and
 * whether it is tagged `ingress-bridge.io/cluster=<this cluster>` (ListTags: the IAM policy lets
 * AddPermission touch no other function, so an untagged one is known before apply, not at it); and
 * for each function the spec names or an observed function target group of ours names (its
 * `ingress-bridge.io/function` tag), whether our statement is in its policy (GetPolicy) and which
 * target group it admits.
 *
 * Reads only, three per function at most, and none at all — the Lambda client (a lazy one,
 * sdk/clients.ts) is not even loaded — for a stack without functions. Which functions are read on
 * which observe, and which are answered from memory, is function-memory.ts's decision. The function
 * itself is never changed: only our statement in its policy.
 * @module
 */
import type { FunctionRef, FunctionTargetGroupSpec } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import { isLambdaNotFound } from '../sdk/errors.js';
import type { Call } from '../sdk/retry.js';
import { FUNCTION_TAG, isFunctionTargetGroupKey, parseFunctionTag, statementIdOf } from '../plan/function-names.js';
import { CLUSTER_TAG, resourceIdOf, tagValue } from '../plan/tags.js';
import { targetGroupKeyOf } from '../plan/resource-ids.js';
import type { ObservedFunction, ObservedTargetGroup } from './observed.js';

export interface FunctionContext {
  clients: AwsClients;
  call: Call;
  clusterName: string;
}

/** Whether observe must look at functions at all: the spec names one, or the stack has a function target group. */
export function stackHasFunctions(desired: readonly FunctionTargetGroupSpec[] | undefined, observed: readonly TargetGroupOfStack[]): boolean {
  return (desired?.length ?? 0) > 0 || observed.some(isFunctionTargetGroup);
}

/** What a target group shows of itself: enough to tell a function target group and the function it was made for. */
type TargetGroupOfStack = Pick<ObservedTargetGroup, 'description' | 'tags'>;

export function isFunctionTargetGroup(group: TargetGroupOfStack): boolean {
  return group.description.TargetType === 'lambda' || isFunctionTargetGroupKey(targetGroupKeyOf(resourceIdOf(group.tags)) ?? '');
}

/** One function observe asks Lambda about, for one function target group. */
export interface FunctionRead {
  /** The target group's key. */
  key: string;
  ref: FunctionRef;
  /** Our statement's id in the function's policy (`ingress-bridge-<target group name>`). */
  statementId: string;
  /**
   * The spec names the function: whether it exists, its ARN (RegisterTargets takes it) and its
   * cluster tag are read too. A target group left over needs only our statement, to remove it.
   */
  wanted: boolean;
}

/** What to ask Lambda, by target-group key: the spec's functions, then those our leftover function target groups name. Pure. */
export function functionReads(desired: readonly FunctionTargetGroupSpec[], observed: readonly TargetGroupOfStack[]): FunctionRead[] {
  const reads = new Map<string, FunctionRead>();
  for (const group of desired) reads.set(group.key, { key: group.key, ref: group.function, statementId: statementIdOf(group.name), wanted: true });
  for (const group of observed.filter(isFunctionTargetGroup)) {
    const key = targetGroupKeyOf(resourceIdOf(group.tags));
    if (key === undefined || reads.has(key)) continue;
    const ref = parseFunctionTag(tagValue(group.tags, FUNCTION_TAG));
    // A group we made carries its function's tag; one without it never had our statement added.
    if (!ref) continue;
    reads.set(key, { key, ref, statementId: statementIdOf(group.description.TargetGroupName ?? ''), wanted: false });
  }
  return [...reads.values()];
}

/** What Lambda says of one function: up to three reads (GetFunctionConfiguration, ListTags, GetPolicy). */
export async function readFunction(context: FunctionContext, { ref, statementId, wanted }: FunctionRead): Promise<ObservedFunction> {
  const lambda = await context.clients.lambda.load();
  const name = ref.arn ?? ref.name;
  const target = { FunctionName: name, ...(ref.qualifier !== undefined && { Qualifier: ref.qualifier }) };
  let arn: string | undefined;
  let unqualified: string | undefined;
  if (wanted) {
    try {
      const configuration = await context.call('GetFunctionConfiguration', () => lambda.client.send(new lambda.sdk.GetFunctionConfigurationCommand(target)));
      // arn:aws:lambda:<region>:<account>:function:<name> is 7 fields; the qualifier is ours to add.
      unqualified = configuration.FunctionArn?.split(':').slice(0, 7).join(':');
      arn = unqualified === undefined ? undefined : ref.qualifier === undefined ? unqualified : `${unqualified}:${ref.qualifier}`;
    } catch (error) {
      if (!isLambdaNotFound(error)) throw error;
      return { exists: false, problem: `Lambda function ${describe(ref)} does not exist in this account and region` };
    }
  }
  if (unqualified !== undefined && !(await taggedForCluster(context, unqualified))) {
    const tag = `${CLUSTER_TAG}=${context.clusterName}`;
    return {
      exists: true,
      ...(arn !== undefined && { arn }),
      tagged: false,
      problem: `Lambda function ${describe(ref)} is not tagged ${tag}, and this cluster may expose no other function: tag it (aws lambda tag-resource --resource ${unqualified} --tags ${tag})`,
    };
  }
  let policy: string | undefined;
  try {
    const answer = await context.call('GetPolicy', () => lambda.client.send(new lambda.sdk.GetPolicyCommand(target)));
    policy = answer.Policy;
  } catch (error) {
    // Lambda answers not found for a function without any policy statement, and for a function that is gone.
    if (!isLambdaNotFound(error)) throw error;
  }
  const statement = policy === undefined ? undefined : ourStatement(policy, statementId);
  return { exists: true, ...(arn !== undefined && { arn }), ...(statement && { statement }) };
}

/** Whether the function (its unqualified ARN: versions and aliases have no tags of their own) carries our cluster tag. */
async function taggedForCluster(context: FunctionContext, unqualifiedArn: string): Promise<boolean> {
  const lambda = await context.clients.lambda.load();
  const answer = await context.call('ListTags', () => lambda.client.send(new lambda.sdk.ListTagsCommand({ Resource: unqualifiedArn })));
  return answer.Tags?.[CLUSTER_TAG] === context.clusterName;
}

function describe(ref: FunctionRef): string {
  return `${ref.arn ?? ref.name}${ref.qualifier === undefined ? '' : `:${ref.qualifier}`}`;
}

interface PolicyDocument {
  Statement?: { Sid?: string; Condition?: { ArnLike?: Record<string, string> } }[];
}

function ourStatement(policy: string, statementId: string): ObservedFunction['statement'] {
  let document: PolicyDocument;
  try {
    document = JSON.parse(policy) as PolicyDocument;
  } catch {
    return undefined;
  }
  const found = (document.Statement ?? []).find((statement) => statement.Sid === statementId);
  if (!found) return undefined;
  const sourceArn = Object.entries(found.Condition?.ArnLike ?? {}).find(([key]) => key.toLowerCase() === 'aws:sourcearn')?.[1];
  return { sid: statementId, ...(sourceArn !== undefined && { sourceArn }) };
}
