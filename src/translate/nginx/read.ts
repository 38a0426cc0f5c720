/**
 * The `nginx.ingress.kubernetes.io/` annotation reader: an Ingress written for ingress-nginx → the
 * same Ingress in ingress-bridge's own annotations, which translate then serves like any other.
 * There is no second routing engine: rewrites become `transforms.<name>`, redirects, 403s and
 * weighted forwards `actions.<name>`, canary headers and source ranges `conditions.<name>`, on
 * paths that name those actions (`use-annotation`). The same result is what `migrate-from-nginx
 * --write` prints. Pure.
 *
 * What ingress-nginx does, and so what is reproduced (its docs/user-guide/nginx-configuration/
 * annotations.md, internal/ingress/controller/template/template.go and balancer.lua):
 * - `rewrite-target` (or `use-regex`) on any Ingress of a host turns every path of that host into
 *   a case-insensitive regex anchored at the start only (`location ~* "^<path>"`), ordered longest
 *   path first; the rewrite is `rewrite "(?i)<path>" <target> break`: the first match anywhere in
 *   the path, and the whole path replaced by the target with `$1`… filled in; the query is kept;
 * - a canary Ingress (`canary: "true"`) adds to the main Ingress of the same host and path: header
 *   first (`always`/`never`, or a value, or a pattern), then cookie (`always`/`never`), then weight;
 * - allow and deny source ranges answer 403 to the rest; redirects return before them.
 * @module
 */
import type { V1HTTPIngressPath, V1Ingress, V1IngressServiceBackend } from '@kubernetes/client-node';
import type { Diagnostic } from '../../model.js';
import { ALB_PREFIX, OWN_PREFIX } from '../annotation-types.js';
import { controlCharacterProblem, escapeControls, isCidr, quote } from '../annotation-values.js';
import { annotationKeyField, ingressDiagnostic } from '../diagnostics.js';
import { escapeRegex, regexValueProblem } from '../regex.js';
import { findUnmapped, MAPPED_KEYS, NGINX_PREFIX } from './keys.js';

export interface NginxReadOptions {
  /** `--nginx-unsupported`: `error` refuses an Ingress with a snippet annotation; `warn` serves it without. */
  unsupported: 'warn' | 'error';
}

export interface NginxReading {
  /** The Ingress in ingress-bridge's own annotations: what is served, and what `--write` emits. */
  ingress: V1Ingress;
  diagnostics: Diagnostic[];
  /** True when an annotation cannot be honoured safely: the Ingress is not served. */
  refused: boolean;
  /** Paths (`<rule index>:<path index>` of the converted Ingress) that are nginx regexes, matched as `(?i)^<path>`. */
  regexPaths: Set<string>;
  /** For a canary Ingress: the main Ingress its paths are served through. */
  canaryOf?: V1Ingress;
  /** A field of the converted Ingress → the field of the written one that a problem with it is about. */
  fields: Map<string, string>;
  /** The nginx keys mapped onto the load balancer, for the migration report. */
  mapped: string[];
}

type Json = Record<string, unknown>;

/** ALB forward weights are 0–999; ingress-nginx's canary-weight-total defaults to 100. */
const MAX_WEIGHT = 999;
const FORBIDDEN: Json = {
  type: 'fixed-response',
  fixedResponseConfig: { statusCode: '403', contentType: 'text/html', messageBody: '<html><body><h1>403 Forbidden</h1></body></html>' },
};
const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}$/;
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const VHOST = /^[A-Za-z0-9._-]{1,253}(:\d{1,5})?$/;

export function nginxAnnotations(ingress: V1Ingress): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(ingress.metadata?.annotations ?? {})) {
    if (key.startsWith(NGINX_PREFIX) && typeof value === 'string') found.set(key.slice(NGINX_PREFIX.length), value);
  }
  return found;
}

/**
 * The group of an nginx-class Ingress that names none: one load balancer per namespace, as
 * ingress-nginx serves every Ingress on one address (hosts split across Ingresses stay on one load
 * balancer), within the tenancy rule that a group belongs to one namespace.
 */
export function nginxGroupName(namespace: string): string {
  return `nginx.${namespace}`;
}

export function isCanaryIngress(ingress: V1Ingress): boolean {
  return TRUE_WORDS.includes(nginxAnnotations(ingress).get('canary') ?? '');
}

/** `spec.rules[i].http.paths[j]` fields of the same host and path, for canary matching. */
function locationKey(host: string | undefined, path: string | undefined): string {
  return `${(host ?? '').toLowerCase()} ${path ?? '/'}`;
}

function sameNamespace(a: V1Ingress, b: V1Ingress): boolean {
  return (a.metadata?.namespace ?? 'default') === (b.metadata?.namespace ?? 'default');
}

function byName(a: V1Ingress, b: V1Ingress): number {
  const left = a.metadata?.name ?? '';
  const right = b.metadata?.name ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

function locations(ingress: V1Ingress): Set<string> {
  const keys = new Set<string>();
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) keys.add(locationKey(rule.host, path.path));
  return keys;
}

/**
 * Reads one Ingress of the nginx class. `siblings` are the other Ingresses of that class (the main
 * of a canary, the canaries of a main, and the other Ingresses of a host whose paths a regex turns
 * into regexes are among them).
 */
export function readNginxIngress(ingress: V1Ingress, siblings: readonly V1Ingress[], options: NginxReadOptions): NginxReading {
  // Its own error boundary (DESIGN.md section 8): a defect here refuses this Ingress, never the estate.
  try {
    const reader = new Reader(ingress, options);
    const others = siblings.filter((other) => other !== ingress && !(other.metadata?.name === ingress.metadata?.name && sameNamespace(other, ingress)));
    return isCanaryIngress(ingress) ? reader.readCanary(others) : reader.readMain(others);
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const message =
      `the nginx annotations could not be read (${escapeControls(detail.slice(0, 200))}); the Ingress is not served and the others are unaffected. ` +
      'This is a defect in ingress-bridge: please report it with the Ingress';
    return {
      ingress,
      diagnostics: [ingressDiagnostic(ingress, 'metadata.annotations', 'error', message)],
      refused: true,
      regexPaths: new Set(),
      fields: new Map(),
      mapped: [],
    };
  }
}

interface CanarySettings {
  ingress: V1Ingress;
  header?: { name: string; value?: string; pattern?: string };
  cookie?: string;
  weight?: { canary: number; total: number };
}

interface Variant {
  conditions: Json[];
  action: Json;
  /** Forwards carry the path's transforms; 403s and redirects do not. */
  forward: boolean;
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  readonly fields = new Map<string, string>();
  readonly mapped: string[] = [];
  readonly own: Record<string, string> = {};
  refused = false;
  readonly values: Map<string, string>;

  constructor(
    readonly ingress: V1Ingress,
    readonly options: NginxReadOptions,
  ) {
    this.values = nginxAnnotations(ingress);
  }

  private field(key: string): string {
    return annotationKeyField(`${NGINX_PREFIX}${key}`);
  }

  private report(key: string, severity: Diagnostic['severity'], message: string): void {
    this.diagnostics.push(ingressDiagnostic(this.ingress, this.field(key), severity, message));
  }

  /** A bad value: the Ingress is refused, as ingress-nginx denies a location whose annotation it cannot read. */
  invalid(key: string, problem: string): void {
    const value = this.values.get(key) ?? '';
    this.report(key, 'error', `${NGINX_PREFIX}${key} has an invalid value ${quote(value)}: ${problem}; the Ingress is not served until it is fixed`);
    this.refused = true;
  }

  use(key: string): string | undefined {
    const value = this.values.get(key);
    if (value !== undefined && !this.mapped.includes(key)) this.mapped.push(key);
    return value;
  }

  private boolean(key: string, fallback: boolean): boolean {
    const value = this.use(key);
    if (value === undefined) return fallback;
    if (TRUE_WORDS.includes(value.trim())) return true;
    if (FALSE_WORDS.includes(value.trim())) return false;
    this.invalid(key, 'expected true or false');
    return fallback;
  }

  private cidrs(key: string): string[] | undefined {
    const value = this.use(key);
    if (value === undefined) return undefined;
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const bad = items.find((item) => !isCidr(item) && !isCidr(`${item}/${item.includes(':') ? 128 : 32}`));
    if (bad !== undefined || items.length === 0) {
      this.invalid(key, `expected a comma-separated list of IP addresses or CIDRs${bad ? `; ${quote(bad)} is not one` : ''}`);
      return undefined;
    }
    // A bare address is a /32 (or /128) in nginx's allow and deny.
    return items.map((item) => (item.includes('/') ? item : `${item}/${item.includes(':') ? 128 : 32}`));
  }

  /** Sets one of our annotations unless the Ingress sets it itself, under either of our prefixes (then the user's wins). */
  private setOwn(key: string, value: string, from: string): void {
    const annotations = this.ingress.metadata?.annotations ?? {};
    const written = annotations[`${OWN_PREFIX}${key}`] ?? annotations[`${ALB_PREFIX}${key}`];
    if (written !== undefined) {
      if (written !== value)
        this.report(
          from,
          'warning',
          `${NGINX_PREFIX}${from} would set ${OWN_PREFIX}${key} to ${quote(value)}, but the Ingress sets it to ${quote(written)}, which is used`,
        );
      return;
    }
    this.own[`${OWN_PREFIX}${key}`] = value;
    this.fields.set(annotationKeyField(`${OWN_PREFIX}${key}`), this.field(from));
  }

  private reportUnmapped(canary: boolean): void {
    for (const [key, value] of this.values) {
      if (MAPPED_KEYS.has(key)) continue;
      // A canary Ingress takes every other setting from its main Ingress, as in ingress-nginx.
      if (canary) {
        this.report(key, 'info', `${NGINX_PREFIX}${key} is not read on a canary Ingress: the main Ingress's settings apply, as in ingress-nginx`);
        continue;
      }
      const entry = findUnmapped(key);
      const shown = escapeControls(`${NGINX_PREFIX}${key}`);
      if (!entry) {
        this.report(key, 'warning', `${shown} is not supported by ingress-bridge; ignored (see docs/migrating-from-ingress-nginx.md)`);
        continue;
      }
      if (entry.inert?.(value)) continue;
      if (entry.kind === 'protective') {
        this.report(
          key,
          'error',
          `${shown} protects the backend and cannot be honoured by the load balancer, so the Ingress is not served (serving it unprotected would expose what it guards); ${entry.instead}`,
        );
        this.refused = true;
      } else if (entry.kind === 'snippet' && this.options.unsupported === 'error') {
        this.report(
          key,
          'error',
          `${shown} is raw nginx configuration, which the load balancer cannot run; the Ingress is not served (--nginx-unsupported=error); ${entry.instead}`,
        );
        this.refused = true;
      } else {
        this.report(key, 'warning', `${shown} is not supported by the load balancer and is ignored; ${entry.instead}`);
      }
    }
  }

  private result(ingress: V1Ingress, regexPaths: Set<string>, canaryOf?: V1Ingress): NginxReading {
    return {
      ingress,
      diagnostics: this.diagnostics,
      refused: this.refused,
      regexPaths,
      ...(canaryOf && { canaryOf }),
      fields: this.fields,
      mapped: this.mapped,
    };
  }

  /** The Ingress without nginx annotations, with ours added. */
  private converted(paths?: Map<number, V1HTTPIngressPath[]>): V1Ingress {
    const annotations: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.ingress.metadata?.annotations ?? {})) if (!key.startsWith(NGINX_PREFIX)) annotations[key] = value;
    Object.assign(annotations, this.own);
    // A copy: the Snapshot's object is shared with the rest of the controller and must not change.
    const copy = structuredClone(this.ingress);
    copy.metadata ??= {};
    copy.metadata.annotations = annotations;
    copy.spec?.rules?.forEach((rule, index) => {
      const replaced = paths?.get(index);
      if (replaced && rule.http) rule.http.paths = replaced;
    });
    return copy;
  }

  readCanary(others: readonly V1Ingress[]): NginxReading {
    this.use('canary');
    this.reportUnmapped(true);
    if (!this.canarySettings(this.ingress)) return this.result(this.converted(), new Set<string>());
    const mine = locations(this.ingress);
    const main = others
      .filter((other) => sameNamespace(other, this.ingress) && !isCanaryIngress(other))
      .sort(byName)
      .find((other) => [...locations(other)].some((key) => mine.has(key)));
    if (!main) {
      this.report(
        'canary',
        'error',
        'no Ingress of the class in this namespace serves the same host and path, so the canary is not served (ingress-nginx ignores it too); create the main Ingress first',
      );
      this.refused = true;
      return this.result(this.converted(), new Set<string>());
    }
    const theirs = locations(main);
    const unmatched = [...mine].filter((key) => !theirs.has(key));
    if (unmatched.length > 0)
      this.report(
        'canary',
        'warning',
        `the canary's paths ${unmatched.map((key) => quote(key.trim())).join(', ')} have no counterpart in its main Ingress ${main.metadata?.name ?? ''} and are not served (as in ingress-nginx)`,
      );
    return this.result(this.converted(), new Set<string>(), main);
  }

  /**
   * A canary's settings, read on the canary (its own reading reports a bad value and refuses it);
   * the main Ingress then serves without that canary rather than be refused for another's mistake.
   */
  canarySettings(canary: V1Ingress): CanarySettings | undefined {
    const reader = canary === this.ingress ? this : new Reader(canary, this.options);
    const header = reader.use('canary-by-header');
    const value = reader.use('canary-by-header-value');
    const pattern = reader.use('canary-by-header-pattern');
    const cookie = reader.use('canary-by-cookie');
    const weight = reader.use('canary-weight');
    const total = reader.use('canary-weight-total');
    const settings: CanarySettings = { ingress: canary };
    if (header !== undefined) {
      if (!HEADER_NAME.test(header) || header.toLowerCase() === 'host') {
        reader.invalid('canary-by-header', 'expected an HTTP header name other than Host');
        return undefined;
      }
      settings.header = { name: header };
      // ingress-nginx: a value wins over a pattern; without either, "always" and "never" decide.
      if (value !== undefined && value !== '') {
        if (value.length > 120 || controlCharacterProblem(value) !== undefined) {
          reader.invalid('canary-by-header-value', 'expected at most 120 visible characters');
          return undefined;
        }
        settings.header.value = value;
      } else if (pattern !== undefined && pattern !== '') {
        const problem = regexValueProblem(pattern);
        if (problem !== undefined) {
          reader.invalid('canary-by-header-pattern', `the pattern ${problem}`);
          return undefined;
        }
        settings.header.pattern = pattern;
      }
    }
    if (cookie !== undefined) {
      if (!COOKIE_NAME.test(cookie)) {
        reader.invalid('canary-by-cookie', 'expected a cookie name');
        return undefined;
      }
      settings.cookie = cookie;
    }
    if (weight !== undefined || total !== undefined) {
      const totalNumber = total === undefined ? 100 : Number(total);
      if (!Number.isInteger(totalNumber) || totalNumber < 1) {
        reader.invalid('canary-weight-total', 'expected a positive integer');
        return undefined;
      }
      const weightNumber = weight === undefined ? 0 : Number(weight);
      if (!Number.isInteger(weightNumber) || weightNumber < 0 || weightNumber > totalNumber) {
        reader.invalid('canary-weight', `expected an integer from 0 to canary-weight-total (${totalNumber})`);
        return undefined;
      }
      settings.weight = { canary: weightNumber, total: totalNumber };
    }
    return settings;
  }

  /** The redirect a `permanent-redirect` or `temporal-redirect` URL becomes; ALB codes are 301 and 302 only. */
  private redirect(): Json | undefined {
    // ingress-nginx reads temporal-redirect first: it wins when both are set.
    const temporal = this.use('temporal-redirect');
    const permanent = this.use('permanent-redirect');
    const key = temporal !== undefined ? 'temporal-redirect' : permanent !== undefined ? 'permanent-redirect' : undefined;
    if (key === undefined) return undefined;
    const raw = (temporal ?? permanent ?? '').trim();
    const codeKey = `${key}-code`;
    const codeText = this.use(codeKey);
    const code = codeText === undefined ? (key === 'temporal-redirect' ? 302 : 301) : Number(codeText);
    if (!Number.isInteger(code) || code < 300 || code > 308) {
      this.invalid(codeKey, 'expected a redirect status from 300 to 308');
      return undefined;
    }
    const keepsRequest = raw.endsWith('$request_uri');
    const base = keepsRequest ? raw.slice(0, -'$request_uri'.length) : raw;
    let url: URL;
    try {
      url = new URL(keepsRequest ? `${base}/` : base);
    } catch {
      {
        this.invalid(key, 'expected an absolute http or https URL (optionally ending in $request_uri)');
        return undefined;
      }
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || base.includes('$') || url.username !== '' || url.hash !== '') {
      this.invalid(key, 'expected an absolute http or https URL without variables other than a final $request_uri, user info or fragment');
      return undefined;
    }
    const https = url.protocol === 'https:';
    const statusCode = code === 302 || code === 303 || code === 307 ? 'HTTP_302' : 'HTTP_301';
    if (code !== 301 && code !== 302)
      this.report(
        codeKey in Object.fromEntries(this.values) ? codeKey : key,
        'info',
        `the load balancer redirects with ${statusCode.slice(5)} where ingress-nginx answered ${code}: ALB redirects are 301 or 302 only`,
      );
    const config: Json = { protocol: https ? 'HTTPS' : 'HTTP', port: url.port || (https ? '443' : '80'), host: url.hostname, statusCode };
    // `$request_uri` keeps the request's path and query, which is what a redirect part left out does.
    // Otherwise nginx's `return <code> <url>` sends the URL as written: the request's query is
    // dropped, not appended (only `rewrite` appends it), so the query is the URL's own, or empty.
    if (!keepsRequest) {
      config.path = url.pathname;
      config.query = url.search.slice(1);
    }
    return { type: 'redirect', redirectConfig: config };
  }

  readMain(others: readonly V1Ingress[]): NginxReading {
    this.reportUnmapped(false);
    const ingress = this.ingress;
    const hasTls = (ingress.spec?.tls ?? []).length > 0;
    const annotations = ingress.metadata?.annotations ?? {};
    // ingress-nginx proxies to the Pods, and its Services are mostly ClusterIP (no nodePort): ip targets.
    if (annotations[`${OWN_PREFIX}target-type`] === undefined && annotations[`${ALB_PREFIX}target-type`] === undefined)
      this.own[`${OWN_PREFIX}target-type`] = 'ip';

    // HTTPS: ingress-nginx redirects HTTP to HTTPS by default when the Ingress has TLS.
    const sslRedirect = this.boolean('ssl-redirect', true);
    const forceSslRedirect = this.boolean('force-ssl-redirect', false);
    if (hasTls && (sslRedirect || forceSslRedirect)) {
      this.setOwn('ssl-redirect', '443', this.values.has('force-ssl-redirect') ? 'force-ssl-redirect' : 'ssl-redirect');
      this.diagnostics.push(
        ingressDiagnostic(
          ingress,
          'spec.tls',
          'info',
          'HTTP requests are redirected to HTTPS with 301, as ingress-nginx does for an Ingress with TLS (it answers 308, which the ALB does not have; set nginx.ingress.kubernetes.io/ssl-redirect: "false" to serve HTTP too)',
        ),
      );
    } else if (forceSslRedirect && !hasTls) {
      this.report(
        'force-ssl-redirect',
        'warning',
        'the Ingress has no spec.tls, so there is no HTTPS listener to redirect to; HTTP is served as is. Add spec.tls or set ingress-bridge.io/listen-ports and certificate-arn',
      );
    }

    const protocol = this.use('backend-protocol')?.trim().toUpperCase();
    if (protocol === 'HTTPS' || protocol === 'GRPCS') this.setOwn('backend-protocol', 'HTTPS', 'backend-protocol');
    if (protocol === 'GRPC' || protocol === 'GRPCS') this.setOwn('backend-protocol-version', 'GRPC', 'backend-protocol');
    if (protocol !== undefined && !['HTTP', 'HTTPS', 'GRPC', 'GRPCS'].includes(protocol))
      this.invalid('backend-protocol', 'the load balancer speaks HTTP, HTTPS and gRPC to targets; AJP and FastCGI backends cannot be served');

    this.idleTimeout();

    const allow = this.cidrs('whitelist-source-range') ?? this.cidrs('allowlist-source-range');
    const deny = this.cidrs('denylist-source-range');
    const target = this.use('rewrite-target');
    if (target !== undefined && (/\$(?!\d)/.test(target) || !target.startsWith('/') || /\s/.test(target) || controlCharacterProblem(target) !== undefined))
      this.invalid('rewrite-target', 'expected a path starting with "/" that uses no nginx variable other than the capture groups $1…$9');
    const vhost = this.use('upstream-vhost');
    if (vhost !== undefined && !VHOST.test(vhost))
      this.invalid('upstream-vhost', 'expected a host name (letters, digits, ".", "-", "_", an optional :port), without nginx variables');
    this.boolean('use-regex', false);
    const written = this.use('app-root');
    const appRoot = written !== undefined && written.startsWith('/') && /^[\x21-\x7e]{1,128}$/.test(written) ? written : undefined;
    if (written !== undefined && appRoot === undefined) this.invalid('app-root', 'expected a path starting with "/" (at most 128 visible ASCII characters)');
    const redirect = this.redirect();

    const regexHosts = this.regexHosts(others);
    const regexPaths = new Set<string>();
    const replaced = new Map<number, V1HTTPIngressPath[]>();
    const canaries = others.filter((other) => sameNamespace(other, ingress) && isCanaryIngress(other)).sort(byName);
    const rules = ingress.spec?.rules ?? [];
    rules.forEach((rule, ruleIndex) => {
      const regex = regexHosts.has((rule.host ?? '').toLowerCase());
      const paths = rule.http?.paths ?? [];
      const served = [...paths];
      const appended: V1HTTPIngressPath[] = [];
      paths.forEach((path, pathIndex) => {
        const service = path.backend.service;
        if (!service?.name) return;
        const pathField = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
        const canary = this.canaryFor(canaries, rule.host, path.path);
        const variants = this.variants(service, canary, { allow, deny, redirect }, pathField);
        const transforms = this.transforms(path.path ?? '/', target, vhost, regex);
        if (variants.length === 1 && variants[0]?.conditions.length === 0 && variants[0].forward && transforms.length === 0 && !canary) return;
        variants.forEach((variant, index) => {
          const name = `nginx-${ruleIndex}-${pathIndex}-${index}`;
          const generated: V1HTTPIngressPath = { path: path.path, pathType: path.pathType, backend: { service: { name, port: { name: 'use-annotation' } } } };
          this.own[`${OWN_PREFIX}actions.${name}`] = JSON.stringify(variant.action);
          this.fields.set(annotationKeyField(`${OWN_PREFIX}actions.${name}`), `${pathField}.backend`);
          if (variant.conditions.length > 0) {
            this.own[`${OWN_PREFIX}conditions.${name}`] = JSON.stringify(variant.conditions);
            this.fields.set(annotationKeyField(`${OWN_PREFIX}conditions.${name}`), pathField);
          }
          if (variant.forward && transforms.length > 0) {
            this.own[`${OWN_PREFIX}transforms.${name}`] = JSON.stringify(transforms);
            this.fields.set(annotationKeyField(`${OWN_PREFIX}transforms.${name}`), this.field(target !== undefined ? 'rewrite-target' : 'upstream-vhost'));
          }
          // The first variant takes the written path's place; the others follow every written path,
          // in order, so that rules of equal precedence keep the order ingress-nginx decides them in.
          if (index === 0) served[pathIndex] = generated;
          else {
            this.fields.set(`spec.rules[${ruleIndex}].http.paths[${paths.length + appended.length}]`, pathField);
            appended.push(generated);
          }
        });
      });
      // Every path of a regex host is a regex, but app-root's: nginx tests `$uri = /` exactly.
      if (regex) for (let index = 0; index < paths.length + appended.length; index++) regexPaths.add(`${ruleIndex}:${index}`);
      if (appRoot !== undefined) {
        const name = `nginx-${ruleIndex}-app-root`;
        // nginx answers `return 302 $scheme://$http_host<app-root>`: the request's query is dropped,
        // and a query written in app-root is the Location's.
        const queryAt = appRoot.indexOf('?');
        const [rootPath, rootQuery] = queryAt === -1 ? [appRoot, ''] : [appRoot.slice(0, queryAt), appRoot.slice(queryAt + 1)];
        this.own[`${OWN_PREFIX}actions.${name}`] = JSON.stringify({
          type: 'redirect',
          redirectConfig: { path: rootPath, query: rootQuery, statusCode: 'HTTP_302' },
        });
        this.fields.set(annotationKeyField(`${OWN_PREFIX}actions.${name}`), this.field('app-root'));
        this.fields.set(`spec.rules[${ruleIndex}].http.paths[${paths.length + appended.length}]`, this.field('app-root'));
        appended.push({ path: '/', pathType: 'Exact', backend: { service: { name, port: { name: 'use-annotation' } } } });
      }
      if (appended.length > 0 || served.some((path, index) => path !== paths[index])) replaced.set(ruleIndex, [...served, ...appended]);
    });
    return this.result(this.converted(replaced), regexPaths);
  }

  /** proxy-read-timeout and proxy-send-timeout → the load balancer's idle timeout (one per load balancer: the longer). */
  private idleTimeout(): void {
    const read = this.use('proxy-read-timeout');
    const send = this.use('proxy-send-timeout');
    const seconds: number[] = [];
    for (const [key, raw] of [
      ['proxy-read-timeout', read],
      ['proxy-send-timeout', send],
    ] as const) {
      if (raw === undefined) continue;
      const value = Number(raw.trim().replace(/s$/, ''));
      if (!Number.isInteger(value) || value < 1 || value > 4000) this.invalid(key, 'expected seconds from 1 to 4000 (the load balancer idle timeout range)');
      else seconds.push(value);
    }
    if (seconds.length === 0) return;
    const idle = Math.max(...seconds);
    this.setOwn('load-balancer-attributes', `idle_timeout.timeout_seconds=${idle}`, read !== undefined ? 'proxy-read-timeout' : 'proxy-send-timeout');
  }

  /** Hosts whose paths ingress-nginx turns into regexes: some Ingress of the host uses rewrite-target or use-regex. */
  private regexHosts(others: readonly V1Ingress[]): Set<string> {
    const hosts = new Set<string>();
    for (const candidate of [this.ingress, ...others]) {
      if (isCanaryIngress(candidate)) continue;
      const values = nginxAnnotations(candidate);
      const target = values.get('rewrite-target');
      const regex = TRUE_WORDS.includes(values.get('use-regex') ?? '');
      for (const rule of candidate.spec?.rules ?? []) {
        const rewrites = target !== undefined && (rule.http?.paths ?? []).some((path) => path.path !== target);
        if (regex || rewrites) hosts.add((rule.host ?? '').toLowerCase());
      }
    }
    return hosts;
  }

  private canaryFor(
    canaries: readonly V1Ingress[],
    host: string | undefined,
    path: string | undefined,
  ): { settings: CanarySettings; backend: V1IngressServiceBackend } | undefined {
    const key = locationKey(host, path);
    for (const candidate of canaries) {
      for (const rule of candidate.spec?.rules ?? []) {
        for (const entry of rule.http?.paths ?? []) {
          if (locationKey(rule.host, entry.path) !== key || !entry.backend.service?.name) continue;
          const settings = this.canarySettings(candidate);
          return settings && { settings, backend: entry.backend.service };
        }
      }
    }
    return undefined;
  }

  /**
   * The rules one path becomes, in ingress-nginx's order of decision. translate orders rules of one
   * host and path by their number of conditions, then by manifest order, so the list must already
   * be in that order: that holds except for a deny list together with an allow list and a header or
   * cookie canary (a denied client would reach the canary first), which is refused.
   */
  private variants(
    service: V1IngressServiceBackend,
    canary: { settings: CanarySettings; backend: V1IngressServiceBackend } | undefined,
    ranges: { allow?: string[]; deny?: string[]; redirect?: Json },
    pathField: string,
  ): Variant[] {
    const forward = (weights: [V1IngressServiceBackend, number][]): Json => ({
      type: 'forward',
      forwardConfig: {
        targetGroups: weights.map(([backend, weight]) => ({
          serviceName: backend.name,
          servicePort: backend.port?.number ?? backend.port?.name ?? '',
          weight,
        })),
      },
    });
    // A redirect returns before nginx checks addresses (rewrite phase, then access phase).
    if (ranges.redirect) return [{ conditions: [], action: ranges.redirect, forward: false }];
    const variants: Variant[] = [];
    if (ranges.deny) variants.push({ conditions: [sourceIp(ranges.deny)], action: FORBIDDEN, forward: false });
    const allowed = ranges.allow ? [sourceIp(ranges.allow)] : [];
    const main = forward([[service, 1]]);
    if (canary) {
      const { header, cookie, weight } = canary.settings;
      const other = forward([[canary.backend, 1]]);
      if (ranges.deny && ranges.allow && (header || cookie)) {
        this.diagnostics.push(
          ingressDiagnostic(
            this.ingress,
            pathField,
            'error',
            'denylist-source-range with whitelist-source-range and a header or cookie canary cannot be ordered on the load balancer without letting a denied client reach the canary; the Ingress is not served. Drop one of the source ranges',
          ),
        );
        this.refused = true;
      }
      if (header) {
        const matching = header.pattern !== undefined ? header.pattern : `^${escapeRegex(header.value ?? 'always')}$`;
        variants.push({ conditions: [...allowed, headerCondition(header.name, matching)], action: other, forward: true });
        if (header.value === undefined && header.pattern === undefined)
          variants.push({ conditions: [...allowed, headerCondition(header.name, '^never$')], action: main, forward: true });
      }
      if (cookie) {
        variants.push({ conditions: [...allowed, headerCondition('Cookie', cookieValue(cookie, 'always'))], action: other, forward: true });
        variants.push({ conditions: [...allowed, headerCondition('Cookie', cookieValue(cookie, 'never'))], action: main, forward: true });
      }
      if (weight && weight.canary > 0) {
        const scale = weight.total > MAX_WEIGHT ? MAX_WEIGHT / weight.total : 1;
        const canaryWeight = Math.round(weight.canary * scale);
        variants.push({
          conditions: allowed,
          action: forward([
            [service, Math.round(weight.total * scale) - canaryWeight],
            [canary.backend, canaryWeight],
          ]),
          forward: true,
        });
      } else variants.push({ conditions: allowed, action: main, forward: true });
    } else variants.push({ conditions: allowed, action: main, forward: true });
    if (ranges.allow) variants.push({ conditions: [], action: FORBIDDEN, forward: false });
    return variants;
  }

  private transforms(path: string, target: string | undefined, vhost: string | undefined, regex: boolean): Json[] {
    const transforms: Json[] = [];
    if (target !== undefined && target !== path) {
      // nginx: rewrite "(?i)<path>" <target> — the first match anywhere in the path, the whole path
      // replaced; the query stays. A path that is not a regex (no rewrite makes it one) is literal.
      const pattern = regex ? path : escapeRegex(path);
      const rewrite = `^[^?]*?(?i:${pattern})[^?]*`;
      const problem = regexValueProblem(rewrite, 1024);
      if (problem !== undefined) this.invalid('rewrite-target', `the path ${quote(path)} as a regex ${problem}`);
      else transforms.push({ type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: rewrite, replace: target }] } });
    }
    if (vhost !== undefined && VHOST.test(vhost))
      transforms.push({ type: 'host-header-rewrite', hostHeaderRewriteConfig: { rewrites: [{ regex: '^.*$', replace: vhost }] } });
    return transforms;
  }
}

function sourceIp(cidrs: string[]): Json {
  return { field: 'source-ip', sourceIpConfig: { values: cidrs } };
}

function headerCondition(name: string, regex: string): Json {
  return { field: 'http-header', httpHeaderConfig: { httpHeaderName: name, regexValues: [regex] } };
}

/** nginx reads `$cookie_<name>`: the cookie's exact value, wherever it stands in the Cookie header. */
function cookieValue(name: string, value: string): string {
  return `(^|;\\s*)${escapeRegex(name)}=${value}(;|$)`;
}

/** The field of the written Ingress a problem with a field of the converted one is about. */
export function writtenField(field: string, fields: ReadonlyMap<string, string>): string {
  for (const [generated, written] of fields) {
    if (field === generated || field.startsWith(`${generated}.`) || field.startsWith(`${generated}[`)) return written + field.slice(generated.length);
  }
  return field;
}
