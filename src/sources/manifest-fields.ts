/**
 * Shape checks of single fields of a decoded YAML manifest, shared by the object checks. Messages
 * say what the value is and what is accepted, and point at quoting where YAML made a scalar a
 * boolean or a number.
 * @module
 */
import type { Severity } from '../model.js';

export type Mapping = Record<string, unknown>;

/** A problem with one field of the object being checked; the caller turns it into a Diagnostic. */
export interface Problem {
  severity: Severity;
  field: string;
  message: string;
}

/** A checked part of an object: its normalised value and what is wrong with it. */
export interface Checked<T> {
  value: T;
  problems: Problem[];
}

export function error(field: string, message: string): Problem {
  return { severity: 'error', field, message };
}

/** For a present field that must be a non-empty string (name, namespace). */
export function nonEmptyStringProblem(field: string, value: unknown): Problem[] {
  if (typeof value === 'string' && value !== '') return [];
  const hint = isScalar(value) ? '; quote the value in YAML' : '';
  return [error(field, `${field} must be a non-empty string, not ${describeValue(value)}${hint}`)];
}

export interface StringMapOptions {
  field: string;
  /** What one entry is called in messages: `annotation`, `label`, `data`. */
  noun: string;
  /** Whether a wrong value may be shown in the message; never for Secret data. */
  revealValues: boolean;
}

/** A map of string to string; a null value is read as "" as the API server does. */
export function checkStringMap(raw: unknown, options: StringMapOptions): Checked<Record<string, string> | undefined> {
  if (raw === undefined || raw === null) return { value: undefined, problems: [] };
  if (!isMapping(raw)) {
    const message = `${options.field} must be a mapping of string keys to string values, not ${describeType(raw)}`;
    return { value: undefined, problems: [error(options.field, message)] };
  }
  const map: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || value === null) {
      map[key] = value ?? '';
      continue;
    }
    const found = options.revealValues ? describeValue(value) : describeType(value);
    const hint = isScalar(value) ? '; quote the value in YAML' : '';
    problems.push(error(`${options.field}[${JSON.stringify(key)}]`, `${options.noun} value must be a string, not ${found}${hint}`));
  }
  return { value: map, problems };
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

export function isScalar(value: unknown): boolean {
  return typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint';
}

/** Booleans and numbers are shown, so a message can point at YAML's reading of an unquoted scalar. */
export function describeValue(value: unknown): string {
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`;
  return describeType(value);
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}
