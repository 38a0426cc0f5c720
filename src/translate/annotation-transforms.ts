/**
 * `transforms.<name>` values, in aws-load-balancer-controller's format (v2.14, #4396):
 * `[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.+)$","replace":"/$1"}]}},
 *   {"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^(.+)\\.example\\.com$","replace":"$1.example.org"}]}}]`
 * ALB's rules ("Transforms for listener rules", Application Load Balancers guide): one URL rewrite
 * and one host-header rewrite per rule, none on a default rule; regex and replace at most 1,024
 * characters each (RewriteConfig), the regex in the same dialect as rule conditions (see regex.ts);
 * the replacement may insert capture groups ($1, $2, …). What a rewrite produces reaches the target
 * as its request line or Host header, so the replacement is limited to what those can carry.
 * @module
 */
import { RE2JS } from 're2js';
import type { Transform } from '../model.js';
import { describeJson, isJsonObject, member } from './annotation-json.js';
import { accept, parseJson, quote, reject, type Parsed } from './annotation-values.js';
import { regexValueProblem } from './regex.js';

/** RewriteConfig: Regex and Replace are at most 1,024 characters each. */
const MAX_REWRITE = 1024;
const CONFIG_MEMBER: Record<Transform['type'], string> = {
  'url-rewrite': 'urlRewriteConfig',
  'host-header-rewrite': 'hostHeaderRewriteConfig',
};
/** What a rewritten path and query may hold besides `$n`: visible ASCII (percent-encode the rest). */
const URL_REPLACE = /^[\x21-\x7e]*$/;
/** What a rewritten Host may hold besides `$n`: host-name characters and a port. */
const HOST_REPLACE = /^[A-Za-z0-9.:_-]*$/;

export function parseTransforms(raw: string): Parsed<Transform[]> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  if (!Array.isArray(json.value) || json.value.length === 0) {
    return reject('expected a non-empty JSON list such as [{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]');
  }
  const transforms: Transform[] = [];
  for (const [index, item] of json.value.entries()) {
    const transform = parseTransform(item, `[${index}]`);
    if (!transform.ok) return transform;
    if (transforms.some((other) => other.type === transform.value.type)) {
      return reject(`[${index}] is a second ${transform.value.type}; the ALB allows one transform of each type per rule`);
    }
    transforms.push(transform.value);
  }
  return accept(transforms);
}

function parseTransform(item: unknown, path: string): Parsed<Transform> {
  if (!isJsonObject(item)) return reject(`${path} must be an object {"type":"url-rewrite","urlRewriteConfig":{...}}`);
  const type = member(item, 'type');
  if (type !== 'url-rewrite' && type !== 'host-header-rewrite') {
    return reject(`${path}.type must be url-rewrite or host-header-rewrite, got ${describeJson(type)}`);
  }
  const configName = CONFIG_MEMBER[type];
  const config = member(item, configName);
  if (!isJsonObject(config)) return reject(`${path} needs ${configName}: {"rewrites":[{"regex":"…","replace":"…"}]}`);
  const rewrites = member(config, 'rewrites');
  if (!Array.isArray(rewrites) || rewrites.length !== 1) {
    return reject(`${path}.${configName}.rewrites must list exactly one {"regex":"…","replace":"…"}, got ${describeJson(rewrites)}`);
  }
  const rewrite: unknown = rewrites[0];
  const at = `${path}.${configName}.rewrites[0]`;
  if (!isJsonObject(rewrite)) return reject(`${at} must be an object {"regex":"…","replace":"…"}`);
  const regex = member(rewrite, 'regex');
  const replace = member(rewrite, 'replace');
  if (typeof regex !== 'string') return reject(`${at}.regex must be a string, got ${describeJson(regex)}`);
  if (typeof replace !== 'string') return reject(`${at}.replace must be a string, got ${describeJson(replace)}`);
  const regexProblem = regexValueProblem(regex, MAX_REWRITE);
  if (regexProblem !== undefined) return reject(`${at}.regex ${regexProblem}`);
  const replaceProblem = replacementProblem(type, regex, replace);
  if (replaceProblem !== undefined) return reject(`${at}.replace ${quote(replace)} ${replaceProblem}`);
  return accept({ type, regex, replace });
}

function replacementProblem(type: Transform['type'], regex: string, replace: string): string | undefined {
  if (replace.length > MAX_REWRITE) return `is ${replace.length} characters; the ALB allows ${MAX_REWRITE}`;
  const groups = RE2JS.compile(regex).groupCount();
  const literal = replace.replace(/\$(\d+)/g, '');
  if (literal.includes('$')) return 'has a "$" that does not start a capture group reference ($1, $2, …)';
  for (const match of replace.matchAll(/\$(\d+)/g)) {
    const group = Number(match[1]);
    if (group > groups) return `refers to capture group $${group}, but the regex has ${groups}`;
  }
  if (type === 'url-rewrite') {
    if (!URL_REPLACE.test(literal)) return 'must be visible ASCII without spaces (percent-encode the rest)';
    if (!replace.startsWith('/') && !replace.startsWith('$')) return 'must start with "/" (or a capture group that holds one)';
    return undefined;
  }
  if (replace === '') return 'is empty; a Host header cannot be empty';
  return HOST_REPLACE.test(literal) ? undefined : 'must be a host name (letters, digits, ".", "-", "_" and an optional ":port")';
}
