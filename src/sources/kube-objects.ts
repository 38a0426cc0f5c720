/**
 * Cluster objects in one shape, the wire JSON, whichever way they arrived. client-node's informer
 * lists through the typed deserializer (class instances, `Date` timestamps) but hands watch events
 * over as plain `JSON.parse` output (string timestamps); translate, the Snapshot and tests must not
 * see the difference, and the manifest source gives the wire shape too. Fields nothing reads are
 * dropped on the way in, since every object stays in memory for the life of the process.
 * @module
 */

export interface TypeIdentity {
  apiVersion: string;
  kind: string;
}

/**
 * A typed list item → the JSON the API server sent. The generated models of the kinds we watch use
 * the wire field names, so copying own fields is enough; fields the typed object left undefined are
 * left out, as they were absent on the wire.
 */
export function wireFromTyped(typed: object, identity: TypeIdentity): Record<string, unknown> {
  // List items carry no apiVersion/kind on the wire; watch objects do.
  return { ...identity, ...(toWire(typed) as Record<string, unknown>) };
}

function toWire(value: unknown): unknown {
  if (value instanceof Date) return kubernetesTime(value);
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) plain[key] = toWire(field);
    }
    return plain;
  }
  return value;
}

/** metav1.Time is RFC 3339 to the second: `2024-05-01T10:00:00Z`, not `…:00.000Z`. */
export function kubernetesTime(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Drops what no reader of the Snapshot uses: managedFields (often larger than the object itself)
 * and a Node's image list (dozens of entries per Node). Mutates: the object is freshly parsed and
 * not yet shared. Returns undefined for a value that is not an object with a name, which the
 * informer's cache could not hold without crashing.
 */
export function trimForCache(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  delete value.metadata.managedFields;
  if (value.kind === 'Node' && isRecord(value.status)) delete value.status.images;
  if (value.kind === 'Pod') return podForCache(value, value.metadata);
  return value;
}

/**
 * A Pod as readiness gates and ip targets read it, nothing more: a cluster has many more Pods than
 * anything else we watch, and their specs (containers, volumes, env) are most of their size. Kept:
 * identity and resourceVersion (the informer resumes from it), the readiness gates, the Pod IP and
 * the conditions. Not the labels: the admission webhook is handed the whole Pod it decides on.
 */
function podForCache(pod: Record<string, unknown>, metadata: Record<string, unknown>): Record<string, unknown> {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const status = isRecord(pod.status) ? pod.status : {};
  const kept = (source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(fields.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]));
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: kept(metadata, ['name', 'namespace', 'uid', 'resourceVersion', 'deletionTimestamp']),
    spec: kept(spec, ['readinessGates']),
    status: kept(status, ['podIP', 'conditions']),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
