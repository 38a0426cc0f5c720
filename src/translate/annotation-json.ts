/**
 * Reading the JSON values of `actions.*` and `conditions.*` the way aws-load-balancer-controller's
 * Go decoder does: object keys match case-insensitively (an exact match first), and `null` counts
 * as absent. Manifests written for it, such as `sourceIpConfig` for its `sourceIPConfig`, read the
 * same here.
 * @module
 */
import { accept, controlCharacterProblem, escapeControls, quote, reject, type Parsed } from './annotation-values.js';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function member(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name] ?? undefined;
  const folded = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === folded);
  return key === undefined ? undefined : (object[key] ?? undefined);
}

const MAX_ECHO = 100;

/** A JSON value as a message shows it, cut when long. */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quote(value);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // parseJson bounds the depth; this keeps a message from ever being what fails.
    return 'a value that cannot be shown';
  }
  return escapeControls(text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}… (${text.length} characters)`);
}

export interface StringRules {
  /** Longest accepted length, in characters. */
  maxLength: number;
}

/** An optional string member; present means a non-empty string within the length limit. */
export function optionalString(object: JsonObject, name: string, path: string, rules: StringRules): Parsed<string | undefined> {
  const value = member(object, name);
  if (value === undefined) return accept(undefined);
  if (typeof value !== 'string' || value === '' || value.length > rules.maxLength) {
    return reject(`${path} must be a non-empty string of at most ${rules.maxLength} characters, got ${describeJson(value)}`);
  }
  const control = controlCharacterProblem(value);
  if (control !== undefined) return reject(`${path} ${control}`);
  return accept(value);
}

/** A string, or a number written where aws-load-balancer-controller's examples quote it (`"503"`). */
export function stringOrNumber(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

/** An optional list of non-empty strings; present means at least one item. */
export function optionalStringList(object: JsonObject, name: string, path: string, rules: StringRules): Parsed<string[] | undefined> {
  const value = member(object, name);
  if (value === undefined) return accept(undefined);
  const expected = `${path} must be a non-empty list of non-empty strings of at most ${rules.maxLength} characters`;
  if (!Array.isArray(value) || value.length === 0) return reject(`${expected}, got ${describeJson(value)}`);
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' || item === '' || item.length > rules.maxLength) {
      return reject(`${expected}; ${path}[${index}] is ${describeJson(item)}`);
    }
    const control = controlCharacterProblem(item);
    if (control !== undefined) return reject(`${path}[${index}] ${control}`);
  }
  return accept(value as string[]);
}

export function optionalInteger(object: JsonObject, name: string, path: string, range: { min: number; max: number }): Parsed<number | undefined> {
  const value = member(object, name);
  if (value === undefined) return accept(undefined);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    return reject(`${path} must be an integer from ${range.min} to ${range.max}, got ${describeJson(value)}`);
  }
  return accept(value);
}
