/**
 * Shield Advanced protections, as far as the controller uses them: CreateProtection (one protection
 * per resource: a second is ResourceAlreadyExistsException; the resource must exist), tags given at
 * creation (kept under the protection's ARN, so IAM can condition DeleteProtection on them),
 * DeleteProtection by id, ListProtections (filtered by resource type or ARN, paged) and
 * DescribeProtection (by protection id or by resource ARN, not both). A protection outlives its resource here, as the controller must not rely on
 * AWS cleaning it up.
 * @module
 */
import type { CreateProtectionRequest, DeleteProtectionRequest, DescribeProtectionRequest, ListProtectionsRequest, Protection } from '@aws-sdk/client-shield';
import { protectionArn } from './arns.js';
import { shieldError } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import { handler, setTags, type FakeState, type Handler, type ProtectionRecord } from './state.js';

const NAME = /^[ a-zA-Z0-9_.-]{1,128}$/;

function describe(record: ProtectionRecord): Protection {
  return { Id: record.id, Name: record.name, ResourceArn: record.resourceArn, ProtectionArn: record.arn };
}

function createProtection(state: FakeState, input: CreateProtectionRequest): object {
  if (!NAME.test(input.Name ?? ''))
    throw shieldError('InvalidParameterException', `Name '${input.Name ?? ''}' must be 1 to 128 letters, digits, spaces or _.-`);
  const resourceArn = input.ResourceArn ?? '';
  if (!state.loadBalancers.has(resourceArn)) throw shieldError('InvalidResourceException', `Resource '${resourceArn}' does not exist or cannot be protected`);
  if ([...state.protections.values()].some((protection) => protection.resourceArn === resourceArn)) {
    throw shieldError('ResourceAlreadyExistsException', `Resource '${resourceArn}' is already protected`);
  }
  const id = state.ids.uuid();
  const record: ProtectionRecord = { id, arn: protectionArn(state, id), name: input.Name ?? '', resourceArn };
  state.protections.set(id, record);
  const tags = (input.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''] as const);
  if (tags.length > 0) setTags(state, record.arn, tags);
  return { ProtectionId: id };
}

function deleteProtection(state: FakeState, input: DeleteProtectionRequest): object {
  const record = state.protections.get(input.ProtectionId ?? '');
  if (record === undefined) throw shieldError('ResourceNotFoundException', `Protection '${input.ProtectionId ?? ''}' not found`);
  state.protections.delete(record.id);
  state.tags.delete(record.arn);
  return {};
}

function describeProtection(state: FakeState, input: DescribeProtectionRequest): object {
  if ((input.ProtectionId === undefined) === (input.ResourceArn === undefined)) {
    throw shieldError('InvalidParameterException', 'Exactly one of ProtectionId or ResourceArn must be specified');
  }
  const record = [...state.protections.values()].find((protection) => protection.id === input.ProtectionId || protection.resourceArn === input.ResourceArn);
  if (record === undefined) throw shieldError('ResourceNotFoundException', 'The protection does not exist');
  return { Protection: describe(record) };
}

function listProtections(state: FakeState, input: ListProtectionsRequest): object {
  const filters = input.InclusionFilters;
  const types = filters?.ResourceTypes;
  const selected = [...state.protections.values()].filter(
    (protection) =>
      (types === undefined || (types.includes('APPLICATION_LOAD_BALANCER') && protection.resourceArn.includes(':loadbalancer/app/'))) &&
      (filters?.ResourceArns === undefined || filters.ResourceArns.includes(protection.resourceArn)),
  );
  const invalid = (message: string): Error => shieldError('InvalidParameterException', message);
  const requested = checkPageSize(input.MaxResults, { min: 0, max: 10000, field: 'MaxResults' }, invalid);
  const page = pageOf(state, selected, { api: 'ListProtections', token: input.NextToken, requested, defaultSize: 20, invalidToken: invalid });
  return { Protections: page.items.map(describe), ...(page.next !== undefined && { NextToken: page.next }) };
}

export const shieldHandlers: Readonly<Record<string, Handler>> = {
  CreateProtection: handler(createProtection),
  DeleteProtection: handler(deleteProtection),
  DescribeProtection: handler(describeProtection),
  ListProtections: handler(listProtections),
};
