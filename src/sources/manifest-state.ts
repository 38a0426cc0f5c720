/**
 * What a watched manifest directory serves, round after round: each file's objects, where a bad
 * version of a file never takes away what its last version served. Pure: scans in, a Snapshot and
 * diagnostics out; the state is what each file served last.
 *
 * - A file whose new version cannot be read (unreadable, over the size limit), or in which a
 *   document cannot be told apart (a YAML syntax error, a document that is no mapping, an object
 *   without kind or name), serves its last version's objects whole: nothing it held loses traffic.
 *   A file seen broken from the start serves what of it does parse.
 * - An object that can be named but fails its checks (a field of the wrong type) keeps its last
 *   valid version from the same file, as the API server keeps the stored object when it refuses an
 *   update.
 * - A file that is gone is gone, unless it sat in a directory that could not be read.
 * Every case says so in a diagnostic naming the file.
 * @module
 */
import type { Diagnostic, ObjectRef } from '../model.js';
import { WATCHED_KINDS } from './snapshot.js';
import { Snapshot } from './snapshot.js';
import type { ManifestScan } from './manifest-scan.js';
import { addToSnapshot, parseManifestFile, type ManifestLoadResult } from './manifests.js';
import type { ManifestObjects, ParsedObject } from './manifest-validate.js';

interface FileState {
  /** The content hash `parsed` was made from. */
  hash?: string;
  parsed?: ManifestObjects;
  /** The objects the file served in the last round. */
  served: ParsedObject[];
}

export class ManifestState {
  private files = new Map<string, FileState>();

  /** The Snapshot and diagnostics of a new scan; remembers what each file serves for the next one. */
  apply(scan: ManifestScan): ManifestLoadResult {
    const diagnostics: Diagnostic[] = [...scan.diagnostics];
    const next = new Map<string, FileState>();
    for (const [file, read] of scan.files) {
      const before = this.files.get(file);
      if ('problem' in read) {
        diagnostics.push(read.problem);
        if (before && before.served.length > 0) diagnostics.push(keptFileNote(file, before.served));
        next.set(file, { ...(before ?? {}), served: before?.served ?? [] });
        continue;
      }
      const parsed = before?.hash === read.hash && before.parsed ? before.parsed : parseManifestFile(read.text, file);
      diagnostics.push(...parsed.diagnostics);
      if (before && before.served.length > 0 && hasUnidentifiedError(parsed)) {
        diagnostics.push(keptFileNote(file, before.served));
        next.set(file, { hash: read.hash, parsed, served: before.served });
        continue;
      }
      const kept = keptObjects(parsed, before?.served ?? []);
      for (const object of kept) diagnostics.push(keptObjectNote(object));
      next.set(file, { hash: read.hash, parsed, served: [...parsed.objects, ...kept] });
    }
    for (const [file, before] of this.files) {
      if (next.has(file) || !scan.unreadableDirectories.some((directory) => isInside(file, directory))) continue;
      if (before.served.length > 0) diagnostics.push(keptFileNote(file, before.served));
      next.set(file, before);
    }
    this.files = next;
    const snapshot = new Snapshot();
    const files = [...next.keys()].sort();
    for (const file of files) diagnostics.push(...addToSnapshot(snapshot, next.get(file)?.served ?? []));
    return { snapshot, diagnostics, files };
  }
}

/** An error on a document whose objects cannot be named: what the file meant to define is unknown. */
function hasUnidentifiedError(parsed: ManifestObjects): boolean {
  return parsed.diagnostics.some((entry) => entry.severity === 'error' && !isNamedObject(entry.object));
}

function isNamedObject(object: ObjectRef): boolean {
  return (WATCHED_KINDS as readonly string[]).includes(object.kind) && object.name !== '';
}

/** The last valid version of each named object that now fails its checks and so is not among the new objects. */
function keptObjects(parsed: ManifestObjects, served: readonly ParsedObject[]): ParsedObject[] {
  const failed = new Set(
    parsed.diagnostics.filter((entry) => entry.severity === 'error' && isNamedObject(entry.object)).map((entry) => keyOfRef(entry.object)),
  );
  const loaded = new Set(parsed.objects.map(keyOfObject));
  return served.filter((object) => failed.has(keyOfObject(object)) && !loaded.has(keyOfObject(object)));
}

function keyOfRef(object: ObjectRef): string {
  return `${object.kind}/${object.namespace ?? ''}/${object.name}`;
}

function keyOfObject(parsed: ParsedObject): string {
  return keyOfRef({ kind: parsed.kind, namespace: parsed.object.metadata?.namespace ?? '', name: parsed.object.metadata?.name ?? '' });
}

function describe(parsed: ParsedObject): string {
  const namespace = parsed.object.metadata?.namespace;
  return `${parsed.kind} ${namespace ? `${namespace}/` : ''}${parsed.object.metadata?.name ?? ''}`;
}

function keptFileNote(file: string, served: readonly ParsedObject[]): Diagnostic {
  const shown = served.slice(0, 3).map(describe).join(', ') + (served.length > 3 ? `, and ${served.length - 3} more` : '');
  return {
    severity: 'warning',
    object: { kind: 'File', name: file },
    field: '',
    message: `the last version of ${file} that could be read is still served (${shown}) until the error above is fixed`,
  };
}

function keptObjectNote(parsed: ParsedObject): Diagnostic {
  const namespace = parsed.object.metadata?.namespace;
  const object: ObjectRef =
    namespace === undefined
      ? { kind: parsed.kind, name: parsed.object.metadata?.name ?? '' }
      : { kind: parsed.kind, namespace, name: parsed.object.metadata?.name ?? '' };
  return {
    severity: 'warning',
    object,
    field: '',
    message: `its last valid version from ${parsed.source.file} is still served until the errors above are fixed`,
    source: parsed.source,
  };
}

function isInside(file: string, directory: string): boolean {
  return directory === '' || file.startsWith(`${directory}/`);
}
