/**
 * One look at a manifest directory, for the watcher: the manifest files it holds and what each
 * contains, as a content hash, so that a change is what the bytes say and never what an event says.
 *
 * A file is read again when its stat fingerprint (device, inode, size, modification and change
 * times) differs from the last scan's, or when it was modified so recently that a second write in
 * the same timestamp tick could hide behind an equal fingerprint — git's "racily clean" rule. A file
 * whose fingerprint is old and unchanged is not read, so a periodic rescan costs a walk and a stat
 * per file.
 * @module
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model.js';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES, listManifestTree, readManifestFile } from './manifest-files.js';

/**
 * A file modified less than this long before it was read is read again at the next scan. File
 * systems keep times in ticks from a few milliseconds (Linux's coarse clock) to two seconds (FAT).
 */
export const RACY_WINDOW_MS = 3000;

interface FileStamp {
  path: string;
  /** Stat identity and times; '' when the file could not be stat'ed. */
  fingerprint: string;
  /** Read again at the next scan whatever its fingerprint says. */
  racy: boolean;
  /** When its content or metadata last changed, in epoch milliseconds (0: unknown). */
  changedMs: number;
}

export type ScannedFile = FileStamp & ({ hash: string; text: string } | { problem: Diagnostic });

export interface ScannedDirectory {
  /** Relative to the root, `''` for the root itself. */
  path: string;
  /** Device, inode and birth time: a directory removed and created again under the same name is a new one to watch. */
  identity: string;
  /** When an entry was last added, removed or renamed, in epoch milliseconds (0: unknown). */
  changedMs: number;
}

export interface ManifestScan {
  /** By path relative to the root, in sorted order. */
  files: Map<string, ScannedFile>;
  directories: ScannedDirectory[];
  /** Directories that could not be read: what they held is unknown, not gone. */
  unreadableDirectories: string[];
  /** Problems of the directories themselves. */
  diagnostics: Diagnostic[];
}

export interface ScanOptions {
  maxFileBytes?: number;
  /** The clock, for the racy-file rule (tests). */
  now?: () => number;
}

/** Scans `dir`, reusing what `previous` read of each file whose fingerprint is unchanged and settled. */
export async function scanManifestDirectory(dir: string, previous: ManifestScan | undefined, options: ScanOptions = {}): Promise<ManifestScan> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_FILE_BYTES;
  const now = options.now ?? Date.now;
  const tree = await listManifestTree(dir);
  const directories = await Promise.all(tree.directories.map(async (relative) => ({ path: relative, ...(await identityOf(path.join(dir, relative))) })));
  const scanned = await Promise.all(
    tree.files.map(async (file): Promise<ScannedFile> => {
      const stamp = await stampOf(dir, file, now());
      const before = previous?.files.get(file);
      if (before && stamp.fingerprint !== '' && before.fingerprint === stamp.fingerprint && !before.racy) return { ...before, changedMs: stamp.changedMs };
      // Stat'ed before the read: a write after the stat changes the fingerprint, so the next scan reads it.
      const read = await readManifestFile(dir, file, maxBytes);
      if ('text' in read) return { ...stamp, hash: hashOf(read.text), text: read.text };
      return { ...stamp, racy: true, problem: read };
    }),
  );
  return {
    files: new Map(scanned.map((file) => [file.path, file])),
    directories,
    unreadableDirectories: tree.unreadableDirectories,
    diagnostics: tree.diagnostics,
  };
}

/**
 * What differs between two scans, as the paths concerned: files added, removed or with other
 * contents (or another problem), and directories that became readable or unreadable. Empty when a
 * save wrote the same bytes.
 */
export function changedPaths(before: ManifestScan | undefined, after: ManifestScan): string[] {
  const changed = new Set<string>();
  const paths = new Set([...(before?.files.keys() ?? []), ...after.files.keys()]);
  for (const file of paths) {
    const was = before?.files.get(file);
    const now = after.files.get(file);
    if (!was || !now || signature(was) !== signature(now)) changed.add(file);
  }
  const problemsBefore = new Set((before?.diagnostics ?? []).map((entry) => `${entry.object.name}: ${entry.message}`));
  const problemsAfter = new Set(after.diagnostics.map((entry) => `${entry.object.name}: ${entry.message}`));
  for (const problem of [...problemsBefore].filter((entry) => !problemsAfter.has(entry))) changed.add(problem);
  for (const problem of [...problemsAfter].filter((entry) => !problemsBefore.has(entry))) changed.add(problem);
  return [...changed].sort();
}

/** What a file is, for change detection: its content hash, or the problem that kept it unread. */
function signature(file: ScannedFile): string {
  return 'hash' in file ? `hash:${file.hash}` : `problem:${file.problem.message}`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function stampOf(dir: string, file: string, nowMs: number): Promise<FileStamp> {
  try {
    const stats = await stat(path.join(dir, file), { bigint: true });
    const fingerprint = [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
    const changedMs = changedMsOf(stats);
    return { path: file, fingerprint, racy: nowMs - changedMs < RACY_WINDOW_MS, changedMs };
  } catch {
    return { path: file, fingerprint: '', racy: true, changedMs: 0 };
  }
}

async function identityOf(directory: string): Promise<{ identity: string; changedMs: number }> {
  try {
    const stats = await stat(directory, { bigint: true });
    // The birth time too: a directory removed and made again often gets the freed inode number back.
    return { identity: `${stats.dev}:${stats.ino}:${stats.birthtimeNs}`, changedMs: changedMsOf(stats) };
  } catch {
    return { identity: '', changedMs: 0 };
  }
}

function changedMsOf(stats: BigIntStats): number {
  return Number(stats.ctimeNs > stats.mtimeNs ? stats.ctimeNs : stats.mtimeNs) / 1e6;
}
