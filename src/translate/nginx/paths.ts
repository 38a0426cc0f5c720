/**
 * A path of a host where ingress-nginx matches by regex (rewrite.ts decides which): `location ~*
 * "^<path>"`, case-insensitive and anchored at the start only, whatever the pathType. Its length
 * orders it among the host's rules, as ingress-nginx sorts locations longest first.
 * @module
 */
import { quote } from '../annotation-values.js';
import type { PathResult } from '../paths.js';
import { regexValueProblem } from '../regex.js';

export function parseNginxRegexPath(rawPath: string | undefined): PathResult {
  const path = rawPath === undefined || rawPath === '' ? '/' : rawPath;
  if (!path.startsWith('/')) return { ok: false, field: 'path', message: `path ${quote(path)} must start with "/"` };
  const regex = `(?i)^${path}`;
  const problem = regexValueProblem(regex);
  if (problem !== undefined)
    return {
      ok: false,
      field: 'path',
      message: `path ${quote(path)} is an nginx regex here (use-regex or rewrite-target on this host), and as one it ${problem}`,
    };
  return { ok: true, value: { path, pathType: 'Prefix', regex } };
}
