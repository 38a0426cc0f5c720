/**
 * Cluster objects in one shape, the wire JSON, whichever way they arrived. client-node's informer
 * lists through the typed deserializer (class instances, `Date` timestamps) but hands watch events
 * over as plain `JSON.parse` output (string timestamps); translate, the Snapshot and tests must not
 * see the difference, and the manifest source gives the wire shape too. Fields nothing reads are
 * dropped on the way in, since every object stays in memory for the life of the process.
 * @module
 */
import { cachedFields, isRecord } from './cache-fields.js';

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
 * The object as the informer caches it: only the fields the controller reads (cache-fields.ts).
 * Returns undefined for a value that is not an object with a name, which the informer's cache could
 * not hold without crashing.
 */
export function trimForCache(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  return cachedFields(value, value.metadata);
}
