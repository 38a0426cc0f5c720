/**
 * Tags of resources that already exist: AddTags for keys that are missing or differ, RemoveTags for
 * keys we no longer want. Created resources get their tags in the Create call itself, so a crash can
 * never leave an untagged (and so unfindable) resource behind.
 *
 * AddTags and RemoveTags take up to 20 ARNs of any ELBv2 kind and apply the same change to all of
 * them, so resources whose change is identical (a new tags annotation touches the load balancer,
 * every listener and every rule alike) share one call.
 * @module
 */
import type { Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsOperation } from './operations.js';
import { toElbv2Tags } from './elbv2-shapes.js';
import { tagRecord } from './tags.js';

/** AddTags/RemoveTags accept at most 20 resource ARNs per call. */
const TAG_BATCH_SIZE = 20;

export interface TagChange {
  /** The ARN, or a placeholder apply resolves. */
  arn: string;
  resource: string;
  add: Tag[];
  remove: string[];
}

/** AWS-reserved keys cannot be removed, and resources may carry them. */
const RESERVED_PREFIX = 'aws:';

export function tagChange(options: { arn: string; resource: string; desired: Record<string, string>; observed: readonly Tag[] }): TagChange | undefined {
  const current = tagRecord(options.observed);
  const add = toElbv2Tags(Object.fromEntries(Object.entries(options.desired).filter(([key, value]) => current[key] !== value)));
  const remove = Object.keys(current)
    .filter((key) => !(key in options.desired) && !key.startsWith(RESERVED_PREFIX))
    .sort();
  if (add.length === 0 && remove.length === 0) return undefined;
  return { arn: options.arn, resource: options.resource, add, remove };
}

export function tagOperations(changes: readonly TagChange[]): AwsOperation[] {
  const adds = groupBy(
    changes.filter((change) => change.add.length > 0),
    (change) => JSON.stringify(change.add),
  );
  const removes = groupBy(
    changes.filter((change) => change.remove.length > 0),
    (change) => JSON.stringify(change.remove),
  );
  const operations: AwsOperation[] = [];
  for (const group of adds) {
    for (const batch of chunks(group, TAG_BATCH_SIZE)) {
      operations.push(operation('AddTags', batch, { ResourceArns: batch.map((change) => change.arn), Tags: batch[0]?.add ?? [] }));
    }
  }
  for (const group of removes) {
    for (const batch of chunks(group, TAG_BATCH_SIZE)) {
      operations.push(operation('RemoveTags', batch, { ResourceArns: batch.map((change) => change.arn), TagKeys: batch[0]?.remove ?? [] }));
    }
  }
  return operations;
}

function operation(action: 'AddTags' | 'RemoveTags', batch: readonly TagChange[], input: Record<string, unknown>): AwsOperation {
  const [first] = batch;
  const resource = batch.length === 1 ? (first?.resource ?? '') : `${first?.resource ?? ''} and ${batch.length - 1} more`;
  return { action, resource, detail: { service: 'elbv2', input } };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
