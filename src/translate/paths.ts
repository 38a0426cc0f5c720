/**
 * Ingress paths → path-pattern conditions, exactly as the Ingress specification matches them:
 * - Exact: the request path equals the path, case-sensitive (`/foo` does not match `/foo/`);
 * - Prefix: element-wise on `/`-split paths (`/foo` matches `/foo`, `/foo/`, `/foo/bar`, not
 *   `/foobar`); a trailing `/` in the rule is ignored;
 * - ImplementationSpecific: Prefix. A trailing `/*` (the aws-load-balancer-controller idiom) is read
 *   as the Prefix of what precedes it; every other `*` or `?` is literal.
 * Plain ALB values are used where they say exactly that; otherwise an anchored regex.
 * @module
 */
import type { Condition } from '../model.js';
import { quote } from './annotation-values.js';
import { escapeRegex } from './regex.js';

export type PathType = 'Exact' | 'Prefix';

export interface ParsedPath {
  /** The path as matched: for Prefix, without a trailing `/` (empty for the root prefix). */
  path: string;
  pathType: PathType;
  /** A note for the user when the path was read in a way they might not expect. */
  note?: string;
  /** An ingress-nginx regex path (src/translate/nginx/): matched by this anchored regex instead; `path` still orders it by length. */
  regex?: string;
}

export type PathResult = { ok: true; value: ParsedPath } | { ok: false; field: 'path' | 'pathType'; message: string };

const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'];
/** Characters an ALB path-pattern value takes literally (besides the wildcards `*` and `?`). */
const ALB_LITERAL_PATH = /^[A-Za-z0-9_\-.$/~"'@:+]*$/;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
/** Sequences the API server refuses in Exact and Prefix paths. */
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];

export function parsePath(rawPath: string | undefined, rawType: string | undefined): PathResult {
  if (rawType === undefined || rawType === '') {
    return { ok: false, field: 'pathType', message: 'pathType is required: one of Exact, Prefix, ImplementationSpecific' };
  }
  if (!PATH_TYPES.includes(rawType)) {
    return { ok: false, field: 'pathType', message: `pathType ${quote(rawType)} is not one of Exact, Prefix, ImplementationSpecific` };
  }
  const implementationSpecific = rawType === 'ImplementationSpecific';
  const path = rawPath === undefined || rawPath === '' ? (implementationSpecific ? '/' : undefined) : rawPath;
  if (path === undefined) return { ok: false, field: 'path', message: `path is required for pathType ${rawType}` };
  if (!path.startsWith('/')) return { ok: false, field: 'path', message: `path ${quote(path)} must start with "/"` };
  if (!VISIBLE_ASCII.test(path)) {
    return { ok: false, field: 'path', message: `path ${quote(path)} has spaces, control or non-ASCII characters; percent-encode them` };
  }
  const bad = INVALID_SEQUENCES.find((sequence) => path.includes(sequence));
  if (bad || path.endsWith('/..') || path.endsWith('/.')) {
    return { ok: false, field: 'path', message: `path ${quote(path)} must not contain "//", "/./", "/../" or "%2f", nor end with "/." or "/.."` };
  }
  if (rawType === 'Exact') return { ok: true, value: { path, pathType: 'Exact' } };
  if (implementationSpecific && path.endsWith('/*')) {
    return {
      ok: true,
      value: {
        path: stripTrailingSlashes(path.slice(0, -1)),
        pathType: 'Prefix',
        note: `ImplementationSpecific path "${path}" is read as Prefix "${path.slice(0, -1) || '/'}"`,
      },
    };
  }
  return { ok: true, value: { path: stripTrailingSlashes(path), pathType: 'Prefix' } };
}

function stripTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

export function pathCondition({ path, pathType, regex }: ParsedPath): Condition {
  if (regex !== undefined) return { field: 'path-pattern', regexValues: [regex] };
  const literal = ALB_LITERAL_PATH.test(path);
  if (pathType === 'Exact') {
    return literal ? { field: 'path-pattern', values: [path] } : { field: 'path-pattern', regexValues: [`^${escapeRegex(path)}$`] };
  }
  if (path === '') return { field: 'path-pattern', values: ['/*'] };
  return literal ? { field: 'path-pattern', values: [path, `${path}/*`] } : { field: 'path-pattern', regexValues: [`^${escapeRegex(path)}(/.*)?$`] };
}
