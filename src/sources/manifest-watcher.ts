/**
 * Watches a manifest directory so that no change is missed: a file-system watcher on every
 * directory of the tree says *when* to look, a scan by content hash (manifest-scan.ts) says *what*
 * changed, and a periodic rescan is the safety net for whatever the watchers lose.
 *
 * Why not one `fs.watch(dir, { recursive: true })`: on Node 24 it drops events, and a watch on a
 * file follows its inode, so after an editor saves by rename (write a temporary file, rename it over
 * the original) later changes go unseen. A watcher per directory sees renames, deletions and
 * creations of its entries; directories created later get their own watcher at the next scan.
 * Editors' swap and backup files (`.x.swp`, `x~`, `4913`) start a scan but are no manifests, so they
 * change nothing; a save that writes the same bytes changes nothing either.
 *
 * A change is reported once it has settled: every file it concerns (or, for a file gone, its
 * directory) unchanged for the quiet period. A scan can land between the truncation and the write
 * of an in-place save, or between the delete and the create of another editor's; what it saw then
 * is never applied, so a save never takes a load balancer down for a moment.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { changedPaths, scanManifestDirectory, type ManifestScan, type ScannedDirectory } from './manifest-scan.js';

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_RESCAN_MS = 2000;
/** A file written without pause for longer than this many quiet periods is taken as it is. */
const SETTLE_LIMIT = 20;

export interface ManifestWatcherOptions {
  dir: string;
  maxFileBytes?: number;
  /**
   * Quiet period after a file-system event before the scan, so an editor's several writes make one
   * change; a change is reported only once its files have been this long unchanged.
   */
  debounceMs?: number;
  /** The directory is scanned this often even without events. */
  rescanMs?: number;
  /** False: no file-system watchers, only the periodic rescan (tests of the safety net). */
  useFileSystemEvents?: boolean;
  /** Called after a scan that found a difference, with the paths that differ. */
  onChange: (scan: ManifestScan, changed: string[]) => void;
  /** A scan that failed unexpectedly; the next event or rescan tries again. */
  onError: (error: unknown) => void;
}

export class ManifestWatcher {
  private readonly watchers = new Map<string, { identity: string; watcher: FSWatcher }>();
  private last: ManifestScan;
  private debounce: NodeJS.Timeout | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private scanAgain = false;
  private closed = false;
  /** When a scan first found a change that had not settled yet. */
  private unsettledSince: number | undefined;

  /** `initial` is the scan the caller already acted on: changes are reported against it. */
  constructor(
    private readonly options: ManifestWatcherOptions,
    initial: ManifestScan,
  ) {
    this.last = initial;
  }

  /** Starts watching; a change made since `initial` was scanned is found by the first scan. */
  start(): void {
    this.syncWatchers(this.last.directories);
    this.rescan = setInterval(() => this.scanNow(), this.options.rescanMs ?? DEFAULT_RESCAN_MS);
    this.scanNow();
  }

  /** Resolves when no scan is running or waiting. */
  async idle(): Promise<void> {
    while (this.scanning) await this.scanning;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.rescan);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.idle();
  }

  private onEvent(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.scanNow(), this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** Scans never overlap: one asked for during a scan runs right after it. */
  private scanNow(): void {
    if (this.closed) return;
    if (this.scanning) {
      this.scanAgain = true;
      return;
    }
    this.scanning = this.scanOnce().finally(() => {
      this.scanning = undefined;
      if (this.scanAgain) {
        this.scanAgain = false;
        this.scanNow();
      }
    });
  }

  private async scanOnce(): Promise<void> {
    try {
      const next = await scanManifestDirectory(
        this.options.dir,
        this.last,
        this.options.maxFileBytes === undefined ? {} : { maxFileBytes: this.options.maxFileBytes },
      );
      if (this.closed) return;
      // A file written into a new directory between the walk and its watcher has no event: look once more.
      if (this.syncWatchers(next.directories) > 0) this.scanAgain = true;
      const changed = changedPaths(this.last, next);
      if (changed.length > 0 && !this.settled(next, changed)) {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.scanNow(), this.quietMs());
        return;
      }
      this.unsettledSince = undefined;
      this.last = next;
      if (changed.length > 0) this.options.onChange(next, changed);
    } catch (error) {
      this.options.onError(error);
    }
  }

  private quietMs(): number {
    return this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  /** Whether every changed file (or the directory of one gone) has been quiet long enough, or it has waited its limit. */
  private settled(next: ManifestScan, changed: readonly string[]): boolean {
    const now = Date.now();
    const quiet = this.quietMs();
    const directories = new Map(next.directories.map((directory) => [directory.path, directory.changedMs]));
    // A file gone: the nearest directory still there changed when it went (or when its own directory did).
    const lastChange = (changedPath: string): number => {
      const file = next.files.get(changedPath);
      if (file) return file.changedMs;
      for (let parent = path.posix.dirname(changedPath); ; parent = path.posix.dirname(parent)) {
        const changedMs = directories.get(parent === '.' ? '' : parent);
        if (changedMs !== undefined) return changedMs;
        if (parent === '.' || parent === '/') return 0;
      }
    };
    if (changed.every((changedPath) => now - lastChange(changedPath) >= quiet)) return true;
    this.unsettledSince ??= now;
    return now - this.unsettledSince >= SETTLE_LIMIT * quiet;
  }

  /** One watcher per directory of the tree; a directory gone or replaced loses or renews its watcher. Returns how many were added. */
  private syncWatchers(directories: readonly ScannedDirectory[]): number {
    if (this.options.useFileSystemEvents === false || this.closed) return 0;
    let added = 0;
    const wanted = new Map(directories.map((directory) => [directory.path, directory.identity]));
    for (const [relative, watched] of this.watchers) {
      if (wanted.get(relative) === watched.identity) continue;
      watched.watcher.close();
      this.watchers.delete(relative);
    }
    for (const [relative, identity] of wanted) {
      if (this.watchers.has(relative) || identity === '') continue;
      try {
        const watcher = watch(path.join(this.options.dir, relative), { persistent: false }, () => this.onEvent());
        // A watched directory that is removed ends its watcher; the next scan decides what it became.
        watcher.on('error', () => {
          watcher.close();
          if (this.watchers.get(relative)?.watcher === watcher) this.watchers.delete(relative);
          this.onEvent();
        });
        this.watchers.set(relative, { identity, watcher });
        added += 1;
      } catch {
        // Gone between the scan and now: the next scan sees it gone, or back.
      }
    }
    return added;
  }
}
