/**
 * Cluster objects as the informers keep them: the wire JSON (string timestamps, as the manifest
 * source gives them too), with the fields nothing reads dropped on the way in, since every object
 * stays in memory for the life of the process.
 * @module
 */
import { cachedFields, isRecord } from './cache-fields.js';

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
