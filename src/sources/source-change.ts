/**
 * A change to one watched object, as the kube source reports it after updating the Snapshot. The
 * work queue turns it into group keys through the DependencyIndex.
 * @module
 */
import type { KindToObject, WatchedKind } from './snapshot.js';

export type ChangeType = 'add' | 'update' | 'delete';

export type SourceChange = {
  [K in WatchedKind]: {
    kind: K;
    type: ChangeType;
    /** The object now; for a delete, its last known state. */
    object: KindToObject[K];
    /** The state the Snapshot held before an update (or a delete). */
    previous?: KindToObject[K];
  };
}[WatchedKind];
