/**
 * IAM identity-policy evaluation, as AWS does it for one authorization: an action on a resource,
 * with the request context (condition keys and their values). Default deny; an Allow statement that
 * matches grants; a Deny statement that matches wins over every Allow.
 *
 * A statement matches when its Action names the action (`*` and `?` wildcards, case-insensitive),
 * its Resource names the resource (ARN part by part, `*` and `?` wildcards) and every condition
 * holds. Conditions: the String operators (Equals, NotEquals, EqualsIgnoreCase, Like, NotLike) and
 * Null, each optionally `ForAllValues:` / `ForAnyValue:` and `…IfExists`; several keys in one
 * operator and several operators are ANDed, several values of one key ORed. A key that is absent
 * fails a positive operator and satisfies a negated one, as IAM documents.
 *
 * `parseIamPolicy` refuses any element or operator this evaluator does not implement (NotAction,
 * NotResource, Principal, numeric or date operators…), so a policy is never silently misread.
 * @module
 */

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  /** Operator → condition key → values. */
  Condition: Record<string, Record<string, string[]>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/** One authorization AWS makes for an API call (a call may need several). */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `elasticloadbalancing:CreateLoadBalancer`. */
  action: string;
  /** The ARN authorized, or `*` for actions without a resource type. */
  resource: string;
  /** Condition keys present in the request context; a key not listed is absent. */
  context: Readonly<Record<string, readonly string[]>>;
}

export type IamDecision =
  { allowed: true; statement: string } | { allowed: false; reason: 'explicit-deny'; statement: string } | { allowed: false; reason: 'no-allow' };

type BaseOperator = 'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase' | 'StringLike' | 'StringNotLike' | 'Null';
const BASE_OPERATORS: readonly BaseOperator[] = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Null',
];
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'Resource', 'Condition']);

interface Operator {
  set?: 'ForAllValues' | 'ForAnyValue';
  base: BaseOperator;
  ifExists: boolean;
}

export class IamPolicyError extends Error {
  override readonly name = 'IamPolicyError';
}

function parseOperator(name: string): Operator {
  const match = /^(?:(ForAllValues|ForAnyValue):)?(\w+?)(IfExists)?$/.exec(name);
  const base = BASE_OPERATORS.find((candidate) => candidate === match?.[2]);
  if (!match || base === undefined || (base === 'Null' && (match[1] !== undefined || match[3] !== undefined))) {
    throw new IamPolicyError(`condition operator '${name}' is not supported by the fake's IAM evaluator`);
  }
  const set = match[1] === 'ForAllValues' || match[1] === 'ForAnyValue' ? match[1] : undefined;
  return { ...(set && { set }), base, ifExists: match[3] !== undefined };
}

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string')) {
    throw new IamPolicyError(`${where} must be a string or a non-empty list of strings`);
  }
  return list;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStatement(raw: unknown, index: number): IamStatement {
  const where = `Statement[${index}]`;
  if (!isRecord(raw)) throw new IamPolicyError(`${where} must be an object`);
  const unknown = Object.keys(raw).filter((key) => !STATEMENT_KEYS.has(key));
  if (unknown.length > 0) throw new IamPolicyError(`${where} has ${unknown.join(', ')}, which the fake's IAM evaluator does not implement`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new IamPolicyError(`${where}.Effect must be Allow or Deny`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new IamPolicyError(`${where}.Sid must be a string`);
  const condition: IamStatement['Condition'] = {};
  if (raw.Condition !== undefined) {
    if (!isRecord(raw.Condition)) throw new IamPolicyError(`${where}.Condition must be an object`);
    for (const [operator, keys] of Object.entries(raw.Condition)) {
      parseOperator(operator);
      if (!isRecord(keys)) throw new IamPolicyError(`${where}.Condition.${operator} must be an object`);
      condition[operator] = Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, stringList(values, `${where}.Condition.${operator}.${key}`)]));
    }
  }
  return {
    ...(raw.Sid !== undefined && { Sid: raw.Sid }),
    Effect: raw.Effect,
    Action: stringList(raw.Action, `${where}.Action`),
    Resource: stringList(raw.Resource, `${where}.Resource`),
    Condition: condition,
  };
}

/** Checks a policy document (parsed JSON) and returns it in normal form (every list a list). */
export function parseIamPolicy(document: unknown): IamPolicy {
  if (!isRecord(document)) throw new IamPolicyError('a policy document must be an object');
  if (document.Version !== '2012-10-17') throw new IamPolicyError(`policy Version must be 2012-10-17, got ${String(document.Version)}`);
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return { Version: '2012-10-17', Statement: statements.map(parseStatement) };
}

const globs = new Map<string, RegExp>();

function globPattern(glob: string, flags: string): RegExp {
  const key = `${flags}\u0000${glob}`;
  let pattern = globs.get(key);
  if (pattern === undefined) {
    const source = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    pattern = new RegExp(`^${source}$`, flags);
    globs.set(key, pattern);
  }
  return pattern;
}

function globMatches(glob: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  return globPattern(glob, options.ignoreCase ? 'si' : 's').test(value);
}

/** ARNs match part by part (partition, service, region, account), then the resource part whole. */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const split = (arn: string): string[] => {
    const parts = arn.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const patternParts = split(pattern);
  const resourceParts = split(resource);
  return patternParts.length === resourceParts.length && patternParts.every((part, index) => globMatches(part, resourceParts[index] ?? ''));
}

function valueMatches(base: BaseOperator, expected: string, actual: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return expected === actual;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return expected.toLowerCase() === actual.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return globMatches(expected, actual);
    case 'Null':
      return false;
  }
}

function conditionHolds(operator: Operator, expected: readonly string[], actual: readonly string[] | undefined): boolean {
  const present = actual !== undefined && actual.length > 0;
  if (operator.base === 'Null') return expected.some((value) => (value === 'true') === !present);
  const negated = operator.base.includes('Not');
  const matchesAny = (value: string): boolean => expected.some((candidate) => valueMatches(operator.base, candidate, value));
  const satisfies = (value: string): boolean => (negated ? !matchesAny(value) : matchesAny(value));
  if (operator.set === 'ForAllValues') return !present || actual.every(satisfies);
  if (operator.set === 'ForAnyValue') return present && actual.some(satisfies);
  if (!present) return operator.ifExists || negated;
  return negated ? actual.every(satisfies) : actual.some(satisfies);
}

function contextLookup(context: AuthorizationRequest['context']): (key: string) => readonly string[] | undefined {
  // Condition key names are case-insensitive.
  const byKey = new Map(Object.entries(context).map(([key, values]) => [key.toLowerCase(), values]));
  return (key) => byKey.get(key.toLowerCase());
}

function statementMatches(statement: IamStatement, request: AuthorizationRequest): boolean {
  if (!statement.Action.some((pattern) => globMatches(pattern, request.action, { ignoreCase: true }))) return false;
  if (!statement.Resource.some((pattern) => resourceMatches(pattern, request.resource))) return false;
  const lookup = contextLookup(request.context);
  return Object.entries(statement.Condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(parseOperator(operator), values, lookup(key))),
  );
}

export function statementName(policy: IamPolicy, statement: IamStatement): string {
  return statement.Sid ?? `Statement[${policy.Statement.indexOf(statement)}]`;
}

export function evaluate(policy: IamPolicy, request: AuthorizationRequest): IamDecision {
  const matching = policy.Statement.filter((statement) => statementMatches(statement, request));
  const deny = matching.find((statement) => statement.Effect === 'Deny');
  if (deny) return { allowed: false, reason: 'explicit-deny', statement: statementName(policy, deny) };
  const allow = matching.find((statement) => statement.Effect === 'Allow');
  return allow ? { allowed: true, statement: statementName(policy, allow) } : { allowed: false, reason: 'no-allow' };
}
