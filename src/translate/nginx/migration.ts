/**
 * What an ingress-nginx estate becomes, Ingress by Ingress, for `ingress-bridge migrate-from-nginx`:
 * which annotations are served the same, which differ and how, which are not supported, and which
 * Ingresses are not served at all; and each Ingress converted to ingress-bridge's own annotations
 * for `--write`. Pure: the command reads the estate and writes the files.
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic, IngressRef } from '../../model.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { annotationKeyField, ingressRef } from '../diagnostics.js';
import { LEGACY_CLASS_ANNOTATION, resolveIngressClass } from '../ingress-class.js';
import { translateAll } from '../index.js';
import type { TranslateOptions } from '../options.js';
import { NGINX_PREFIX } from './keys.js';
import { readNginxIngress } from './read.js';
import { NginxEstate } from './siblings.js';
import { compareText } from '../compare-text.js';

export interface MigrationEntry {
  ref: IngressRef;
  /** False when the Ingress would not be served (`errors` say why). */
  served: boolean;
  /** A canary: its paths are served through this main Ingress. */
  canaryOf?: IngressRef;
  /** nginx keys served as ingress-nginx serves them. */
  same: string[];
  /** Served, but not exactly as ingress-nginx serves it (info diagnostics). */
  differs: Diagnostic[];
  /** Not supported: ignored (warnings). */
  unsupported: Diagnostic[];
  errors: Diagnostic[];
  /** The Ingress in ingress-bridge's own annotations and class, for `--write`; absent for a canary or an Ingress not served. */
  converted?: V1Ingress;
  /** What the converted Ingress cannot say, so that it would serve differently from the nginx class. */
  notWritable: string[];
}

/** The annotations a written Ingress drops: the server fills them in, or they name the old class. */
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', LEGACY_CLASS_ANNOTATION];

export function planMigration(snapshot: SnapshotView, options: TranslateOptions, writtenClass: string): MigrationEntry[] {
  const translated = translateAll(snapshot, options);
  const served = new Set(translated.results.flatMap((result) => result.members.map((member) => `${member.namespace}/${member.name}`)));
  const translateDiagnostics = [...translated.diagnostics, ...translated.results.flatMap((result) => result.diagnostics)];
  const classes = snapshot.ingressClasses();
  const entries: MigrationEntry[] = [];
  const estate = new NginxEstate(snapshot, options);
  for (const ingress of snapshot.ingresses()) {
    if (resolveIngressClass(ingress, classes, options).reader !== 'nginx') continue;
    const ref = ingressRef(ingress);
    const key = `${ref.namespace}/${ref.name}`;
    const reading = readNginxIngress(ingress, estate.siblings(ingress), { unsupported: options.nginxUnsupported ?? 'warn' });
    const own = translateDiagnostics.filter(
      (entry) => entry.object.kind === 'Ingress' && entry.object.namespace === ref.namespace && entry.object.name === ref.name,
    );
    const diagnostics = [
      ...reading.diagnostics,
      ...own.filter((entry) => !reading.diagnostics.some((read) => read.message === entry.message && read.field === entry.field)),
    ];
    const mentioned = new Set(diagnostics.map((entry) => entry.field));
    const isServed = served.has(key);
    const regexRules = new Set([...reading.regexPaths].map((key) => key.split(':')[0]));
    const notWritable = [...regexRules].map(
      (index) =>
        `the paths of spec.rules[${index}] are nginx regexes (use-regex or rewrite-target on their host), which ingress-bridge's own annotations cannot say: written as they are they match as Prefix paths`,
    );
    entries.push({
      ref,
      served: isServed,
      ...(reading.canaryOf && { canaryOf: ingressRef(reading.canaryOf) }),
      same: reading.mapped.filter((name) => !mentioned.has(annotationKeyField(`${NGINX_PREFIX}${name}`))),
      differs: diagnostics.filter((entry) => entry.severity === 'info'),
      unsupported: diagnostics.filter((entry) => entry.severity === 'warning'),
      errors: diagnostics.filter((entry) => entry.severity === 'error'),
      ...(isServed && !reading.canaryOf && { converted: forOurClass(reading.ingress, writtenClass) }),
      notWritable,
    });
  }
  return entries.sort((a, b) => compareText(`${a.ref.namespace}/${a.ref.name}`, `${b.ref.namespace}/${b.ref.name}`));
}

/** Only what a user writes: name, namespace, labels, annotations and spec, under our class. */
function forOurClass(ingress: V1Ingress, className: string): V1Ingress {
  const annotations = Object.fromEntries(Object.entries(ingress.metadata?.annotations ?? {}).filter(([key]) => !DROPPED_ANNOTATIONS.includes(key)));
  const labels = ingress.metadata?.labels;
  const spec = structuredClone(ingress.spec) ?? {};
  spec.ingressClassName = className;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingress.metadata?.name ?? '',
      namespace: ingress.metadata?.namespace ?? 'default',
      ...(labels && Object.keys(labels).length > 0 && { labels }),
      ...(Object.keys(annotations).length > 0 && { annotations }),
    },
    spec,
  };
}

/** The report for people: one block per Ingress, then a count. */
export function renderMigrationReport(entries: readonly MigrationEntry[]): string {
  if (entries.length === 0) return 'No Ingress of an ingress-nginx class was found (check --ingress-class).\n';
  const lines: string[] = [];
  const name = (ref: IngressRef): string => `${ref.namespace}/${ref.name}`;
  const describe = (entry: Diagnostic): string => `${entry.field}: ${entry.message}`;
  for (const entry of entries) {
    const state = !entry.served ? 'NOT SERVED' : entry.canaryOf ? `served through ${name(entry.canaryOf)} (canary)` : 'served';
    lines.push(`${name(entry.ref)}: ${state}`);
    if (entry.same.length > 0) lines.push(`  same:        ${entry.same.join(', ')}`);
    for (const item of entry.differs) lines.push(`  differs:     ${describe(item)}`);
    for (const item of entry.unsupported) lines.push(`  unsupported: ${describe(item)}`);
    for (const item of entry.errors) lines.push(`  error:       ${describe(item)}`);
    for (const item of entry.notWritable) lines.push(`  --write:     ${item}`);
  }
  const notServed = entries.filter((entry) => !entry.served).length;
  lines.push('', `${entries.length} Ingress${entries.length === 1 ? '' : 'es'}: ${entries.length - notServed} served, ${notServed} not served.`);
  return `${lines.join('\n')}\n`;
}
