/**
 * Objects by resource type, one global revision counter (as etcd keeps), and per-type change
 * history so a watch can resume from any resourceVersion that has not been compacted away.
 * This layer only stores; the API's rules (finalizers, status, generation) live in lifecycle.ts.
 */
import { objectKey, type KubeObject } from './object.js';
import type { ResourceType } from './resources.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  /** The object as written, or its last state (with the deletion's resourceVersion) for DELETED. */
  object: KubeObject;
  /** The state before a MODIFIED change, so selector-filtered watches can tell enter from leave. */
  previous?: KubeObject;
  revision: number;
}

export type ChangeListener = (change: Change) => void;

/** Either the changes after a resourceVersion, or `expired` when some were compacted away. */
export type ChangesSince = { expired: false; changes: Change[] } | { expired: true; oldest: number };

interface Table {
  objects: Map<string, KubeObject>;
  history: Change[];
  /** Changes at or below this revision are gone: a watch from an older version gets 410. */
  compactedThrough: number;
  listeners: Set<ChangeListener>;
}

export interface ObjectStoreOptions {
  /** Changes kept per resource type before the oldest are compacted. */
  historyLimit: number;
}

export class ObjectStore {
  private revision = 0;
  private readonly tables = new Map<ResourceType, Table>();

  constructor(private readonly options: ObjectStoreOptions) {}

  get currentRevision(): number {
    return this.revision;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(type).objects.get(objectKey(namespace, name));
    return found && structuredClone(found);
  }

  /** Objects of a type (all namespaces when `namespace` is undefined), ordered by namespace then name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const entries = [...this.table(type).objects.entries()]
      .filter(([, object]) => namespace === undefined || object.metadata.namespace === namespace)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return entries.map(([, object]) => structuredClone(object));
  }

  /** Stores `object` under a new revision and tells watchers; returns the stored copy. */
  write(type: ResourceType, object: KubeObject, changeType: 'ADDED' | 'MODIFIED'): KubeObject {
    const table = this.table(type);
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const previous = table.objects.get(key);
    const stored = this.stamp(object);
    table.objects.set(key, stored);
    this.record(table, { type: changeType, object: stored, ...(previous ? { previous } : {}), revision: this.revision });
    return structuredClone(stored);
  }

  /** Removes the object under a new revision; the DELETED change carries that revision. */
  delete(type: ResourceType, object: KubeObject): KubeObject {
    const table = this.table(type);
    table.objects.delete(objectKey(object.metadata.namespace, object.metadata.name ?? ''));
    const stored = this.stamp(object);
    this.record(table, { type: 'DELETED', object: stored, revision: this.revision });
    return structuredClone(stored);
  }

  changesSince(type: ResourceType, resourceVersion: number): ChangesSince {
    const table = this.table(type);
    if (resourceVersion < table.compactedThrough) return { expired: true, oldest: table.compactedThrough };
    return { expired: false, changes: table.history.filter((change) => change.revision > resourceVersion) };
  }

  /** Calls `listener` for every later change of `type`; returns the unsubscribe function. */
  subscribe(type: ResourceType, listener: ChangeListener): () => void {
    const { listeners } = this.table(type);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Forgets all history (of one type, or all), so watches from any earlier version get 410. */
  compact(type?: ResourceType): void {
    const tables = type ? [this.table(type)] : [...this.tables.values()];
    for (const table of tables) {
      table.history = [];
      table.compactedThrough = this.revision;
    }
  }

  private stamp(object: KubeObject): KubeObject {
    this.revision += 1;
    const stamped = structuredClone(object);
    stamped.metadata.resourceVersion = String(this.revision);
    return stamped;
  }

  private record(table: Table, change: Change): void {
    table.history.push(change);
    const excess = table.history.length - this.options.historyLimit;
    if (excess > 0) {
      const dropped = table.history.splice(0, excess);
      table.compactedThrough = dropped.at(-1)?.revision ?? table.compactedThrough;
    }
    for (const listener of [...table.listeners]) listener(change);
  }

  private table(type: ResourceType): Table {
    let table = this.tables.get(type);
    if (!table) {
      table = { objects: new Map(), history: [], compactedThrough: 0, listeners: new Set() };
      this.tables.set(type, table);
    }
    return table;
  }
}
