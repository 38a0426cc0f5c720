/**
 * The wire shape of stored objects: plain JSON as the API server sends it (timestamps are RFC 3339
 * strings), unlike client-node's deserialized models whose timestamps are `Date`s.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A KubeObject from decoded JSON, or undefined when `value` is not an object or its metadata is not one. */
export function asKubeObject(value: unknown): KubeObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const metadata = value.metadata ?? {};
  if (!isJsonObject(metadata)) return undefined;
  return { ...value, metadata };
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** RFC 3339 with second precision, as the API server writes metav1.Time. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
