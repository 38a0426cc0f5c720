/**
 * Raw annotations → the typed settings of annotation-types.ts, with a diagnostic for every key
 * that is bad, conflicting, unsupported or unknown. The only place that reads annotation strings.
 *
 * Every key is read under both `ingress-bridge.io/` and `alb.ingress.kubernetes.io/`; where both
 * are set, ours wins. A bad value is an error and leaves its setting unset, so translate decides
 * what becomes of the object; unknown and unsupported keys are warnings and change nothing.
 * @module
 */
import type { Diagnostic, ObjectRef } from '../model.js';
import { ALB_PREFIX, OWN_PREFIX, type IngressAnnotations, type TargetGroupAnnotations } from './annotation-types.js';
import { INGRESS_NAMED_SETTINGS, INGRESS_SETTINGS, TARGET_GROUP_SETTINGS, type NamedSetting, type Setting } from './annotation-settings.js';
import { findForeign, findUnsupported } from './annotation-unsupported.js';
import { escapeControls, quote, reject, type Parsed } from './annotation-values.js';
import { annotationKeyField, diagnostic } from './diagnostics.js';

type Scope = 'Ingress' | 'Service';

/** One annotation as read: its key without prefix, and the full key and value used. */
interface Entry {
  suffix: string;
  key: string;
  /** The key as messages show it, control characters escaped. */
  shown: string;
  value: string;
}

interface Reading {
  object: ObjectRef;
  entries: Map<string, Entry>;
  diagnostics: Diagnostic[];
}

export function parseIngressAnnotations(
  annotations: Record<string, string> | undefined,
  object: ObjectRef,
): { value: IngressAnnotations; diagnostics: Diagnostic[] } {
  const value: IngressAnnotations = {
    ...emptyTargetGroupAnnotations(),
    certificateArns: [],
    loadBalancerAttributes: {},
    actions: new Map(),
    conditions: new Map(),
    transforms: new Map(),
    auth: {},
    listenerAttributes: new Map(),
  };
  const reading = readAnnotations(annotations, object, 'Ingress');
  applySettings(reading, TARGET_GROUP_SETTINGS, value);
  applySettings(reading, INGRESS_SETTINGS, value);
  applyNamedSettings(reading, value);
  checkHealthCheckTimeout(reading, value);
  checkInboundCidrsUsed(reading, value);
  checkOneWebAcl(reading, value);
  return { value, diagnostics: reading.diagnostics };
}

export function parseServiceAnnotations(
  annotations: Record<string, string> | undefined,
  object: ObjectRef,
): { value: TargetGroupAnnotations; diagnostics: Diagnostic[] } {
  const value = emptyTargetGroupAnnotations();
  const reading = readAnnotations(annotations, object, 'Service');
  applySettings(reading, TARGET_GROUP_SETTINGS, value);
  checkHealthCheckTimeout(reading, value);
  return { value, diagnostics: reading.diagnostics };
}

function emptyTargetGroupAnnotations(): TargetGroupAnnotations {
  return { healthCheck: {}, targetGroupAttributes: {}, tags: {} };
}

const TARGET_GROUP_KEYS = new Set(TARGET_GROUP_SETTINGS.map((entry) => entry.key));
const INGRESS_KEYS = new Set(INGRESS_SETTINGS.map((entry) => entry.key));

function findNamedSetting(suffix: string): NamedSetting | undefined {
  return INGRESS_NAMED_SETTINGS.find((entry) => suffix.startsWith(entry.prefix) && suffix.length > entry.prefix.length);
}

function isIngressOnly(suffix: string): boolean {
  return INGRESS_KEYS.has(suffix) || findNamedSetting(suffix) !== undefined;
}

/** Why a key is not read in this scope, or undefined when it is read. */
function ignoredBecause(suffix: string, key: string, scope: Scope): string | undefined {
  if (TARGET_GROUP_KEYS.has(suffix)) return undefined;
  if (isIngressOnly(suffix)) {
    return scope === 'Ingress' ? undefined : `${key} applies to an Ingress only and is ignored on a Service; set it on the Ingress`;
  }
  const unsupported = findUnsupported(suffix);
  if (unsupported) return `${key} is not supported by ingress-bridge; ignored (${unsupported.instead})`;
  return `${key} is an unknown annotation; ignored`;
}

function readAnnotations(annotations: Record<string, string> | undefined, object: ObjectRef, scope: Scope): Reading {
  const reading: Reading = { object, entries: new Map(), diagnostics: [] };
  const shadowed = new Map<string, Entry>();
  // Once per Ingress: the same long advice on each of its ten nginx annotations would bury the rest.
  const advised = new Set<string>();
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const prefix = [OWN_PREFIX, ALB_PREFIX].find((candidate) => key.startsWith(candidate));
    if (prefix === undefined) {
      const foreign = scope === 'Ingress' ? findForeign(key) : undefined;
      const adoption = foreign?.adoption !== undefined && !advised.has(foreign.adoption) ? foreign.adoption : undefined;
      if (adoption !== undefined) advised.add(adoption);
      if (foreign)
        reading.diagnostics.push(
          diagnostic(
            object,
            annotationKeyField(key),
            'warning',
            `${escapeControls(key)} is ${foreign.controller}'s and is not read by ingress-bridge; ignored (${foreign.instead})${adoption ? `; ${adoption}` : ''}`,
          ),
        );
      continue;
    }
    if (typeof value !== 'string') {
      reading.diagnostics.push(diagnostic(object, annotationKeyField(key), 'error', `${escapeControls(key)} must be a string; ignored`));
      continue;
    }
    const entry: Entry = { suffix: key.slice(prefix.length), key, shown: escapeControls(key), value };
    const ignored = ignoredBecause(entry.suffix, entry.shown, scope);
    if (ignored !== undefined) {
      reading.diagnostics.push(diagnostic(object, annotationKeyField(key), 'warning', ignored));
      continue;
    }
    const earlier = reading.entries.get(entry.suffix);
    if (earlier === undefined || prefix === OWN_PREFIX) reading.entries.set(entry.suffix, entry);
    if (earlier !== undefined) shadowed.set(entry.suffix, prefix === OWN_PREFIX ? earlier : entry);
  }
  for (const [suffix, loser] of shadowed) {
    const winner = reading.entries.get(suffix);
    if (winner === undefined || winner.value === loser.value) continue;
    reading.diagnostics.push(
      diagnostic(
        object,
        annotationKeyField(winner.key),
        'warning',
        `${winner.shown} (${quote(winner.value)}) and ${loser.shown} (${quote(loser.value)}) are both set and differ; ` + `using ${winner.shown}`,
      ),
    );
  }
  return reading;
}

function report(reading: Reading, entry: Entry, outcome: Parsed<boolean>): void {
  const field = annotationKeyField(entry.key);
  if (!outcome.ok) {
    reading.diagnostics.push(diagnostic(reading.object, field, 'error', `${entry.shown} has an invalid value ${quote(entry.value)}: ${outcome.problem}`));
  } else if (!outcome.value) {
    reading.diagnostics.push(diagnostic(reading.object, field, 'warning', `${entry.shown} is empty; ignored`));
  }
}

/**
 * Each annotation is read inside its own error boundary: a value that trips a defect in a parser
 * is an error on that annotation, never an exception out of translate.
 */
function applyGuarded(apply: () => Parsed<boolean>): Parsed<boolean> {
  try {
    return apply();
  } catch (error) {
    return reject(`the value could not be read (internal error: ${error instanceof Error ? escapeControls(error.message.slice(0, 200)) : 'unknown'})`);
  }
}

/** In table order, not annotation order: a setting may depend on one listed before it. */
function applySettings<Target>(reading: Reading, settings: readonly Setting<Target>[], target: Target): void {
  for (const setting of settings) {
    const entry = reading.entries.get(setting.key);
    if (entry !== undefined)
      report(
        reading,
        entry,
        applyGuarded(() => setting.apply(entry.value, target)),
      );
  }
}

function applyNamedSettings(reading: Reading, target: IngressAnnotations): void {
  for (const entry of reading.entries.values()) {
    const setting = findNamedSetting(entry.suffix);
    if (setting !== undefined)
      report(
        reading,
        entry,
        applyGuarded(() => setting.apply(entry.suffix.slice(setting.prefix.length), entry.value, target)),
      );
  }
}

/** ALB refuses a health-check timeout that is not shorter than the interval. */
function checkHealthCheckTimeout(reading: Reading, target: TargetGroupAnnotations): void {
  const { timeoutSeconds, intervalSeconds } = target.healthCheck;
  const timeout = reading.entries.get('healthcheck-timeout-seconds');
  const interval = reading.entries.get('healthcheck-interval-seconds');
  if (timeoutSeconds === undefined || intervalSeconds === undefined || !timeout || !interval) return;
  if (timeoutSeconds < intervalSeconds) return;
  delete target.healthCheck.timeoutSeconds;
  reading.diagnostics.push(
    diagnostic(
      reading.object,
      annotationKeyField(timeout.key),
      'error',
      `${timeout.key} (${timeoutSeconds}) must be less than ${interval.key} (${intervalSeconds})`,
    ),
  );
}

/** A load balancer has one web ACL: naming it twice (by ARN and by name) is refused, the ARN kept. */
function checkOneWebAcl(reading: Reading, target: IngressAnnotations): void {
  const arn = reading.entries.get('wafv2-acl-arn');
  const name = reading.entries.get('wafv2-acl-name');
  if (!arn || !name || target.webAcl === undefined) return;
  if (target.webAcl.kind === 'name') delete target.webAcl;
  reading.diagnostics.push(
    diagnostic(
      reading.object,
      annotationKeyField(name.key),
      'error',
      `${name.shown} and ${arn.shown} are both set; set one of them (${name.shown} is not used)`,
    ),
  );
}

/** inbound-cidrs opens the managed security group, which is not created when security-groups names the groups. */
function checkInboundCidrsUsed(reading: Reading, target: IngressAnnotations): void {
  const inbound = reading.entries.get('inbound-cidrs');
  const groups = reading.entries.get('security-groups');
  if (!inbound || !groups || target.inboundCidrs === undefined || target.securityGroups === undefined) return;
  reading.diagnostics.push(
    diagnostic(
      reading.object,
      annotationKeyField(inbound.key),
      'warning',
      `${inbound.key} is ignored because ${groups.key} names the security groups; open those groups to the CIDRs instead`,
    ),
  );
}
