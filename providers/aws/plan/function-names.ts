/**
 * Names the AWS provider gives a function target group's parts: the statement id of our permission
 * in the function's policy, and the tag that says which function a target group was made for (so a
 * target group left behind by a crash or a spec change still tells whose policy holds our statement).
 * @module
 */
import type { FunctionRef } from '../../../src/model.js';

export const FUNCTION_TAG = 'ingress-bridge.io/function';
export const ELB_PRINCIPAL = 'elasticloadbalancing.amazonaws.com';
const KEY_PREFIX = 'function:';

export function isFunctionTargetGroupKey(key: string): boolean {
  return key.startsWith(KEY_PREFIX);
}

/**
 * `ingress-bridge-<target group name>`: the name is unique per cluster, stack and function (it
 * hashes them), so the statement is ours and one per target group; at most 14 + 32 characters, under
 * Lambda's 100.
 */
export function statementIdOf(targetGroupName: string): string {
  return `ingress-bridge-${targetGroupName}`;
}

/** The tag's value: the ARN or name, then `:<qualifier>` when there is one (`/`, which neither a name nor an ARN holds and a tag value may, separates it). */
export function functionTag(ref: FunctionRef): string {
  return `${ref.arn ?? ref.name}${ref.qualifier === undefined ? '' : `/${ref.qualifier}`}`;
}

export function parseFunctionTag(value: string | undefined): FunctionRef | undefined {
  if (value === undefined || value === '') return undefined;
  const [identifier = '', qualifier] = value.split('/');
  const name = identifier.startsWith('arn:') ? (identifier.split(':')[6] ?? '') : identifier;
  if (name === '') return undefined;
  return { name, ...(identifier.startsWith('arn:') && { arn: identifier }), ...(qualifier !== undefined && { qualifier }) };
}
