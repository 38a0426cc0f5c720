/**
 * ingress-nginx's rewrites: `rewrite-target` (or `use-regex`) on any Ingress of a host turns every
 * path of that host into a case-insensitive regex anchored at the start only, and the rewrite is
 * `rewrite "(?i)<path>" <target> break`: the first match anywhere in the path, the whole path
 * replaced by the target with `$1`… filled in, the query kept; `upstream-vhost` rewrites the Host
 * header. Both become transforms of the path's forwards.
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import { controlCharacterProblem, quote } from '../annotation-values.js';
import { escapeRegex, regexValueProblem } from '../regex.js';
import { isCanaryIngress } from './canary.js';
import { isTrueWord, nginxAnnotations, type Json, type NginxAnnotationReader } from './reader.js';

const VHOST = /^[A-Za-z0-9._-]{1,253}(:\d{1,5})?$/;

export interface Rewrite {
  /** rewrite-target, as written. */
  target?: string;
  /** upstream-vhost, as written. */
  vhost?: string;
}

export function readRewrite(reader: NginxAnnotationReader): Rewrite {
  const target = reader.use('rewrite-target');
  if (target !== undefined && (/\$(?!\d)/.test(target) || !target.startsWith('/') || /\s/.test(target) || controlCharacterProblem(target) !== undefined))
    reader.invalid('rewrite-target', 'expected a path starting with "/" that uses no nginx variable other than the capture groups $1…$9');
  const vhost = reader.use('upstream-vhost');
  if (vhost !== undefined && !VHOST.test(vhost))
    reader.invalid('upstream-vhost', 'expected a host name (letters, digits, ".", "-", "_", an optional :port), without nginx variables');
  reader.boolean('use-regex', false);
  return { ...(target !== undefined && { target }), ...(vhost !== undefined && { vhost }) };
}

/** Hosts whose paths ingress-nginx turns into regexes: some Ingress of the host uses rewrite-target or use-regex. */
export function regexHosts(ingress: V1Ingress, others: readonly V1Ingress[]): Set<string> {
  const hosts = new Set<string>();
  for (const candidate of [ingress, ...others]) {
    if (isCanaryIngress(candidate)) continue;
    const values = nginxAnnotations(candidate);
    const target = values.get('rewrite-target');
    const regex = isTrueWord(values.get('use-regex'));
    for (const rule of candidate.spec?.rules ?? []) {
      const rewrites = target !== undefined && (rule.http?.paths ?? []).some((path) => path.path !== target);
      if (regex || rewrites) hosts.add((rule.host ?? '').toLowerCase());
    }
  }
  return hosts;
}

/** The transforms of one path's forwards. */
export function rewriteTransforms(reader: NginxAnnotationReader, path: string, rewrite: Rewrite, regex: boolean): Json[] {
  const { target, vhost } = rewrite;
  const transforms: Json[] = [];
  if (target !== undefined && target !== path) {
    // nginx: rewrite "(?i)<path>" <target> — the first match anywhere in the path, the whole path
    // replaced; the query stays. A path that is not a regex (no rewrite makes it one) is literal.
    const pattern = regex ? path : escapeRegex(path);
    const expression = `^[^?]*?(?i:${pattern})[^?]*`;
    const problem = regexValueProblem(expression, 1024);
    if (problem !== undefined) reader.invalid('rewrite-target', `the path ${quote(path)} as a regex ${problem}`);
    else transforms.push({ type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: expression, replace: target }] } });
  }
  if (vhost !== undefined && VHOST.test(vhost))
    transforms.push({ type: 'host-header-rewrite', hostHeaderRewriteConfig: { rewrites: [{ regex: '^.*$', replace: vhost }] } });
  return transforms;
}
