/**
 * A rule's conditions as the global external Application Load Balancer can match them. Its URL maps
 * take no `regexMatch` at all (Compute allows regex only on regional EXTERNAL_MANAGED and on
 * INTERNAL_MANAGED URL maps), so everything the regional scope says with an anchored regex is said
 * here with exact matches, or not at all:
 * - hosts become host rules (url-map.ts lays them out); a host rule's host matches case-insensitively
 *   and exactly, so a literal host is exact. A wildcard host `*.foo.com` must match exactly one label,
 *   but a host rule's `*.foo.com` matches any number of them, and only a regex could say one: refused;
 * - paths: a literal is `fullPathMatch`, a trailing `*` a `prefixMatch`, and the anchored regexes
 *   translate writes for literal paths with wildcard characters (`^/a\*b$`, `^/files/\*\.png(/.*)?$`)
 *   are literals again — `fullPathMatch`, plus `prefixMatch` of the path and `/` for a Prefix. Any
 *   other path regex (an ingress-nginx regex path) is refused;
 * - the method is `:method` `exactMatch` (the ALB matches methods case-sensitively);
 * - header values match case-insensitively on the ALB and a header match cannot ignore case: only `*`
 *   (`presentMatch`) and values without letters (`exactMatch`) are exact; others are refused;
 * - query-string conditions match keys and values case-insensitively on the ALB: refused;
 * - source-ip: refused, as on the regional scope.
 * Alternatives (several methods, header values or paths) are OR-ed as one match rule each. Pure.
 * @module
 */
import type { Condition } from '../../../src/model.js';
import type { Resource } from '../kinds.js';

export interface GlobalMatches {
  /** The lower-case hosts the rule is limited to; undefined: any host. Empty when its host was refused. */
  hosts?: string[];
  /** OR-ed; each ANDs a path match with header matches. */
  matchRules: Resource[];
}

type Report = (field: string, message: string) => void;

const USE_REGIONAL = 'use load-balancer-scope: regional';
const HOST = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function globalMatchesOf(conditions: readonly Condition[], report: Report): GlobalMatches {
  let hosts: string[] | undefined;
  let paths: Resource[] = [{}];
  const alternatives: Resource[][] = [];
  for (const condition of conditions) {
    switch (condition.field) {
      case 'host-header': {
        const found = hostsOf(condition, report);
        hosts = hosts === undefined ? found : hosts.filter((host) => found.includes(host));
        break;
      }
      case 'path-pattern':
        paths = [
          ...(condition.values ?? []).map((value) => pathOfValue(value, report)),
          ...(condition.regexValues ?? []).map((regex) => pathsOfRegex(regex, report)),
        ].flat();
        break;
      case 'http-header':
        alternatives.push(headerAlternatives(condition, report));
        break;
      case 'http-request-method':
        alternatives.push(condition.values.map((method) => ({ headerName: ':method', exactMatch: method })));
        break;
      case 'query-string':
        report(
          'conditions',
          `a query-string condition cannot be matched exactly by a global URL map (the ALB matches keys and values case-insensitively, which needs a regex): ${USE_REGIONAL}`,
        );
        break;
      case 'source-ip':
        report('conditions', 'source-ip conditions have no URL-map equivalent (Cloud Armor filters by source address)');
        break;
    }
  }
  let combinations: Resource[][] = [[]];
  for (const options of alternatives) combinations = combinations.flatMap((chosen) => options.map((option) => [...chosen, option]));
  const matchRules = paths.flatMap((path) => combinations.map((headerMatches) => ({ ...path, ...(headerMatches.length > 0 && { headerMatches }) })));
  return { ...(hosts !== undefined && { hosts }), matchRules };
}

function hostsOf(condition: { values?: string[]; regexValues?: string[] }, report: Report): string[] {
  const hosts: string[] = [];
  for (const value of condition.values ?? []) {
    const host = value.toLowerCase();
    if (HOST.test(host)) hosts.push(host);
    else report('host', `host ${JSON.stringify(value)} is a wildcard pattern, which a global URL map's host rules cannot match exactly: ${USE_REGIONAL}`);
  }
  for (const regex of condition.regexValues ?? []) {
    const literal = literalOf(regex);
    const wildcard = /^\^\[\^\.\]\+((?:\\\.[-a-z0-9]+)+)\(:\[0-9\]\+\)\?\$$/.exec(regex)?.[1];
    if (literal !== undefined && HOST.test(literal.toLowerCase())) hosts.push(literal.toLowerCase());
    else if (wildcard !== undefined) {
      const suffix = wildcard.replace(/\\\./g, '.');
      report(
        'host',
        `wildcard host *${suffix} must match exactly one label, but a global URL map's host rule *${suffix} matches any number of them and the global scope has no regex to say one: ${USE_REGIONAL}`,
      );
    } else report('host', `host regex ${JSON.stringify(regex)} needs regexMatch, which a global URL map does not have: ${USE_REGIONAL}`);
  }
  return hosts;
}

/** An ALB path value: a literal, or a literal with one trailing `*`. */
function pathOfValue(value: string, report: Report): Resource[] {
  if (!/[*?]/.test(value)) return [{ fullPathMatch: value }];
  if (/^[^*?]*\*$/.test(value)) return [{ prefixMatch: value.slice(0, -1) }];
  report('path', `path pattern ${JSON.stringify(value)} has a wildcard inside, which needs regexMatch; a global URL map has none: ${USE_REGIONAL}`);
  return [];
}

/** translate's anchored regexes of literal paths: `^L$` (Exact), `^L(/.*)?$` (Prefix) and `^L.*$`. */
function pathsOfRegex(regex: string, report: Report): Resource[] {
  const exact = /^\^(.*)\$$/.exec(regex)?.[1];
  const asLiteral = (body: string | undefined): string | undefined => (body === undefined ? undefined : literalOf(`^${body}$`));
  const prefix = asLiteral(exact?.endsWith('(/.*)?') ? exact.slice(0, -'(/.*)?'.length) : undefined);
  if (prefix !== undefined) return [{ fullPathMatch: prefix }, { prefixMatch: `${prefix}/` }];
  const characters = asLiteral(exact?.endsWith('.*') && !exact.endsWith('\\.*') ? exact.slice(0, -2) : undefined);
  if (characters !== undefined) return [{ prefixMatch: characters }];
  const literal = literalOf(regex);
  if (literal !== undefined) return [{ fullPathMatch: literal }];
  report('path', `regex path ${JSON.stringify(regex)} needs regexMatch, which a global URL map does not have: ${USE_REGIONAL}`);
  return [];
}

function headerAlternatives(condition: { headerName: string; values?: string[]; regexValues?: string[] }, report: Report): Resource[] {
  const headerName = condition.headerName.toLowerCase();
  const refuse = (value: string): void =>
    report(
      'conditions',
      `header ${condition.headerName} value ${JSON.stringify(value)}: the ALB matches header values case-insensitively and with wildcards, which a global URL map can say only with a regex: ${USE_REGIONAL}`,
    );
  const matches: Resource[] = [];
  for (const value of condition.values ?? []) {
    if (value === '*') matches.push({ headerName, presentMatch: true });
    else if (/[A-Za-z*?]/.test(value)) refuse(value);
    else matches.push({ headerName, exactMatch: value });
  }
  for (const regex of condition.regexValues ?? []) {
    const literal = literalOf(regex);
    if (literal === undefined || /[A-Za-z]/.test(literal)) refuse(regex);
    else matches.push({ headerName, exactMatch: literal });
  }
  return matches;
}

/** The literal an anchored regex of escaped characters only stands for (`^/a\*b$` → `/a*b`); undefined for any real regex. */
export function literalOf(regex: string): string | undefined {
  if (!regex.startsWith('^') || !regex.endsWith('$') || regex.endsWith('\\$')) return undefined;
  let literal = '';
  const body = regex.slice(1, -1);
  for (let index = 0; index < body.length; index += 1) {
    const char = body.charAt(index);
    if (char === '\\') {
      const next = body.charAt(index + 1);
      if (!/[\\^$.|?*+()[\]{}/-]/.test(next) || next === '') return undefined;
      literal += next;
      index += 1;
    } else if (/[\\^$.|?*+()[\]{}]/.test(char)) return undefined;
    else literal += char;
  }
  return literal;
}
