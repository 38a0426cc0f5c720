/**
 * Flags and environment → validated configuration, in one place. Every flag can also be set by an
 * environment variable INGRESS_BRIDGE_<FLAG> (upper case, `-` → `_`).
 * @module
 */
import { Option } from 'commander';
import type { Scheme, TargetType } from './model.js';
import { DEFAULT_ALB_LIMITS } from './translate/limits.js';
import { defaultTranslateOptions, type TranslateOptions } from './translate/index.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function envName(flag: string): string {
  return `INGRESS_BRIDGE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** A commander Option that also reads INGRESS_BRIDGE_<FLAG>. */
export function flag(flags: string, description: string): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  return new Option(flags, description).env(envName(long));
}

/** The options common to every command that translates Ingresses. */
export function translationFlags(): Option[] {
  return [
    flag('--cluster-name <name>', 'cluster name: goes into resource names and ownership tags').default('ingress-bridge'),
    flag('--ingress-class <name>', 'the IngressClass this controller serves').default('ingress-bridge'),
    flag('--default-scheme <scheme>', 'scheme when no annotation sets one').choices(['internal', 'internet-facing']).default('internal'),
    flag('--default-target-type <type>', 'target type when no annotation sets one').choices(['instance', 'ip']).default('instance'),
    flag('--rule-limit <n>', 'rules per load balancer (the AWS quota, default 100)').default(String(DEFAULT_ALB_LIMITS.rulesPerLoadBalancer)),
  ];
}

export interface TranslationFlagValues {
  clusterName: string;
  ingressClass: string;
  defaultScheme: string;
  defaultTargetType: string;
  ruleLimit: string;
}

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function toTranslateOptions(values: TranslationFlagValues, now: Date): TranslateOptions {
  if (!CLUSTER_NAME.test(values.clusterName)) {
    throw new ConfigError(`--cluster-name "${values.clusterName}" must be 1-128 letters, digits, '.', '_' or '-'`);
  }
  const ruleLimit = Number(values.ruleLimit);
  if (!Number.isInteger(ruleLimit) || ruleLimit < 1) throw new ConfigError(`--rule-limit "${values.ruleLimit}" must be a positive integer`);
  return defaultTranslateOptions({
    clusterName: values.clusterName,
    ingressClass: values.ingressClass,
    defaultScheme: values.defaultScheme as Scheme,
    defaultTargetType: values.defaultTargetType as TargetType,
    limits: { ...DEFAULT_ALB_LIMITS, rulesPerLoadBalancer: ruleLimit },
    now,
  });
}
