/**
 * The manifest watcher and its scan (issue 13): changes are what the bytes say — a save of the same
 * bytes, a touch, an editor's swap and backup files are no change — and a directory removed and
 * created again under the same name is watched anew.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { changedPaths, RACY_WINDOW_MS, scanManifestDirectory, type ManifestScan } from '../../src/sources/manifest-scan.js';
import { ManifestWatcher } from '../../src/sources/manifest-watcher.js';

const SERVICE = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\n`;

describe('scanManifestDirectory', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds no change for the same bytes written again or touched, and names a file whose bytes changed', async () => {
    await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
    const first = await scanManifestDirectory(dir, undefined);
    await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
    const later = new Date(Date.now() + 5000);
    await utimes(join(dir, 'a.yaml'), later, later);
    const same = await scanManifestDirectory(dir, first);
    assert.deepEqual(changedPaths(first, same), []);
    await writeFile(join(dir, 'a.yaml'), SERVICE('b'));
    const changed = await scanManifestDirectory(dir, same);
    assert.deepEqual(changedPaths(same, changed), ['a.yaml']);
  });

  it('reads a settled, unchanged file once, and a file changed within the racy window at every scan', async () => {
    await writeFile(join(dir, 'r.yaml'), SERVICE('r'));
    const old = new Date(Date.now() - 2 * RACY_WINDOW_MS);
    await utimes(join(dir, 'r.yaml'), old, old);
    // The file's change time (set by utimes) is now: seen from the future it is settled, seen from now it is racy.
    const settled = await scanManifestDirectory(dir, undefined, { now: () => Date.now() + 2 * RACY_WINDOW_MS });
    // A size limit the file is over: read again, it would be a problem instead of its text.
    const reused = await scanManifestDirectory(dir, settled, { now: () => Date.now() + 2 * RACY_WINDOW_MS, maxFileBytes: 1 });
    assert.equal((reused.files.get('r.yaml') as { text?: string }).text, (settled.files.get('r.yaml') as { text?: string }).text);
    assert.equal(settled.files.get('r.yaml')?.racy, false);
    const racy = await scanManifestDirectory(dir, undefined);
    assert.equal(racy.files.get('r.yaml')?.racy, true, 'a second write in the same timestamp tick could hide behind its fingerprint');
    const reread = await scanManifestDirectory(dir, racy, { maxFileBytes: 1 });
    assert.ok('problem' in (reread.files.get('r.yaml') ?? { text: '' }), 'a racy file is read again');
  });
});

describe('ManifestWatcher', { timeout: 30_000 }, () => {
  let dir = '';
  let watcher: ManifestWatcher;
  const changes: string[][] = [];
  let waiting: ((changed: string[]) => void) | undefined;
  /** The next change the watcher reports. */
  const nextChange = (): Promise<string[]> =>
    new Promise((resolve) => {
      const queued = changes.shift();
      if (queued) resolve(queued);
      else waiting = resolve;
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watch-'));
    await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
    await mkdir(join(dir, 'sub'));
    const initial: ManifestScan = await scanManifestDirectory(dir, undefined);
    watcher = new ManifestWatcher(
      {
        dir,
        debounceMs: 10,
        rescanMs: 600_000,
        onChange: (_scan, changed) => {
          if (waiting) {
            waiting(changed);
            waiting = undefined;
          } else changes.push(changed);
        },
        onError: (error) => assert.fail(String(error)),
      },
      initial,
    );
    watcher.start();
    await watcher.idle();
  });
  after(async () => {
    await watcher.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a change by the files whose bytes changed, and nothing for same-bytes saves and editors' swap and backup files", async () => {
    await writeFile(join(dir, 'a.yaml'), SERVICE('a'));
    await writeFile(join(dir, '.a.yaml.swp'), 'swap');
    await writeFile(join(dir, 'a.yaml~'), 'backup');
    await writeFile(join(dir, '4913'), '');
    await writeFile(join(dir, 'b.yaml'), SERVICE('b'));
    assert.deepEqual(await nextChange(), ['b.yaml']);
  });

  it('watches a directory removed and created again under the same name', async () => {
    await rm(join(dir, 'sub'), { recursive: true });
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'c.yaml'), SERVICE('c'));
    assert.deepEqual(await nextChange(), ['sub/c.yaml']);
    await writeFile(join(dir, 'sub', 'c.yaml'), SERVICE('c2'));
    assert.deepEqual(await nextChange(), ['sub/c.yaml']);
  });
});
