/**
 * Structural checks of one decoded manifest document, the ones the API server makes before it stores
 * an object: kind and apiVersion, metadata, string maps, Secret data, and (in manifest-shapes) the
 * shape of each kind's fields. What the object means for routing is translate's job. Pure: a decoded YAML value in, objects and diagnostics out.
 * @module
 */
import type { Diagnostic, ObjectRef } from '../model.js';
import { SERVICE_NAME_LABEL, WATCHED_KINDS } from './snapshot.js';
import type { KindToObject, ObjectSource, WatchedKind } from './snapshot.js';
import { checkStringMap, describeType, error, isMapping, nonEmptyStringProblem } from './manifest-fields.js';
import type { Checked, Mapping, Problem } from './manifest-fields.js';
import { checkKindShape } from './manifest-shapes.js';
import { GATEWAY_API_VERSIONS, type GatewayKind } from './gateway-kinds.js';

/** An object read from a manifest, ready for `Snapshot.upsert(kind, object, source)`. */
export type ParsedObject = {
  [K in WatchedKind]: { kind: K; object: KindToObject[K]; source: ObjectSource };
}[WatchedKind];

export interface ManifestObjects {
  objects: ParsedObject[];
  diagnostics: Diagnostic[];
}

/** The apiVersion each kind is read at; any other version of these kinds is an error. */
const API_VERSIONS: Readonly<Record<Exclude<WatchedKind, GatewayKind>, string>> = {
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  IngressClassParams: 'ingress-bridge.io/v1',
  Namespace: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Node: 'v1',
  Secret: 'v1',
  Pod: 'v1',
};

/** The namespace of a namespaced object that names none, as `kubectl apply` without a context would. */
const DEFAULT_NAMESPACE = 'default';

const CLUSTER_SCOPED: ReadonlySet<WatchedKind> = new Set(['Node', 'IngressClass', 'IngressClassParams', 'Namespace', 'GatewayClass']);

/** Standard base64 with padding, as the API server decodes Secret data. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const MISSING_NAME = 'metadata.name is missing; every object needs a name';

/** Where a value sits: its document and, inside a List, the path to its item (`items[2]`). */
interface Location extends ObjectSource {
  path: string;
}

/**
 * Checks one decoded document (a `kind: List` is expanded into its items). A valid object of a
 * watched kind comes back normalised: namespace defaulted (or dropped for cluster-scoped kinds), a
 * null optional field dropped, a null string-map value read as `""`, and for Secrets `stringData`
 * merged into `data` as base64.
 */
export function validateDocument(value: unknown, source: ObjectSource): ManifestObjects {
  return validateValue(value, { ...source, path: '' });
}

function validateValue(value: unknown, at: Location): ManifestObjects {
  if (!isMapping(value)) {
    const message = `a manifest must be a mapping with kind, apiVersion and metadata, not ${describeType(value)}`;
    return onlyDiagnostic(at, documentRef(at), { severity: 'error', field: '', message });
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || kind === '') {
    const message = `kind must be a non-empty string naming the object's kind, such as Ingress or Service`;
    return onlyDiagnostic(at, documentRef(at), { severity: 'error', field: 'kind', message });
  }
  if (kind === 'List') return expandList(value, at);
  if (!isWatchedKind(kind)) {
    const message = `skipped: kind ${kind} is not read by ingress-bridge`;
    return onlyDiagnostic(at, objectRef(kind, value), { severity: 'info', field: 'kind', message });
  }
  return validateObject(kind, value, at);
}

function expandList(list: Mapping, at: Location): ManifestObjects {
  const items = list.items ?? [];
  if (!Array.isArray(items)) {
    const message = `a List must have items, a list of objects, not ${describeType(items)}`;
    return onlyDiagnostic(at, objectRef('List', list), { severity: 'error', field: 'items', message });
  }
  const results = items.map((item, index) => validateValue(item, { ...at, path: pathTo(at, `items[${index}]`) }));
  return {
    objects: results.flatMap((result) => result.objects),
    diagnostics: results.flatMap((result) => result.diagnostics),
  };
}

function validateObject(kind: WatchedKind, value: Mapping, at: Location): ManifestObjects {
  const metadata = checkMetadata(kind, value.metadata);
  const secret = kind === 'Secret' ? checkSecretData(value) : { value, problems: [] };
  const body = checkKindShape(kind, secret.value);
  const problems = [
    ...checkApiVersion(kind, value.apiVersion),
    ...metadata.problems,
    ...secret.problems,
    ...body.problems,
    ...(kind === 'EndpointSlice' ? serviceNameLabelProblems(value) : []),
  ];
  const ref = objectRef(kind, value);
  const diagnostics = problems.map((problem) => toDiagnostic(at, ref, problem));
  if (problems.some((problem) => problem.severity === 'error')) return { objects: [], diagnostics };
  const object = { ...body.value, metadata: metadata.value };
  const source = { file: at.file, document: at.document };
  // The one cast from decoded YAML to the client-node types: the shape was checked above.
  return { objects: [{ kind, object, source } as unknown as ParsedObject], diagnostics };
}

function checkApiVersion(kind: WatchedKind, apiVersion: unknown): Problem[] {
  if (kind in GATEWAY_API_VERSIONS) {
    // A Gateway API kind may be read at more than one version (ReferenceGrant: v1 and v1beta1).
    const versions = GATEWAY_API_VERSIONS[kind as GatewayKind];
    if (typeof apiVersion === 'string' && versions.includes(apiVersion)) return [];
    const found = typeof apiVersion === 'string' ? `apiVersion ${apiVersion} is not read` : 'apiVersion is missing';
    return [error('apiVersion', `${found}; a ${kind} must have apiVersion ${versions.join(' or ')}`)];
  }
  const expected = API_VERSIONS[kind as Exclude<WatchedKind, GatewayKind>];
  if (apiVersion === expected) return [];
  const found = typeof apiVersion === 'string' ? `apiVersion ${apiVersion} is not read` : 'apiVersion is missing';
  return [error('apiVersion', `${found}; a ${kind} must have apiVersion ${expected}`)];
}

function checkMetadata(kind: WatchedKind, raw: unknown): Checked<Mapping> {
  if (raw === undefined || raw === null) {
    return { value: {}, problems: [error('metadata.name', MISSING_NAME)] };
  }
  if (!isMapping(raw)) return { value: {}, problems: [error('metadata', `metadata must be a mapping, not ${describeType(raw)}`)] };
  const metadata: Mapping = { ...raw };
  const problems: Problem[] = [];
  if (raw.name === undefined || raw.name === null) {
    problems.push(error('metadata.name', MISSING_NAME));
  } else {
    problems.push(...nonEmptyStringProblem('metadata.name', raw.name));
  }
  if (CLUSTER_SCOPED.has(kind)) {
    delete metadata.namespace;
  } else if (raw.namespace === undefined || raw.namespace === null) {
    metadata.namespace = DEFAULT_NAMESPACE;
  } else {
    problems.push(...nonEmptyStringProblem('metadata.namespace', raw.namespace));
  }
  for (const [key, noun] of [
    ['annotations', 'annotation'],
    ['labels', 'label'],
  ] as const) {
    const map = checkStringMap(raw[key], { field: `metadata.${key}`, noun, revealValues: true });
    problems.push(...map.problems);
    if (map.value) metadata[key] = map.value;
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- key is 'annotations' or 'labels'; the field is left out, not set to undefined
    else delete metadata[key];
  }
  return { value: metadata, problems };
}

/** Merges stringData into data like the API server, so consumers only ever read base64 `data`. */
function checkSecretData(secret: Mapping): Checked<Mapping> {
  const data = checkStringMap(secret.data, { field: 'data', noun: 'data', revealValues: false });
  const stringData = checkStringMap(secret.stringData, { field: 'stringData', noun: 'stringData', revealValues: false });
  const problems = [...data.problems, ...stringData.problems];
  const merged: Record<string, string> = {};
  for (const [key, encoded] of Object.entries(data.value ?? {})) {
    // Line breaks are allowed inside the base64 text, as Go's decoder skips them.
    const compact = encoded.replace(/[\r\n]/g, '');
    if (BASE64.test(compact)) merged[key] = compact;
    else
      problems.push(
        error(`data[${JSON.stringify(key)}]`, 'the value is not valid base64: data values must be base64-encoded (plain text goes under stringData)'),
      );
  }
  for (const [key, text] of Object.entries(stringData.value ?? {})) merged[key] = Buffer.from(text, 'utf8').toString('base64');
  const value: Mapping = { ...secret };
  delete value.stringData;
  if (data.value || stringData.value) value.data = merged;
  else delete value.data;
  return { value, problems };
}

function serviceNameLabelProblems(slice: Mapping): Problem[] {
  const labels = isMapping(slice.metadata) ? slice.metadata.labels : undefined;
  if (isMapping(labels) && typeof labels[SERVICE_NAME_LABEL] === 'string') return [];
  const message = `the EndpointSlice has no ${SERVICE_NAME_LABEL} label, so no Service uses its endpoints`;
  return [{ severity: 'warning', field: `metadata.labels[${JSON.stringify(SERVICE_NAME_LABEL)}]`, message }];
}

function toDiagnostic(at: Location, object: ObjectRef, problem: Problem): Diagnostic {
  return {
    severity: problem.severity,
    object,
    field: pathTo(at, problem.field),
    message: problem.message,
    source: { file: at.file, document: at.document },
  };
}

function onlyDiagnostic(at: Location, object: ObjectRef, problem: Problem): ManifestObjects {
  return { objects: [], diagnostics: [toDiagnostic(at, object, problem)] };
}

/** The object as far as it is known; `name` is empty when the manifest gives none. */
function objectRef(kind: string, value: Mapping): ObjectRef {
  const metadata = isMapping(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (isWatchedKind(kind) && CLUSTER_SCOPED.has(kind)) return { kind, name };
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') return { kind, namespace: metadata.namespace, name };
  return isWatchedKind(kind) ? { kind, namespace: DEFAULT_NAMESPACE, name } : { kind, name };
}

/** A document whose kind is unknown is named by its file (the diagnostic's source adds the index). */
function documentRef(at: Location): ObjectRef {
  return { kind: 'Document', name: at.path ? `${at.file} ${at.path}` : at.file };
}

function pathTo(at: Location, field: string): string {
  if (!at.path) return field;
  return field ? `${at.path}.${field}` : at.path;
}

function isWatchedKind(kind: string): kind is WatchedKind {
  return (WATCHED_KINDS as readonly string[]).includes(kind);
}
