/**
 * What every nginx annotation family reads with: one Ingress's `nginx.ingress.kubernetes.io/`
 * values, read as ingress-nginx reads them (its boolean words, a bad value refusing the Ingress),
 * and what the reading writes: our own annotations, each with the written field a problem with it is
 * about, the keys that were mapped, and the diagnostics.
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic } from '../../model.js';
import { ALB_PREFIX, OWN_PREFIX } from '../annotation-types.js';
import { quote } from '../annotation-values.js';
import { annotationKeyField, ingressDiagnostic } from '../diagnostics.js';
import { NGINX_PREFIX } from './keys.js';

export interface NginxReadOptions {
  /** `--nginx-unsupported`: `error` refuses an Ingress with a snippet annotation; `warn` serves it without. */
  unsupported: 'warn' | 'error';
}

export type Json = Record<string, unknown>;

/** Go's strconv.ParseBool, which ingress-nginx reads booleans with. */
const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_WORDS = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

export function isTrueWord(value: string | undefined): boolean {
  return TRUE_WORDS.includes(value ?? '');
}

export function nginxAnnotations(ingress: V1Ingress): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(ingress.metadata?.annotations ?? {})) {
    if (key.startsWith(NGINX_PREFIX) && typeof value === 'string') found.set(key.slice(NGINX_PREFIX.length), value);
  }
  return found;
}

export class NginxAnnotationReader {
  readonly diagnostics: Diagnostic[] = [];
  /** A field of the converted Ingress → the field of the written one that a problem with it is about. */
  readonly fields = new Map<string, string>();
  readonly mapped: string[] = [];
  /** Our own annotations, by their whole key. */
  readonly own: Record<string, string> = {};
  refused = false;
  readonly values: Map<string, string>;

  constructor(
    readonly ingress: V1Ingress,
    readonly options: NginxReadOptions,
  ) {
    this.values = nginxAnnotations(ingress);
  }

  field(key: string): string {
    return annotationKeyField(`${NGINX_PREFIX}${key}`);
  }

  report(key: string, severity: Diagnostic['severity'], message: string): void {
    this.diagnostics.push(ingressDiagnostic(this.ingress, this.field(key), severity, message));
  }

  /** A problem with a field of the Ingress itself (a path, spec.tls) rather than with one annotation. */
  reportField(field: string, severity: Diagnostic['severity'], message: string): void {
    this.diagnostics.push(ingressDiagnostic(this.ingress, field, severity, message));
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

  boolean(key: string, fallback: boolean): boolean {
    const value = this.use(key);
    if (value === undefined) return fallback;
    if (TRUE_WORDS.includes(value.trim())) return true;
    if (FALSE_WORDS.includes(value.trim())) return false;
    this.invalid(key, 'expected true or false');
    return fallback;
  }

  /** Whether the Ingress writes one of our annotations itself, under either of our prefixes. */
  writtenOwn(key: string): string | undefined {
    const annotations = this.ingress.metadata?.annotations ?? {};
    return annotations[`${OWN_PREFIX}${key}`] ?? annotations[`${ALB_PREFIX}${key}`];
  }

  /** Sets one of our annotations unless the Ingress sets it itself, under either of our prefixes (then the user's wins). */
  setOwn(key: string, value: string, from: string): void {
    const written = this.writtenOwn(key);
    if (written !== undefined) {
      if (written !== value)
        this.report(
          from,
          'warning',
          `${NGINX_PREFIX}${from} would set ${OWN_PREFIX}${key} to ${quote(value)}, but the Ingress sets it to ${quote(written)}, which is used`,
        );
      return;
    }
    this.generate(key, value, this.field(from));
  }

  /** Writes one of our annotations that the reading generates, and the written field a problem with it is about. */
  generate(key: string, value: string, writtenField: string): void {
    this.own[`${OWN_PREFIX}${key}`] = value;
    this.fields.set(annotationKeyField(`${OWN_PREFIX}${key}`), writtenField);
  }
}
