/**
 * Rule transforms (`url-rewrite`, `host-header-rewrite`): what the target is sent once a rule has
 * matched, evaluated as the ALB documents them ("Transforms for listener rules"):
 * - a rewrite never changes which rule matched: it runs after routing, on forwarded requests;
 * - `url-rewrite` matches the request target, path and query (`/path?query`), so a replacement
 *   may move a path segment into the query (`/dp/(\w+)` → `/product?id=$1`);
 * - `host-header-rewrite` matches the Host's name, without the `:port` a local listener adds (rule
 *   conditions read it the same way, rule-match.ts); the port, if any, is kept after the new name;
 * - no match: the request goes on unchanged; a match whose result is not a valid request target or
 *   host: HTTP 500, as the ALB answers a transform that fails;
 * - the first match is replaced (one rewrite per transform), capture groups as `$1`…`$9`.
 *
 * The regexes run on RE2 (re2js), like `regexValues` (regex-values.ts): linear in the subject, so no
 * pattern can stall the process. Each transform is compiled once, when first used or installed.
 * @module
 */
import { RE2JS } from 're2js';
import type { Transform } from '../../src/model.js';

export interface RewriteSubject {
  /** The origin-form request target: the normalised path, and `?query` when the request had one. */
  target: string;
  /** The Host header as sent. */
  host: string;
}

export type RewriteResult = { ok: true; target?: string; host?: string } | { ok: false; problem: string };

type CompiledTransform = { ok: true; pattern: RE2JS } | { ok: false; problem: string };

const compiled = new WeakMap<Transform, CompiledTransform>();

function compiledTransform(transform: Transform): CompiledTransform {
  let entry = compiled.get(transform);
  if (!entry) {
    try {
      entry = { ok: true, pattern: RE2JS.compile(transform.regex) };
    } catch (error) {
      entry = {
        ok: false,
        problem: `${transform.type} regex ${JSON.stringify(transform.regex)} cannot be compiled by RE2 and is never applied: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    compiled.set(transform, entry);
  }
  return entry;
}

/** Compiles the transforms now (when rules are installed); the problems are those that cannot be. */
export function compileTransforms(transforms: readonly Transform[] | undefined): string[] {
  return (transforms ?? []).flatMap((transform) => {
    const entry = compiledTransform(transform);
    return entry.ok ? [] : [entry.problem];
  });
}

/** What the target is sent: the rewritten target and Host, where a transform matched. */
export function applyTransforms(transforms: readonly Transform[] | undefined, subject: RewriteSubject): RewriteResult {
  let target: string | undefined;
  let host: string | undefined;
  for (const transform of transforms ?? []) {
    const entry = compiledTransform(transform);
    if (!entry.ok) continue;
    if (transform.type === 'url-rewrite') {
      const rewritten = replaceFirst(entry.pattern, subject.target, transform.replace);
      if (rewritten === undefined) continue;
      if (!isOriginForm(rewritten)) return { ok: false, problem: `url-rewrite made ${JSON.stringify(rewritten)}, which is not a request target` };
      target = rewritten;
    } else {
      const { name, port } = splitHost(subject.host);
      const rewritten = replaceFirst(entry.pattern, name, transform.replace);
      if (rewritten === undefined) continue;
      if (!isHostName(rewritten)) return { ok: false, problem: `host-header-rewrite made ${JSON.stringify(rewritten)}, which is not a host name` };
      host = rewritten + port;
    }
  }
  return { ok: true, ...(target !== undefined ? { target } : {}), ...(host !== undefined ? { host } : {}) };
}

function replaceFirst(pattern: RE2JS, subject: string, replace: string): string | undefined {
  const matcher = pattern.matcher(subject);
  if (!matcher.find()) return undefined;
  // re2js reads the replacement as String.prototype.replace does (`$1`, `$<name>`, `$$`), which
  // covers the ALB's `$1`…`$9`; a fresh matcher, since find() moved this one past the match.
  return pattern.matcher(subject).replaceFirst(replace);
}

/** `name` and `:port` (or ''), IPv6 literals kept whole. */
function splitHost(host: string): { name: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(:\d*)?$/.exec(host);
  return match ? { name: match[1] ?? '', port: match[2] ?? '' } : { name: host, port: '' };
}

/** Visible ASCII without spaces, starting with `/`: what a request line may carry. */
function isOriginForm(target: string): boolean {
  return target.startsWith('/') && /^[\x21-\x7e]*$/.test(target);
}

/** A DNS name (letters, digits, `-`, `_`, `.`) or an IP literal. */
function isHostName(host: string): boolean {
  return host.length > 0 && host.length <= 253 && (/^[A-Za-z0-9_.-]+$/.test(host) || /^\[[0-9A-Fa-f:.]+\]$/.test(host));
}
