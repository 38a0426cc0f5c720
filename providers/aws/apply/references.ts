/**
 * Placeholders in a plan's inputs, replaced just before the call is sent. `${Kind:key}` inside a
 * string becomes the ARN or ID it names; an array element that is exactly a list placeholder
 * (`${Subnets}`) becomes the list's members. A placeholder nothing resolves is an error that names
 * it, never a call with a literal `${…}` in it.
 * @module
 */
import { PLACEHOLDER, placeholdersIn } from '../plan/placeholders.js';

export type ReferenceValue = string | readonly string[];

/** Finds a placeholder's value: a known reference, or a lookup made on first use. */
export type ResolveReference = (ref: string) => Promise<ReferenceValue | undefined>;

export class UnresolvedReferenceError extends Error {
  override readonly name = 'UnresolvedReferenceError';
}

/** A copy of `value` with every placeholder replaced. */
export async function resolvePlaceholders<T>(value: T, resolve: ResolveReference): Promise<T> {
  const values = new Map<string, ReferenceValue>();
  for (const ref of new Set(placeholdersIn(value))) {
    const found = await resolve(ref);
    if (found === undefined) throw new UnresolvedReferenceError(`${ref} is not known: nothing observed or created earlier in the plan provides it`);
    values.set(ref, found);
  }
  return substitute(value, values) as T;
}

function substitute(value: unknown, values: ReadonlyMap<string, ReferenceValue>): unknown {
  if (typeof value === 'string') return substituteString(value, values);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const list = typeof item === 'string' ? values.get(item) : undefined;
      return isList(list) ? [...list] : [substitute(item, values)];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}

function isList(value: ReferenceValue | undefined): value is readonly string[] {
  return Array.isArray(value);
}

function substituteString(text: string, values: ReadonlyMap<string, ReferenceValue>): string {
  return text.replace(PLACEHOLDER, (ref) => {
    const found = values.get(ref);
    if (typeof found !== 'string') throw new UnresolvedReferenceError(`${ref} is a list and cannot stand inside a string`);
    return found;
  });
}

/** The value at a dotted path of a call's output, e.g. `TargetGroups.0.TargetGroupArn`. */
export function valueAtPath(output: unknown, path: string): string | undefined {
  let current: unknown = output;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === 'string' ? current : undefined;
}
