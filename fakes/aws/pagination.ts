/**
 * Paging shared by every list call. Tokens are opaque to callers (base64url of an offset), and a
 * token from one API is rejected by another, as AWS rejects foreign tokens.
 * @module
 */
import type { FakeState } from './state.js';

interface PageRequest {
  /** Identifies the API, so a token cannot be replayed on another one. */
  api: string;
  token: string | undefined;
  /** The caller's page size, if it sent one (already validated). */
  requested: number | undefined;
  /** The API's own default (and maximum when the caller sends none). */
  defaultSize: number;
  invalidToken: (message: string) => Error;
}

interface Page<T> {
  items: T[];
  next: string | undefined;
}

export function pageOf<T>(state: FakeState, all: readonly T[], request: PageRequest): Page<T> {
  const start = request.token === undefined || request.token === '' ? 0 : decodeToken(request);
  const cap = state.limits.maxPageSize ?? Number.POSITIVE_INFINITY;
  const size = Math.min(request.requested ?? request.defaultSize, cap);
  const items = all.slice(start, start + size);
  const end = start + items.length;
  return { items, next: end < all.length ? encodeToken(request.api, end) : undefined };
}

function encodeToken(api: string, offset: number): string {
  return Buffer.from(`${api}:${offset}`).toString('base64url');
}

function decodeToken(request: PageRequest): number {
  const text = Buffer.from(request.token ?? '', 'base64url').toString();
  const match = /^(.+):(\d+)$/.exec(text);
  if (match?.[1] !== request.api) throw request.invalidToken(`The pagination token '${request.token}' is not valid`);
  return Number(match[2]);
}

/** Checks an integer page-size parameter against its documented range. */
export function checkPageSize(
  value: number | undefined,
  range: { min: number; max: number; field: string },
  invalid: (message: string) => Error,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw invalid(`${range.field} must be an integer between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}
