/**
 * EC2's selection by ids, its Filters (AND across filters, OR across a filter's values, `*` and `?` wildcards, `tag:<key>`
 * and `tag-key`), EC2 paging (MaxResults/NextToken, everything at once when MaxResults is absent),
 * EC2 tag checks, and the Tags list shape. A filter name the fake does not know fails loudly, since
 * AWS would have applied it.
 * @module
 */
import type { Filter, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { ec2Error, unsupportedAction } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import type { FakeState } from './state.js';

type FieldValues<T> = (item: T) => readonly (string | undefined)[];

function wildcardPattern(value: string): RegExp {
  const escaped = value.replace(/\\([*?])|([*?])|([.+^${}()|[\]\\])/g, (_match, literal?: string, wildcard?: string, special?: string) => {
    if (literal !== undefined) return `\\${literal}`;
    if (wildcard !== undefined) return wildcard === '*' ? '.*' : '.';
    return `\\${special ?? ''}`;
  });
  return new RegExp(`^${escaped}$`, 's');
}

/** What a Describe selects before its Filters: the records of the ids it names, in that order (an unknown id fails the call), or all. */
export function selectByIds<T>(ids: readonly string[] | undefined, records: ReadonlyMap<string, T>, notFound: (id: string) => Error): T[] {
  if (ids === undefined) return [...records.values()];
  return ids.map((id) => {
    const record = records.get(id);
    if (record === undefined) throw notFound(id);
    return record;
  });
}

export function applyFilters<T>(
  state: FakeState,
  items: readonly T[],
  filters: readonly Filter[] | undefined,
  options: { action: string; fields: Readonly<Record<string, FieldValues<T>>>; tagKey: (item: T) => string },
): T[] {
  let result = [...items];
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const patterns = (filter.Values ?? []).map(wildcardPattern);
    const matches = (candidates: readonly (string | undefined)[]): boolean =>
      candidates.some((candidate) => candidate !== undefined && patterns.some((pattern) => pattern.test(candidate)));
    let valuesOf: FieldValues<T>;
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      valuesOf = (item) => [state.tags.get(options.tagKey(item))?.get(key)];
    } else if (name === 'tag-key') {
      valuesOf = (item) => [...(state.tags.get(options.tagKey(item))?.keys() ?? [])];
    } else {
      const field = options.fields[name];
      if (field === undefined) throw unsupportedAction('ec2', options.action, `filter '${name}'`);
      valuesOf = field;
    }
    result = result.filter((item) => matches(valuesOf(item)));
  }
  return result;
}

export function ec2Page<T>(
  state: FakeState,
  api: string,
  items: readonly T[],
  input: { MaxResults?: number | undefined; NextToken?: string | undefined; idsGiven: boolean },
): { items: T[]; NextToken?: string } {
  if (input.idsGiven && input.MaxResults !== undefined) {
    throw ec2Error('InvalidParameterCombination', 'The parameter MaxResults cannot be used with the parameter of resource IDs');
  }
  if (input.MaxResults === undefined && input.NextToken === undefined) return { items: [...items] };
  const invalid = (message: string): Error => ec2Error('InvalidParameterValue', message);
  const requested = checkPageSize(input.MaxResults, { min: 5, max: 1000, field: 'MaxResults' }, invalid);
  const page = pageOf(state, items, {
    api,
    token: input.NextToken,
    requested,
    defaultSize: 1000,
    invalidToken: (message) => ec2Error('InvalidNextToken', message),
  });
  return page.next === undefined ? { items: page.items } : { items: page.items, NextToken: page.next };
}

/** EC2 leaves `Tags` out of a resource that has none. */
export function tagList(state: FakeState, key: string): { Tags?: Tag[] } {
  const tags = state.tags.get(key);
  if (tags === undefined || tags.size === 0) return {};
  return { Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) };
}

export function checkEc2Tags(tags: readonly Tag[] | undefined): [string, string][] {
  return (tags ?? []).map((tag) => {
    const key = tag.Key ?? '';
    const value = tag.Value ?? '';
    if (key.length < 1 || key.length > 128) throw ec2Error('InvalidParameterValue', `Tag key '${key}' must be 1-128 characters long`);
    if (value.length > 256) throw ec2Error('InvalidParameterValue', `The value of tag '${key}' exceeds 256 characters`);
    if (key.toLowerCase().startsWith('aws:')) throw ec2Error('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    return [key, value];
  });
}

/** Tags from TagSpecifications, which must all name the resource type being created. */
export function tagsFromSpecifications(specifications: readonly TagSpecification[] | undefined, resourceType: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const specification of specifications ?? []) {
    if (specification.ResourceType !== resourceType) {
      throw ec2Error('InvalidParameterValue', `'${specification.ResourceType ?? ''}' is not a valid taggable resource type for this operation`);
    }
    pairs.push(...checkEc2Tags(specification.Tags));
  }
  return pairs;
}
