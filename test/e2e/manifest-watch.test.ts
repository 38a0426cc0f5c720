/**
 * Live edits under `run --manifests` (issue 13): every save is applied, however the editor saves —
 * in place, by renaming a temporary file over the original, by deleting and re-creating, or as a new
 * file in a new directory — and a save of the same bytes starts no round. Each apply is checked over
 * real sockets through the local provider, by polling the route the save adds; nothing here waits a
 * fixed time.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle, RunRequest } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml } from '../support/cluster.js';
import { echo, send } from '../support/local-lb.js';
import { eventually, loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';

const SAVES = 50;
const IP = { 'ingress-bridge.io/target-type': 'ip' };

/** The Ingress `name` routing host `host`, path `/v<version>` (Exact) to `service`. */
function versionedIngress(name: string, host: string, version: number, service = 'a'): string {
  return ingressYaml({ name, annotations: IP, rules: [{ host, paths: [{ path: `/v${version}`, pathType: 'Exact', service }] }] });
}

interface Harness {
  dir: string;
  handle: RunHandle;
  port: number;
  printed: string[];
  backends: EchoBackend[];
}

async function startHarness(files: Record<string, string>, watch: NonNullable<RunRequest['watch']>, maxFileBytes?: number): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-watch-'));
  const backends = [await startEchoBackend({ name: 'a' }), await startEchoBackend({ name: 'b' })];
  // The keeper's load balancer holds the HTTP socket, so its port stays whatever the others do.
  const keeper = versionedIngress('keeper', 'keeper.test', 0);
  await writeFile(
    join(dir, 'base.yaml'),
    INGRESS_CLASS_YAML + loopbackServiceYaml('a', (backends[0] as EchoBackend).port) + loopbackServiceYaml('b', (backends[1] as EchoBackend).port) + keeper,
  );
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  const printed: string[] = [];
  const handle = await startLocalRun(dir, {
    print: (text) => printed.push(text),
    watch,
    ...(maxFileBytes !== undefined && { maxFileBytes }),
  });
  const port = (handle.provider as LocalProvider).boundPort(80) ?? assert.fail('port 80 is served');
  return { dir, handle, port, printed, backends };
}

async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (!harness) return;
  await harness.handle.stop();
  await Promise.all(harness.backends.map((backend) => backend.close()));
  await rm(harness.dir, { recursive: true, force: true });
}

/** The route `/v<version>` on `host` answers from backend `service`. */
async function served(harness: Harness, host: string, version: number, service = 'a'): Promise<void> {
  await eventually(async () => assert.equal((await echo({ port: harness.port, host, path: `/v${version}` })).backend, service));
}

describe('run --manifests applies every save, however it is made', { timeout: 120_000 }, () => {
  let harness: Harness;
  const file = (): string => join(harness.dir, 'apps', 'web.yaml');
  let version = 0;

  before(async () => {
    harness = await startHarness(
      { 'apps/web.yaml': versionedIngress('web', 'web.test', 0), 'other.yaml': versionedIngress('other', 'other.test', 0) },
      { debounceMs: 20, rescanMs: 600_000 },
    );
    await served(harness, 'web.test', 0);
  });
  after(() => stopHarness(harness));

  const saves: [string, (path: string, text: string) => Promise<void>][] = [
    ['written in place', (path, text) => writeFile(path, text)],
    [
      'renamed over the original, with swap and backup files beside it',
      async (path, text) => {
        const swap = join(path, '..', '.web.yaml.swp');
        await writeFile(swap, 'editor state');
        await writeFile(`${path}~`, 'backup');
        await writeFile(join(path, '..', '.web.yaml.tmp'), text);
        await rename(join(path, '..', '.web.yaml.tmp'), path);
        await unlink(swap);
      },
    ],
    [
      'deleted and created again',
      async (path, text) => {
        await unlink(path);
        await writeFile(path, text);
      },
    ],
  ];
  for (const [how, save] of saves) {
    it(`${SAVES} saves ${how}: each one is served`, async () => {
      for (let index = 0; index < SAVES; index++) {
        version += 1;
        await save(file(), versionedIngress('web', 'web.test', version));
        await served(harness, 'web.test', version);
      }
      assert.equal((await send({ port: harness.port, host: 'web.test', path: `/v${version - 1}` })).status, 404, 'the previous save is no longer routed');
    });
  }

  it(`${SAVES} new files, each in a new directory (the one before removed): each one is served`, async () => {
    await unlink(file());
    let previous: string | undefined;
    for (let index = 0; index < SAVES; index++) {
      version += 1;
      const directory = join(harness.dir, `new-${index}`, 'deeper');
      if (previous) await rm(previous, { recursive: true });
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'web.yaml'), versionedIngress('web', 'web.test', version));
      await served(harness, 'web.test', version);
      previous = join(harness.dir, `new-${index}`);
    }
    if (previous) await rm(previous, { recursive: true });
    await mkdir(join(harness.dir, 'apps'), { recursive: true });
    version += 1;
    await writeFile(file(), versionedIngress('web', 'web.test', version));
    await served(harness, 'web.test', version);
  });

  it('starts no round and prints nothing for a save of the same bytes, in place, by rename or by touch', async () => {
    const roundsBefore = (await harness.handle.runner.reconcile()).round;
    const printedBefore = harness.printed.length;
    const same = versionedIngress('web', 'web.test', version);
    await writeFile(file(), same);
    await writeFile(join(harness.dir, 'apps', '.web.yaml.tmp'), same);
    await rename(join(harness.dir, 'apps', '.web.yaml.tmp'), file());
    const now = new Date();
    await utimes(file(), now, now);
    // A real change elsewhere after the same-bytes saves: its round is the only one, and names only it.
    await writeFile(join(harness.dir, 'other.yaml'), versionedIngress('other', 'other.test', 1));
    await served(harness, 'other.test', 1);
    await eventually(() => assert.equal(harness.printed.length, printedBefore + 1));
    const last = harness.printed.at(-1) ?? '';
    assert.match(last, /^changed: other\.yaml$/m, last);
    assert.match(last, /^load balancer default\/other: \d+ operations?$/m, 'says what the change did to its load balancer');
    assert.doesNotMatch(last, /web\.yaml/);
    assert.equal(
      (await harness.handle.runner.reconcile()).round,
      roundsBefore + 2,
      'one round for the change, one for this call: none for the same-bytes saves',
    );
  });
});

describe('the periodic rescan alone applies every change (no file-system events at all)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ 'web.yaml': versionedIngress('web', 'web.test', 0) }, { useFileSystemEvents: false, rescanMs: 25 });
  });
  after(() => stopHarness(harness));

  it('serves 10 saves in a row, and a file in a directory created later', async () => {
    for (let version = 1; version <= 10; version++) {
      await writeFile(join(harness.dir, 'web.yaml'), versionedIngress('web', 'web.test', version));
      await served(harness, 'web.test', version);
    }
    await mkdir(join(harness.dir, 'later', 'still-later'), { recursive: true });
    await writeFile(join(harness.dir, 'later', 'still-later', 'new.yaml'), versionedIngress('new', 'new.test', 1, 'b'));
    await served(harness, 'new.test', 1, 'b');
  });
});

describe('a file that breaks keeps serving its last good version', () => {
  let harness: Harness;
  const path = (): string => join(harness.dir, 'web.yaml');
  const good = (version: number): string => versionedIngress('web', 'web.test', version);
  /** The printed round that mentions `pattern`. */
  const printedRound = async (pattern: RegExp): Promise<string> => {
    let found = '';
    await eventually(() => {
      found = harness.printed.find((text) => pattern.test(text)) ?? '';
      assert.notEqual(found, '', `a round printing ${String(pattern)}`);
    });
    return found;
  };

  before(async () => {
    harness = await startHarness({ 'web.yaml': good(1) }, { debounceMs: 20, rescanMs: 600_000 }, 4096);
    await served(harness, 'web.test', 1);
  });
  after(() => stopHarness(harness));

  it('a YAML syntax error: the good version still answers, and the error names the line where the quote opens', async () => {
    const broken = good(2).replace('host: "web.test"', 'host: "web.test');
    const line = broken.split('\n').findIndex((text) => text.endsWith('"web.test')) + 1;
    assert.ok(line > 1 && line < broken.split('\n').length - 3, 'the quote opens well before the end of the file');
    await writeFile(path(), broken);
    const round = await printedRound(/invalid YAML/);
    assert.match(round, new RegExp(`web\\.yaml.*invalid YAML at line ${line}, column \\d+: the double-quoted value opened here is never closed`));
    assert.match(round, /the last version of web\.yaml that could be read is still served \(Ingress default\/web\)/);
    assert.match(round, /^no load balancer needed a change$/m);
    assert.equal((await echo({ port: harness.port, host: 'web.test', path: '/v1' })).backend, 'a', 'the good version still serves');
    await writeFile(path(), good(3));
    await served(harness, 'web.test', 3);
  });

  it('a file that becomes unreadable (a link to nothing): the last version still answers', async () => {
    // The dangling link replaces the file in one rename: an unlink first would let a round see the
    // file deleted (a real deletion, rightly applied) when the debounce fires between the two calls.
    const link = join(harness.dir, 'web.yaml.link');
    await symlink(join(harness.dir, 'missing', 'web.yaml'), link);
    await rename(link, path());
    await printedRound(/cannot read the manifest file/);
    assert.equal((await echo({ port: harness.port, host: 'web.test', path: '/v3' })).backend, 'a');
    await unlink(path());
    await writeFile(path(), good(4));
    await served(harness, 'web.test', 4);
  });

  it('a file over --max-manifest-bytes: the last version still answers', async () => {
    await writeFile(path(), `${good(5)}# ${'x'.repeat(5000)}\n`);
    await printedRound(/over the limit of 4096 bytes \(--max-manifest-bytes\)/);
    assert.equal((await echo({ port: harness.port, host: 'web.test', path: '/v4' })).backend, 'a');
    await writeFile(path(), good(6));
    await served(harness, 'web.test', 6);
  });

  it('an Ingress whose fields take the wrong type: its last valid version still answers', async () => {
    await writeFile(path(), good(7).replace('pathType: Exact', 'pathType: [Exact]'));
    const round = await printedRound(/pathType must be a string/);
    assert.match(round, /default\/web {2}its last valid version from web\.yaml is still served/);
    assert.equal((await echo({ port: harness.port, host: 'web.test', path: '/v6' })).backend, 'a');
    await writeFile(path(), good(8));
    await served(harness, 'web.test', 8);
  });
});
