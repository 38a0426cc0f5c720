/**
 * Canary Ingresses (`canary: "true"`): which main Ingress of the same host and path a canary adds
 * to, and its settings — a header (`always`/`never`, a value, or a pattern), a cookie
 * (`always`/`never`), a weight out of a total — read on the canary, whose own reading reports a bad
 * value and refuses it.
 * @module
 */
import type { V1Ingress, V1IngressServiceBackend } from '@kubernetes/client-node';
import { controlCharacterProblem, HTTP_TOKEN, quote } from '../annotation-values.js';
import { regexValueProblem } from '../regex.js';
import { isTrueWord, nginxAnnotations, NginxAnnotationReader } from './reader.js';
import { compareText } from '../compare-text.js';

const MAX_HEADER_NAME = 40;
const MAX_COOKIE_NAME = 64;

export interface CanarySettings {
  ingress: V1Ingress;
  header?: { name: string; value?: string; pattern?: string };
  cookie?: string;
  weight?: { canary: number; total: number };
}

/** A canary of one path: its settings and the backend it sends its share to. */
export interface PathCanary {
  settings: CanarySettings;
  backend: V1IngressServiceBackend;
}

export function isCanaryIngress(ingress: V1Ingress): boolean {
  return isTrueWord(nginxAnnotations(ingress).get('canary'));
}

export function sameNamespace(a: V1Ingress, b: V1Ingress): boolean {
  return (a.metadata?.namespace ?? 'default') === (b.metadata?.namespace ?? 'default');
}

export function byName(a: V1Ingress, b: V1Ingress): number {
  const left = a.metadata?.name ?? '';
  const right = b.metadata?.name ?? '';
  return compareText(left, right);
}

/** `spec.rules[i].http.paths[j]` fields of the same host and path, for canary matching. */
function locationKey(host: string | undefined, path: string | undefined): string {
  return `${(host ?? '').toLowerCase()} ${path ?? '/'}`;
}

function locations(ingress: V1Ingress): Set<string> {
  const keys = new Set<string>();
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) keys.add(locationKey(rule.host, path.path));
  return keys;
}

/**
 * The main Ingress a canary adds to: the first by name in its namespace that serves one of its
 * host-and-path locations. None refuses the canary; its locations the main lacks are not served.
 */
export function findCanaryMain(reader: NginxAnnotationReader, others: readonly V1Ingress[]): V1Ingress | undefined {
  const mine = locations(reader.ingress);
  const main = others
    .filter((other) => sameNamespace(other, reader.ingress) && !isCanaryIngress(other))
    .sort(byName)
    .find((other) => [...locations(other)].some((key) => mine.has(key)));
  if (!main) {
    reader.report(
      'canary',
      'error',
      'no Ingress of the class in this namespace serves the same host and path, so the canary is not served (ingress-nginx ignores it too); create the main Ingress first',
    );
    reader.refused = true;
    return undefined;
  }
  const theirs = locations(main);
  const unmatched = [...mine].filter((key) => !theirs.has(key));
  if (unmatched.length > 0)
    reader.report(
      'canary',
      'warning',
      `the canary's paths ${unmatched.map((key) => quote(key.trim())).join(', ')} have no counterpart in its main Ingress ${main.metadata?.name ?? ''} and are not served (as in ingress-nginx)`,
    );
  return main;
}

/** The first canary (by name) with a path of this host and path, and its settings; none when its settings are bad. */
export function canaryFor(
  reader: NginxAnnotationReader,
  canaries: readonly V1Ingress[],
  host: string | undefined,
  path: string | undefined,
): PathCanary | undefined {
  const key = locationKey(host, path);
  for (const candidate of canaries) {
    for (const rule of candidate.spec?.rules ?? []) {
      for (const entry of rule.http?.paths ?? []) {
        if (locationKey(rule.host, entry.path) !== key || !entry.backend.service?.name) continue;
        const settings = readCanarySettings(reader, candidate);
        return settings && { settings, backend: entry.backend.service };
      }
    }
  }
  return undefined;
}

/**
 * A canary's settings, read on the canary (its own reading reports a bad value and refuses it);
 * the main Ingress then serves without that canary rather than be refused for another's mistake.
 */
export function readCanarySettings(reading: NginxAnnotationReader, canary: V1Ingress): CanarySettings | undefined {
  const reader = canary === reading.ingress ? reading : new NginxAnnotationReader(canary, reading.options);
  const header = reader.use('canary-by-header');
  const value = reader.use('canary-by-header-value');
  const pattern = reader.use('canary-by-header-pattern');
  const cookie = reader.use('canary-by-cookie');
  const weight = reader.use('canary-weight');
  const total = reader.use('canary-weight-total');
  const settings: CanarySettings = { ingress: canary };
  if (header !== undefined) {
    if (header.length > MAX_HEADER_NAME || !HTTP_TOKEN.test(header) || header.toLowerCase() === 'host') {
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
    if (cookie.length > MAX_COOKIE_NAME || !HTTP_TOKEN.test(cookie)) {
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
