/**
 * Lambda, as far as a load balancer's function targets need it: functions (seeded, never created by
 * the controller) with versions and aliases, and their resource-based policies — AddPermission,
 * RemovePermission, GetPolicy — plus GetFunctionConfiguration and ListTags. As Lambda does:
 * - FunctionName is a name, a partial ARN (`<account>:function:<name>`) or an ARN, any of them with a
 *   `:<qualifier>`; a qualifier in the name and a different Qualifier is InvalidParameterValueException;
 * - each qualifier (and the unqualified function) has its own policy; a statement id is unique in it
 *   (ResourceConflictException when taken);
 * - GetPolicy of a function without statements, RemovePermission of an unknown statement id, and any
 *   call on a function, version or alias that does not exist: ResourceNotFoundException.
 * - ListTags takes the function's ARN as `Resource`, and only the unqualified function's: versions
 *   and aliases have no tags of their own (InvalidParameterValueException).
 * ELBv2's RegisterTargets asks `invokableBy` whether the load balancer may invoke the function from
 * that target group (elbv2-targets.ts), as ELB checks before it registers a function.
 * @module
 */
import type { AddPermissionRequest, GetFunctionConfigurationRequest, GetPolicyRequest, ListTagsRequest, RemovePermissionRequest } from '@aws-sdk/client-lambda';
import { lambdaError } from './errors.js';
import { handler, type FakeState, type FunctionRecord, type Handler, type PolicyStatement } from './state.js';

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[0-9]{1,10}|[A-Za-z0-9_-]{1,128})$/;
const STATEMENT_ID = /^[A-Za-z0-9_.-]{1,100}$/;
const ELB_PRINCIPAL = 'elasticloadbalancing.amazonaws.com';

export function functionArn(state: FakeState, name: string): string {
  return `arn:aws:lambda:${state.region}:${state.accountId}:function:${name}`;
}

interface Resolved {
  record: FunctionRecord;
  /** '' for the unqualified function. */
  qualifier: string;
  /** The ARN the policy's statements name as their Resource. */
  resource: string;
}

/** FunctionName (+ Qualifier) → the function and qualifier it names, or the error Lambda answers. */
export function resolveFunction(state: FakeState, functionName: string | undefined, qualifierInput: string | undefined): Resolved {
  const given = functionName ?? '';
  const match = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):)?(?:([0-9]{12}):function:)?([^:]+)(?::([^:]+))?$/.exec(given);
  if (!match || !FUNCTION_NAME.test(match[3] ?? '')) {
    throw lambdaError('InvalidParameterValueException', `1 validation error detected: Value '${given}' at 'functionName' failed to satisfy constraint`);
  }
  const [, region, account, name = '', inName] = match;
  if (inName !== undefined && qualifierInput !== undefined && inName !== qualifierInput) {
    throw lambdaError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = inName ?? qualifierInput ?? '';
  if (qualifier !== '' && !QUALIFIER.test(qualifier)) throw lambdaError('InvalidParameterValueException', `Qualifier '${qualifier}' is not valid`);
  const arn = functionArn(state, name);
  const record = state.functions.get(arn);
  const elsewhere = (region !== undefined && region !== state.region) || (account !== undefined && account !== state.accountId);
  if (record === undefined || elsewhere) throw lambdaError('ResourceNotFoundException', `Function not found: ${given}`);
  if (qualifier !== '' && qualifier !== '$LATEST' && !record.versions.has(qualifier) && !record.aliases.has(qualifier)) {
    throw lambdaError('ResourceNotFoundException', `Function not found: ${arn}:${qualifier}`);
  }
  return { record, qualifier: qualifier === '$LATEST' ? '' : qualifier, resource: qualifier === '' ? arn : `${arn}:${qualifier}` };
}

function statementsOf(resolved: Resolved): PolicyStatement[] {
  let statements = resolved.record.policies.get(resolved.qualifier);
  if (statements === undefined) {
    statements = [];
    resolved.record.policies.set(resolved.qualifier, statements);
  }
  return statements;
}

function getFunctionConfiguration(state: FakeState, input: GetFunctionConfigurationRequest): object {
  const resolved = resolveFunction(state, input.FunctionName, input.Qualifier);
  return {
    FunctionName: resolved.record.name,
    FunctionArn: resolved.resource,
    Version: /^[0-9]+$/.test(resolved.qualifier) ? resolved.qualifier : '$LATEST',
    Runtime: 'nodejs22.x',
  };
}

function getPolicy(state: FakeState, input: GetPolicyRequest): object {
  const resolved = resolveFunction(state, input.FunctionName, input.Qualifier);
  const statements = statementsOf(resolved);
  if (statements.length === 0) throw lambdaError('ResourceNotFoundException', 'The resource you requested does not exist.');
  return {
    Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
    RevisionId: `${resolved.record.revision}`,
  };
}

/** The function's tags by its unqualified ARN (seeded with the function; the controller never tags functions). */
function listTags(state: FakeState, input: ListTagsRequest): object {
  const given = input.Resource ?? '';
  if (!given.startsWith('arn:'))
    throw lambdaError('InvalidParameterValueException', `1 validation error detected: Value '${given}' at 'resource' failed to satisfy constraint`);
  const resolved = resolveFunction(state, given, undefined);
  if (resolved.qualifier !== '') throw lambdaError('InvalidParameterValueException', 'Tags are not supported for function versions or aliases');
  return { Tags: Object.fromEntries(state.tags.get(resolved.record.arn) ?? []) };
}

function addPermission(state: FakeState, input: AddPermissionRequest): object {
  const resolved = resolveFunction(state, input.FunctionName, input.Qualifier);
  const sid = input.StatementId ?? '';
  if (!STATEMENT_ID.test(sid)) throw lambdaError('InvalidParameterValueException', `Statement id '${sid}' is not valid`);
  if (input.Action === undefined || !/^(lambda:)?[A-Za-z*]+$/.test(input.Action)) throw lambdaError('InvalidParameterValueException', 'Action is not valid');
  if (input.Principal === undefined || input.Principal === '') throw lambdaError('InvalidParameterValueException', 'Principal is required');
  if (input.RevisionId !== undefined && input.RevisionId !== `${resolved.record.revision}`) {
    throw lambdaError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.');
  }
  const statements = statementsOf(resolved);
  if (statements.some((statement) => statement.Sid === sid)) {
    throw lambdaError(
      'ResourceConflictException',
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const action = input.Action.startsWith('lambda:') ? input.Action : `lambda:${input.Action}`;
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: input.Principal.includes('.') ? { Service: input.Principal } : { AWS: input.Principal },
    Action: action,
    Resource: resolved.resource,
    ...((input.SourceArn !== undefined || input.SourceAccount !== undefined) && {
      Condition: {
        ...(input.SourceArn !== undefined && { ArnLike: { 'AWS:SourceArn': input.SourceArn } }),
        ...(input.SourceAccount !== undefined && { StringEquals: { 'AWS:SourceAccount': input.SourceAccount } }),
      },
    }),
  };
  statements.push(statement);
  resolved.record.revision += 1;
  return { Statement: JSON.stringify(statement) };
}

function removePermission(state: FakeState, input: RemovePermissionRequest): object {
  const resolved = resolveFunction(state, input.FunctionName, input.Qualifier);
  const statements = statementsOf(resolved);
  const index = statements.findIndex((statement) => statement.Sid === input.StatementId);
  if (index === -1) throw lambdaError('ResourceNotFoundException', 'The resource you requested does not exist.');
  if (input.RevisionId !== undefined && input.RevisionId !== `${resolved.record.revision}`) {
    throw lambdaError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.');
  }
  statements.splice(index, 1);
  resolved.record.revision += 1;
  return {};
}

/**
 * Whether the function's policy lets the load balancer invoke it from this target group: a statement
 * allowing lambda:InvokeFunction to elasticloadbalancing.amazonaws.com, with no SourceArn condition or
 * one that names the target group (ArnLike, `*` wildcards).
 */
export function invokableBy(state: FakeState, functionArnWithQualifier: string, targetGroupArn: string): boolean {
  let resolved: Resolved;
  try {
    resolved = resolveFunction(state, functionArnWithQualifier, undefined);
  } catch {
    return false;
  }
  return statementsOf(resolved).some((statement) => {
    if (statement.Effect !== 'Allow' || statement.Principal.Service !== ELB_PRINCIPAL) return false;
    if (statement.Action !== 'lambda:InvokeFunction' && statement.Action !== 'lambda:*') return false;
    const source = statement.Condition?.ArnLike?.['AWS:SourceArn'];
    if (source === undefined) return true;
    const pattern = new RegExp(
      `^${source
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return pattern.test(targetGroupArn);
  });
}

export const lambdaHandlers: Readonly<Record<string, Handler>> = {
  GetFunctionConfiguration: handler(getFunctionConfiguration),
  GetPolicy: handler(getPolicy),
  ListTags: handler(listTags),
  AddPermission: handler(addPermission),
  RemovePermission: handler(removePermission),
};
