/**
 * Rule conditions, checked against the ALB's rules (at most one each of host-header, path-pattern,
 * http-request-method and source-ip; Values xor RegexValues; at most 5 condition values and 5
 * wildcards per rule; values up to 128 characters) and normalized to the Describe shape: host and
 * path values appear both in the legacy `Values` and in their `…Config`.
 * @module
 */
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2Error } from './errors.js';

const VALUES_PER_RULE = 5;
const WILDCARDS_PER_RULE = 5;
const MAX_VALUE_LENGTH = 128;
const SINGLE_USE_FIELDS: readonly string[] = ['host-header', 'path-pattern', 'http-request-method', 'source-ip'];

interface MatchValues {
  values?: string[];
  regexValues?: string[];
}

/** What one condition contributes to the per-rule limits. */
interface ConditionCost {
  values: string[];
  wildcardText: string[];
}

export function checkConditions(conditions: readonly RuleCondition[] | undefined): RuleCondition[] {
  if (conditions === undefined || conditions.length === 0) throw elbv2Error('ValidationError', 'A rule must have at least one condition');
  const fields = new Set<string>();
  const normalized: RuleCondition[] = [];
  const costs: ConditionCost[] = [];
  for (const condition of conditions) {
    const field = condition.Field ?? '';
    if (SINGLE_USE_FIELDS.includes(field) && fields.has(field)) {
      throw elbv2Error('ValidationError', `A rule can only have one '${field}' condition`);
    }
    fields.add(field);
    const [shape, cost] = normalizeCondition(condition);
    normalized.push(shape);
    costs.push(cost);
  }
  const values = costs.flatMap((cost) => cost.values);
  if (values.length > VALUES_PER_RULE) {
    throw elbv2Error('ValidationError', `A rule can have at most ${VALUES_PER_RULE} condition values, got ${values.length}`);
  }
  const tooLong = values.find((value) => value.length > MAX_VALUE_LENGTH);
  if (tooLong !== undefined) throw elbv2Error('ValidationError', `Condition value '${tooLong}' is longer than ${MAX_VALUE_LENGTH} characters`);
  const wildcards = costs
    .flatMap((cost) => cost.wildcardText)
    .join('')
    .replace(/[^*?]/g, '').length;
  if (wildcards > WILDCARDS_PER_RULE) {
    throw elbv2Error('ValidationError', `A rule can have at most ${WILDCARDS_PER_RULE} wildcards ('*' or '?'), got ${wildcards}`);
  }
  return normalized;
}

function normalizeCondition(condition: RuleCondition): [RuleCondition, ConditionCost] {
  switch (condition.Field) {
    case 'host-header':
    case 'path-pattern': {
      const configKey = condition.Field === 'host-header' ? 'HostHeaderConfig' : 'PathPatternConfig';
      const config = condition[configKey];
      const legacy = condition.Values !== undefined || condition.RegexValues !== undefined;
      if (legacy && config !== undefined) {
        throw elbv2Error('ValidationError', `Specify either Values or ${configKey} for a '${condition.Field}' condition, not both`);
      }
      const match = exactlyOne(condition.Field, legacy ? condition : (config ?? {}));
      const shape: RuleCondition =
        match.values !== undefined
          ? { Field: condition.Field, Values: [...match.values], [configKey]: { Values: [...match.values] } }
          : { Field: condition.Field, [configKey]: { RegexValues: [...(match.regexValues ?? [])] } };
      return [shape, costOf(match)];
    }
    case 'http-header': {
      const config = condition.HttpHeaderConfig;
      const name = config?.HttpHeaderName ?? '';
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/.test(name)) {
        throw elbv2Error('ValidationError', `HTTP header name '${name}' is not valid`);
      }
      const match = exactlyOne('http-header', config ?? {});
      const values = match.values !== undefined ? { Values: [...match.values] } : { RegexValues: [...(match.regexValues ?? [])] };
      return [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: name, ...values } }, costOf(match)];
    }
    case 'http-request-method': {
      const values = requireValues('http-request-method', condition.HttpRequestMethodConfig?.Values);
      const bad = values.find((value) => !/^[A-Z_-]{1,40}$/.test(value));
      if (bad !== undefined) throw elbv2Error('ValidationError', `HTTP request method '${bad}' is not valid`);
      return [
        { Field: 'http-request-method', HttpRequestMethodConfig: { Values: [...values] } },
        { values, wildcardText: [] },
      ];
    }
    case 'query-string': {
      const pairs = condition.QueryStringConfig?.Values ?? [];
      if (pairs.length === 0) throw elbv2Error('ValidationError', "A 'query-string' condition needs at least one value");
      if (pairs.some((pair) => pair.Value === undefined || pair.Value === '')) {
        throw elbv2Error('ValidationError', "Every 'query-string' condition value needs a Value");
      }
      const text = pairs.map((pair) => `${pair.Key ?? ''}${pair.Value ?? ''}`);
      const shape = pairs.map((pair) => (pair.Key === undefined ? { Value: pair.Value } : { Key: pair.Key, Value: pair.Value }));
      return [
        { Field: 'query-string', QueryStringConfig: { Values: shape } },
        { values: text, wildcardText: text },
      ];
    }
    case 'source-ip': {
      const values = requireValues('source-ip', condition.SourceIpConfig?.Values);
      const bad = values.find((value) => !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(value));
      if (bad !== undefined) throw elbv2Error('ValidationError', `Source IP '${bad}' must be a CIDR block`);
      return [
        { Field: 'source-ip', SourceIpConfig: { Values: [...values] } },
        { values, wildcardText: [] },
      ];
    }
    case undefined:
    default:
      throw elbv2Error('ValidationError', `Condition field '${condition.Field ?? ''}' is not valid`);
  }
}

function exactlyOne(field: string, source: { Values?: string[] | undefined; RegexValues?: string[] | undefined }): MatchValues {
  const hasValues = (source.Values?.length ?? 0) > 0;
  const hasRegex = (source.RegexValues?.length ?? 0) > 0;
  if (hasValues === hasRegex) {
    throw elbv2Error('ValidationError', `A '${field}' condition needs either Values or RegexValues, not ${hasValues ? 'both' : 'neither'}`);
  }
  return hasValues ? { values: [...(source.Values ?? [])] } : { regexValues: [...(source.RegexValues ?? [])] };
}

function requireValues(field: string, values: string[] | undefined): string[] {
  if (values === undefined || values.length === 0) throw elbv2Error('ValidationError', `A '${field}' condition needs at least one value`);
  return values;
}

/** Regex values count as condition values but their `*` and `?` are regex syntax, not wildcards. */
function costOf(match: MatchValues): ConditionCost {
  if (match.values !== undefined) return { values: match.values, wildcardText: match.values };
  return { values: match.regexValues ?? [], wildcardText: [] };
}
