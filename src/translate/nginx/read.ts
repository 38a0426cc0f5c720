/**
 * The `nginx.ingress.kubernetes.io/` annotation reader: an Ingress written for ingress-nginx → the
 * same Ingress in ingress-bridge's own annotations, which translate then serves like any other.
 * There is no second routing engine: rewrites become `transforms.<name>`, redirects, 403s and
 * weighted forwards `actions.<name>`, canary headers and source ranges `conditions.<name>`, on
 * paths that name those actions (`use-annotation`). The same result is what `migrate-from-nginx
 * --write` prints. Pure.
 *
 * What ingress-nginx does, and so what is reproduced (its docs/user-guide/nginx-configuration/
 * annotations.md, internal/ingress/controller/template/template.go and balancer.lua), one module
 * per annotation family: rewrite.ts, redirects.ts, canary.ts, source-ranges.ts, backend-settings.ts,
 * and unsupported.ts for the keys that are not mapped; variants.ts orders the rules one path becomes.
 * This module reads one Ingress with them and writes the converted Ingress.
 * @module
 */
import type { V1HTTPIngressPath, V1Ingress } from '@kubernetes/client-node';
import type { Diagnostic } from '../../model.js';
import { defectDetail, ingressDiagnostic } from '../diagnostics.js';
import { defaultToIpTargets, readBackendProtocol, readIdleTimeout } from './backend-settings.js';
import { byName, canaryFor, findCanaryMain, isCanaryIngress, readCanarySettings, sameNamespace } from './canary.js';
import { NGINX_PREFIX } from './keys.js';
import { NginxAnnotationReader, type NginxReadOptions } from './reader.js';
import { appRootRedirect, readAppRoot, readRedirect, readSslRedirect } from './redirects.js';
import { readRewrite, regexHosts, rewriteTransforms } from './rewrite.js';
import { readSourceRanges } from './source-ranges.js';
import { reportUnmapped } from './unsupported.js';
import { pathVariants } from './variants.js';

export { isCanaryIngress } from './canary.js';
export { nginxAnnotations, type NginxReadOptions } from './reader.js';

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

/**
 * The group of an nginx-class Ingress that names none: one load balancer per namespace, as
 * ingress-nginx serves every Ingress on one address (hosts split across Ingresses stay on one load
 * balancer), within the tenancy rule that a group belongs to one namespace.
 */
export function nginxGroupName(namespace: string): string {
  return `nginx.${namespace}`;
}

/**
 * Reads one Ingress of the nginx class. `siblings` are the other Ingresses of that class (the main
 * of a canary, the canaries of a main, and the other Ingresses of a host whose paths a regex turns
 * into regexes are among them).
 */
export function readNginxIngress(ingress: V1Ingress, siblings: readonly V1Ingress[], options: NginxReadOptions): NginxReading {
  // Its own error boundary (DESIGN.md section 8): a defect here refuses this Ingress, never the estate.
  try {
    const reader = new NginxAnnotationReader(ingress, options);
    const others = siblings.filter((other) => other !== ingress && !(other.metadata?.name === ingress.metadata?.name && sameNamespace(other, ingress)));
    return isCanaryIngress(ingress) ? readCanary(reader, others) : readMain(reader, others);
  } catch (error) {
    const message =
      `the nginx annotations could not be read (${defectDetail(error)}); the Ingress is not served and the others are unaffected. ` +
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

/** The field of the written Ingress a problem with a field of the converted one is about. */
export function writtenField(field: string, fields: ReadonlyMap<string, string>): string {
  for (const [generated, written] of fields) {
    if (field === generated || field.startsWith(`${generated}.`) || field.startsWith(`${generated}[`)) return written + field.slice(generated.length);
  }
  return field;
}

/** A canary Ingress is served through its main Ingress's rules: it only needs to be found and its settings valid. */
function readCanary(reader: NginxAnnotationReader, others: readonly V1Ingress[]): NginxReading {
  reader.use('canary');
  reportUnmapped(reader, true);
  if (!readCanarySettings(reader, reader.ingress)) return reading(reader, converted(reader), new Set<string>());
  const main = findCanaryMain(reader, others);
  return reading(reader, converted(reader), new Set<string>(), main);
}

function readMain(reader: NginxAnnotationReader, others: readonly V1Ingress[]): NginxReading {
  reportUnmapped(reader, false);
  defaultToIpTargets(reader);
  readSslRedirect(reader);
  readBackendProtocol(reader);
  readIdleTimeout(reader);
  const ranges = readSourceRanges(reader);
  const rewrite = readRewrite(reader);
  const appRoot = readAppRoot(reader);
  const redirect = readRedirect(reader);

  const ingress = reader.ingress;
  const regexHostNames = regexHosts(ingress, others);
  const regexPaths = new Set<string>();
  const replaced = new Map<number, V1HTTPIngressPath[]>();
  const canaries = others.filter((other) => sameNamespace(other, ingress) && isCanaryIngress(other)).sort(byName);
  const rules = ingress.spec?.rules ?? [];
  rules.forEach((rule, ruleIndex) => {
    const regex = regexHostNames.has((rule.host ?? '').toLowerCase());
    const paths = rule.http?.paths ?? [];
    const served = [...paths];
    const appended: V1HTTPIngressPath[] = [];
    paths.forEach((path, pathIndex) => {
      const service = path.backend.service;
      if (!service?.name) return;
      const pathField = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
      const canary = canaryFor(reader, canaries, rule.host, path.path);
      const variants = pathVariants(reader, service, canary, { ...ranges, ...(redirect && { redirect }) }, pathField);
      const transforms = rewriteTransforms(reader, path.path ?? '/', rewrite, regex);
      if (variants.length === 1 && variants[0]?.conditions.length === 0 && variants[0].forward && transforms.length === 0 && !canary) return;
      variants.forEach((variant, index) => {
        const name = `nginx-${ruleIndex}-${pathIndex}-${index}`;
        const generated: V1HTTPIngressPath = { path: path.path, pathType: path.pathType, backend: { service: { name, port: { name: 'use-annotation' } } } };
        reader.generate(`actions.${name}`, JSON.stringify(variant.action), `${pathField}.backend`);
        if (variant.conditions.length > 0) reader.generate(`conditions.${name}`, JSON.stringify(variant.conditions), pathField);
        if (variant.forward && transforms.length > 0)
          reader.generate(`transforms.${name}`, JSON.stringify(transforms), reader.field(rewrite.target !== undefined ? 'rewrite-target' : 'upstream-vhost'));
        // The first variant takes the written path's place; the others follow every written path,
        // in order, so that rules of equal precedence keep the order ingress-nginx decides them in.
        if (index === 0) served[pathIndex] = generated;
        else {
          reader.fields.set(`spec.rules[${ruleIndex}].http.paths[${paths.length + appended.length}]`, pathField);
          appended.push(generated);
        }
      });
    });
    // Every path of a regex host is a regex, but app-root's: nginx tests `$uri = /` exactly.
    if (regex) for (let index = 0; index < paths.length + appended.length; index++) regexPaths.add(`${ruleIndex}:${index}`);
    if (appRoot !== undefined) {
      const name = `nginx-${ruleIndex}-app-root`;
      reader.generate(`actions.${name}`, JSON.stringify(appRootRedirect(appRoot)), reader.field('app-root'));
      reader.fields.set(`spec.rules[${ruleIndex}].http.paths[${paths.length + appended.length}]`, reader.field('app-root'));
      appended.push({ path: '/', pathType: 'Exact', backend: { service: { name, port: { name: 'use-annotation' } } } });
    }
    if (appended.length > 0 || served.some((path, index) => path !== paths[index])) replaced.set(ruleIndex, [...served, ...appended]);
  });
  return reading(reader, converted(reader, replaced), regexPaths);
}

function reading(reader: NginxAnnotationReader, ingress: V1Ingress, regexPaths: Set<string>, canaryOf?: V1Ingress): NginxReading {
  return {
    ingress,
    diagnostics: reader.diagnostics,
    refused: reader.refused,
    regexPaths,
    ...(canaryOf && { canaryOf }),
    fields: reader.fields,
    mapped: reader.mapped,
  };
}

/** The Ingress without nginx annotations, with ours added. */
function converted(reader: NginxAnnotationReader, paths?: Map<number, V1HTTPIngressPath[]>): V1Ingress {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(reader.ingress.metadata?.annotations ?? {})) if (!key.startsWith(NGINX_PREFIX)) annotations[key] = value;
  Object.assign(annotations, reader.own);
  // A copy: the Snapshot's object is shared with the rest of the controller and must not change.
  const copy = structuredClone(reader.ingress);
  copy.metadata ??= {};
  copy.metadata.annotations = annotations;
  copy.spec?.rules?.forEach((rule, index) => {
    const replaced = paths?.get(index);
    if (replaced && rule.http) rule.http.paths = replaced;
  });
  return copy;
}
