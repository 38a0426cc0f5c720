/**
 * The placeholders a plan's inputs carry for ids that do not exist yet: `${Kind:key}` inside a
 * string, or an array element that is exactly a list placeholder (`${Subnets}`). diff finds them
 * here; apply/references.ts replaces them just before a call is sent.
 * @module
 */

export const PLACEHOLDER = /\$\{[A-Za-z]+(?::[^}]*)?\}/g;

/** Every placeholder in a JSON-like value, in the order they appear. */
export function placeholdersIn(value: unknown): string[] {
  if (typeof value === 'string') return value.match(PLACEHOLDER) ?? [];
  if (Array.isArray(value)) return value.flatMap(placeholdersIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(placeholdersIn);
  return [];
}
