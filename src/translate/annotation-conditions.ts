/**
 * `conditions.<name>` values, in aws-load-balancer-controller's JSON format: a list such as
 * `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["true"]}}]`.
 * host-header, path-pattern and http-header take wildcard `values` or `regexValues` (exactly one);
 * http-request-method, query-string and source-ip take `values`.
 * @module
 */
import type { Condition, QueryStringMatch } from '../model.js';
import { describeJson, isJsonObject, member, optionalString, optionalStringList, type JsonObject } from './annotation-json.js';
import { accept, HTTP_TOKEN, isCidr, orList, parseJson, quote, reject, type Parsed } from './annotation-values.js';
import { regexValueProblem } from './regex.js';

type ConditionField = Condition['field'];

/** The member holding each field's settings; keys match case-insensitively, so LBC's `sourceIPConfig` reads too. */
const CONFIG_MEMBER: Record<ConditionField, string> = {
  'host-header': 'hostHeaderConfig',
  'path-pattern': 'pathPatternConfig',
  'http-header': 'httpHeaderConfig',
  'http-request-method': 'httpRequestMethodConfig',
  'query-string': 'queryStringConfig',
  'source-ip': 'sourceIpConfig',
};
const FIELDS = Object.keys(CONFIG_MEMBER) as ConditionField[];
/** ALB's limits on condition values, header names and method names. */
const MAX_VALUE = 128;
const MAX_NAME = 40;
const METHOD_NAME = /^[A-Z_-]+$/;
/**
 * The characters the ALB accepts in wildcard values, as its guide lists them ("Add a listener rule":
 * host header a-z, A-Z, 0-9, `-_.`; path a-z, A-Z, 0-9, `_-.$/~"'@:+;&`; query string a-z, A-Z, 0-9,
 * `_-.$/~"'@:+&()!,;=`; each with the wildcards `*` and `?`). HTTP header values have no documented
 * set: any character but a control character.
 */
const WILDCARD_VALUE: Record<'host-header' | 'path-pattern' | 'query-string', { pattern: RegExp; allowed: string }> = {
  'host-header': { pattern: /^[A-Za-z0-9\-_.*?]+$/, allowed: 'letters, digits, "-", "_", "." and the wildcards * and ?' },
  'path-pattern': { pattern: /^[A-Za-z0-9_\-.$/~"'@:+;&*?]+$/, allowed: 'letters, digits, _-.$/~"\'@:+;& and the wildcards * and ?' },
  'query-string': { pattern: /^[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?]+$/, allowed: 'letters, digits, _-.$/~"\'@:+&()!,;= and the wildcards * and ?' },
};

export function parseConditions(raw: string): Parsed<Condition[]> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  if (!Array.isArray(json.value)) return reject('expected a JSON list of conditions such as [{"field":"http-header","httpHeaderConfig":{...}}]');
  const conditions: Condition[] = [];
  for (const [index, item] of json.value.entries()) {
    const condition = parseCondition(item, `[${index}]`);
    if (!condition.ok) return condition;
    conditions.push(condition.value);
  }
  return accept(conditions);
}

function parseCondition(item: unknown, path: string): Parsed<Condition> {
  if (!isJsonObject(item)) return reject(`${path} must be an object {"field":"…","…Config":{…}}`);
  const field = FIELDS.find((candidate) => candidate === member(item, 'field'));
  if (field === undefined) return reject(`${path}.field must be ${orList(FIELDS)}, got ${describeJson(member(item, 'field'))}`);
  const configName = CONFIG_MEMBER[field];
  const config = member(item, configName);
  if (!isJsonObject(config)) return reject(`${path}: a ${field} condition needs ${configName}, an object`);
  const configPath = `${path}.${configName}`;
  switch (field) {
    case 'host-header':
    case 'path-pattern': {
      const match = parseMatchValues(config, configPath, field);
      return match.ok ? accept({ field, ...match.value }) : match;
    }
    case 'http-header':
      return parseHeaderCondition(config, configPath);
    case 'http-request-method':
      return parseMethods(config, configPath);
    case 'query-string':
      return parseQueryString(config, configPath);
    case 'source-ip':
      return parseSourceIps(config, configPath);
  }
}

/** Wildcard `values` or `regexValues`: exactly one of the two. */
function parseMatchValues(config: JsonObject, path: string, field: ConditionField): Parsed<{ values: string[] } | { regexValues: string[] }> {
  const values = optionalStringList(config, 'values', `${path}.values`, { maxLength: MAX_VALUE });
  if (!values.ok) return values;
  const regexValues = optionalStringList(config, 'regexValues', `${path}.regexValues`, { maxLength: MAX_VALUE });
  if (!regexValues.ok) return regexValues;
  if (values.value && regexValues.value) return reject(`${path} must set values or regexValues, not both`);
  for (const [index, value] of (values.value ?? []).entries()) {
    const problem = wildcardValueProblem(field, value);
    if (problem !== undefined) return reject(`${path}.values[${index}] ${problem}`);
  }
  for (const [index, pattern] of (regexValues.value ?? []).entries()) {
    const problem = regexValueProblem(pattern);
    if (problem !== undefined) return reject(`${path}.regexValues[${index}] ${quote(pattern)} ${problem}`);
  }
  if (values.value) return accept({ values: values.value });
  if (regexValues.value) return accept({ regexValues: regexValues.value });
  return reject(`${path} must set values or regexValues`);
}

function parseHeaderCondition(config: JsonObject, path: string): Parsed<Condition> {
  const headerName = optionalString(config, 'httpHeaderName', `${path}.httpHeaderName`, { maxLength: MAX_NAME });
  if (!headerName.ok) return headerName;
  if (headerName.value === undefined || !HTTP_TOKEN.test(headerName.value)) {
    return reject(`${path}.httpHeaderName must be an HTTP header name, got ${describeJson(headerName.value)}`);
  }
  // "You can't use an HTTP header condition to specify the host header" (HttpHeaderConditionConfig).
  if (headerName.value.toLowerCase() === 'host') return reject(`${path}.httpHeaderName cannot be Host; use a host-header condition`);
  const match = parseMatchValues(config, path, 'http-header');
  return match.ok ? accept({ field: 'http-header', headerName: headerName.value, ...match.value }) : match;
}

function requiredValues(config: JsonObject, path: string, maxLength: number): Parsed<string[]> {
  const values = optionalStringList(config, 'values', `${path}.values`, { maxLength });
  if (!values.ok) return values;
  return values.value ? accept(values.value) : reject(`${path}.values is required`);
}

function parseMethods(config: JsonObject, path: string): Parsed<Condition> {
  const values = requiredValues(config, path, MAX_NAME);
  if (!values.ok) return values;
  const bad = values.value.find((value) => !METHOD_NAME.test(value));
  if (bad !== undefined) return reject(`${path}.values must be upper-case method names such as GET, got ${describeJson(bad)}`);
  return accept({ field: 'http-request-method', values: values.value });
}

function parseSourceIps(config: JsonObject, path: string): Parsed<Condition> {
  const values = requiredValues(config, path, MAX_VALUE);
  if (!values.ok) return values;
  const bad = values.value.find((value) => !isCidr(value));
  if (bad !== undefined) return reject(`${path}.values must be IPv4 or IPv6 CIDRs, got ${describeJson(bad)}`);
  return accept({ field: 'source-ip', values: values.value });
}

function parseQueryString(config: JsonObject, path: string): Parsed<Condition> {
  const values = member(config, 'values');
  if (!Array.isArray(values) || values.length === 0) {
    return reject(`${path}.values must be a non-empty list of {"key":"…","value":"…"} (key optional), got ${describeJson(values)}`);
  }
  const matches: QueryStringMatch[] = [];
  for (const [index, pair] of values.entries()) {
    const pairPath = `${path}.values[${index}]`;
    if (!isJsonObject(pair)) return reject(`${pairPath} must be an object {"key":"…","value":"…"}, got ${describeJson(pair)}`);
    const key = optionalString(pair, 'key', `${pairPath}.key`, { maxLength: MAX_VALUE });
    if (!key.ok) return key;
    const value = optionalString(pair, 'value', `${pairPath}.value`, { maxLength: MAX_VALUE });
    if (!value.ok) return value;
    if (value.value === undefined) return reject(`${pairPath}.value is required`);
    for (const [part, text] of [
      ['key', key.value],
      ['value', value.value],
    ] as const) {
      const problem = text === undefined ? undefined : wildcardValueProblem('query-string', text);
      if (problem !== undefined) return reject(`${pairPath}.${part} ${problem}`);
    }
    matches.push({ ...(key.value !== undefined ? { key: key.value } : {}), value: value.value });
  }
  return accept({ field: 'query-string', values: matches });
}

/** Why the ALB would refuse a wildcard value of this field; control characters were refused already. */
function wildcardValueProblem(field: ConditionField, value: string): string | undefined {
  if (field !== 'host-header' && field !== 'path-pattern' && field !== 'query-string') return undefined;
  const { pattern, allowed } = WILDCARD_VALUE[field];
  return pattern.test(value) ? undefined : `${quote(value)} has a character the ALB does not accept in a ${field} value (allowed: ${allowed})`;
}
