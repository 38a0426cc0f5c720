/**
 * The ALB's published quotas, checked while translating so that an overflow is a diagnostic on the
 * Ingress concerned, never an API error half-way through an apply.
 * @module
 */
import type { Condition } from './model.js';

export interface AlbLimits {
  /** Rules per load balancer, default rules excluded (AWS quota 100, adjustable). */
  rulesPerLoadBalancer: number;
  /** Target groups per load balancer, a function's as a Service's (AWS: 100, not adjustable). */
  targetGroupsPerLoadBalancer: number;
  /** Certificates per listener besides the default one (AWS quota 25, adjustable). */
  certificatesPerListener: number;
  /** Condition values per rule (AWS: 5). */
  valuesPerRule: number;
  /** Match evaluations per condition (AWS: 3). */
  valuesPerCondition: number;
  /** `*` and `?` per rule (AWS: 5). */
  wildcardsPerRule: number;
  /** Characters per condition value (AWS: 128). */
  valueLength: number;
}

/** The ALB's largest forward weight: each target group of a forward action weighs 0 to this (AWS: 999, not adjustable). */
export const MAX_FORWARD_WEIGHT = 999;

export const DEFAULT_ALB_LIMITS: AlbLimits = {
  rulesPerLoadBalancer: 100,
  targetGroupsPerLoadBalancer: 100,
  certificatesPerListener: 25,
  valuesPerRule: 5,
  valuesPerCondition: 3,
  wildcardsPerRule: 5,
  valueLength: 128,
};

function conditionStrings(condition: Condition): string[] {
  switch (condition.field) {
    case 'query-string':
      return condition.values.map((pair) => `${pair.key ?? ''}${pair.value}`);
    case 'http-request-method':
    case 'source-ip':
      return condition.values;
    case 'host-header':
    case 'http-header':
    case 'path-pattern':
      return [...(condition.values ?? []), ...(condition.regexValues ?? [])];
  }
}

function wildcardCount(condition: Condition): number {
  if (condition.field === 'http-request-method' || condition.field === 'source-ip') return 0;
  const values = condition.field === 'query-string' ? condition.values.map((pair) => `${pair.key ?? ''}${pair.value}`) : (condition.values ?? []);
  return values.reduce((total, value) => total + (value.match(/[*?]/g)?.length ?? 0), 0);
}

/** Why a rule with these conditions cannot be created, or undefined when it fits. */
export function ruleLimitProblem(conditions: readonly Condition[], limits: AlbLimits): string | undefined {
  let values = 0;
  let wildcards = 0;
  for (const condition of conditions) {
    const strings = conditionStrings(condition);
    if (strings.length > limits.valuesPerCondition) {
      return `its ${condition.field} condition has ${strings.length} values; the ALB allows ${limits.valuesPerCondition} per condition`;
    }
    const long = strings.find((value) => value.length > limits.valueLength);
    if (long) return `the ${condition.field} value "${long.slice(0, 40)}…" is ${long.length} characters; the ALB allows ${limits.valueLength}`;
    values += strings.length;
    wildcards += wildcardCount(condition);
  }
  if (values > limits.valuesPerRule) return `its conditions have ${values} values in all; the ALB allows ${limits.valuesPerRule} per rule`;
  if (wildcards > limits.wildcardsPerRule) return `its conditions use ${wildcards} wildcards; the ALB allows ${limits.wildcardsPerRule} per rule`;
  return undefined;
}
