/**
 * What the informer caches keep of each object: the fields the controller reads, nothing else.
 * Every watched object stays in memory for the life of the process (once: the informer's cache and
 * the Snapshot hold the same object), so a field kept for nothing costs its size times the cluster.
 *
 * - Every kind: metadata without `managedFields` (often larger than the object itself),
 *   `ownerReferences` and `selfLink`, and annotations without kubectl's
 *   `last-applied-configuration` — a second copy of the whole object as JSON text, a Secret's keys
 *   included. The other annotations stay: translate reads an Ingress's and a Service's.
 * - The kinds a cluster has thousands of — Services, EndpointSlices, Secrets, Nodes — keep only
 *   name, namespace, resourceVersion (the informer resumes from it), labels, annotations and the
 *   deletion mark: no uid, generation or creationTimestamp, which only an Ingress's are read for
 *   (age decides a group's settings, uid names it in Events, generation marks a spec change).
 * - Node: labels (the exclude-from-load-balancers label, `target-node-labels`), providerID, the
 *   conditions' type and status (Ready) and the addresses. Not its annotations, images, nodeInfo,
 *   capacity or volumes, nor the heartbeat times that change every few seconds.
 * - EndpointSlice: per endpoint its addresses, conditions, node, zone and targetRef (kind,
 *   namespace, name, uid); not hints, hostname or deprecatedTopology.
 * - Service: not its status. Pod: identity, readiness gates, Pod IP and conditions only (see
 *   `podFields`). Ingress, Secret, Namespace, IngressClass, IngressClassParams: all but the metadata
 *   above — they are small, or read whole.
 *
 * Each function builds a new object from the one it is given, which it does not change.
 * @module
 */

type Fields = Record<string, unknown>;

const DROPPED_METADATA = new Set(['managedFields', 'ownerReferences', 'selfLink']);
/** The metadata of the kinds counted in thousands (see above). */
const NUMEROUS_KIND_METADATA = ['name', 'namespace', 'resourceVersion', 'labels', 'annotations', 'deletionTimestamp'];
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The object as cached; the caller has checked it is an object with a metadata object. */
export function cachedFields(object: Fields, metadata: Fields): Fields {
  switch (object.kind) {
    case 'Node':
      return nodeFields(object, metadata);
    case 'EndpointSlice':
      return { ...object, metadata: numerousKindMetadata(metadata), endpoints: asArray(object.endpoints).map(endpointFields) };
    case 'Service':
      return withoutKeys({ ...object, metadata: numerousKindMetadata(metadata) }, ['status']);
    case 'Secret':
      return { ...object, metadata: numerousKindMetadata(metadata) };
    case 'Pod':
      return podFields(object, metadata);
    default:
      return { ...object, metadata: metadataFields(metadata) };
  }
}

function metadataFields(metadata: Fields): Fields {
  const kept: Fields = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!DROPPED_METADATA.has(key)) kept[key] = value;
  }
  return withoutLastApplied(kept);
}

function numerousKindMetadata(metadata: Fields): Fields {
  return withoutLastApplied(pick(metadata, NUMEROUS_KIND_METADATA));
}

function withoutLastApplied(metadata: Fields): Fields {
  if (!isRecord(metadata.annotations) || !(LAST_APPLIED_ANNOTATION in metadata.annotations)) return metadata;
  return { ...metadata, annotations: withoutKeys(metadata.annotations, [LAST_APPLIED_ANNOTATION]) };
}

function nodeFields(node: Fields, metadata: Fields): Fields {
  const spec = asRecord(node.spec);
  const status = asRecord(node.status);
  return {
    apiVersion: node.apiVersion,
    kind: node.kind,
    metadata: pick(metadata, ['name', 'resourceVersion', 'labels', 'deletionTimestamp']),
    spec: pick(spec, ['providerID']),
    status: {
      ...(status.conditions !== undefined ? { conditions: asArray(status.conditions).map((condition) => pick(asRecord(condition), ['type', 'status'])) } : {}),
      ...pick(status, ['addresses']),
    },
  };
}

function endpointFields(endpoint: unknown): Fields {
  const fields = pick(asRecord(endpoint), ['addresses', 'conditions', 'nodeName', 'zone', 'targetRef']);
  if (isRecord(fields.targetRef)) fields.targetRef = pick(fields.targetRef, ['kind', 'namespace', 'name', 'uid']);
  return fields;
}

/**
 * A Pod as readiness gates and ip targets read it, nothing more: a cluster has many more Pods than
 * anything else we watch, and their specs (containers, volumes, env) are most of their size. Kept:
 * identity and resourceVersion (the informer resumes from it), the readiness gates, the Pod IP and
 * the conditions. Not the labels: the admission webhook is handed the whole Pod it decides on.
 */
function podFields(pod: Fields, metadata: Fields): Fields {
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: pick(metadata, ['name', 'namespace', 'uid', 'resourceVersion', 'deletionTimestamp']),
    spec: pick(asRecord(pod.spec), ['readinessGates']),
    status: pick(asRecord(pod.status), ['podIP', 'conditions']),
  };
}

/** The listed fields that are present, in that order. */
function pick(source: Fields, fields: readonly string[]): Fields {
  const kept: Fields = {};
  for (const field of fields) {
    if (source[field] !== undefined) kept[field] = source[field];
  }
  return kept;
}

function withoutKeys(source: Fields, keys: readonly string[]): Fields {
  const kept: Fields = { ...source };
  for (const key of keys) Reflect.deleteProperty(kept, key);
  return kept;
}

function asRecord(value: unknown): Fields {
  return isRecord(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function isRecord(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
