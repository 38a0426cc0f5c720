/**
 * ReferenceGrant (API reference): a reference from one namespace to an object in another is allowed
 * only when a ReferenceGrant in the target's namespace lists the referring kind and namespace in
 * `from` and the target's kind (and, when given, name) in `to`.
 * @module
 */
import type { SnapshotView } from '../../sources/snapshot.js';

export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function referenceGranted(snapshot: SnapshotView, from: ReferenceFrom, to: ReferenceTo): boolean {
  return snapshot.referenceGrants().some((grant) => {
    if (grant.metadata?.namespace !== to.namespace) return false;
    const fromOk = (grant.spec?.from ?? []).some(
      (entry) => (entry.group ?? '') === from.group && entry.kind === from.kind && entry.namespace === from.namespace,
    );
    const toOk = (grant.spec?.to ?? []).some(
      (entry) => (entry.group ?? '') === to.group && entry.kind === to.kind && (entry.name === undefined || entry.name === '' || entry.name === to.name),
    );
    return fromOk && toOk;
  });
}
