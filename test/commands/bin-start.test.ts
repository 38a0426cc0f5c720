/**
 * Which code bin/ingress-bridge.js starts (issue 13): the compiled dist/ only while its stamp says
 * it was built from the sources as they are, so start-up needs no TypeScript compiler and an edit is
 * never shadowed by a stale build; the TypeScript source through tsx otherwise; dist/ alone in the
 * image, which ships no src/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sourceFingerprint, STAMP_FILE } from '../../bin/source-stamp.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('bin/ingress-bridge.js', () => {
  let root = '';
  const start = (): string => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'ingress-bridge.js')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const stamp = (): void => writeFileSync(join(root, STAMP_FILE), `${sourceFingerprint(root)}\n`);

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'bin-start-'));
    cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'package.json'), '{"type": "module"}\n');
    for (const config of ['tsconfig.json', 'tsconfig.build.json']) writeFileSync(join(root, config), '{}\n');
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'providers'));
    mkdirSync(join(root, 'dist', 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'cli.ts'), "export async function main(): Promise<number> {\n  process.stdout.write('source');\n  return 0;\n}\n");
    writeFileSync(join(root, 'dist', 'src', 'cli.js'), "export async function main() {\n  process.stdout.write('dist');\n  return 0;\n}\n");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs the TypeScript source when dist/ carries no stamp', () => {
    assert.equal(start(), 'source');
  });

  it('runs dist/ when its stamp matches the sources', () => {
    stamp();
    assert.equal(start(), 'dist');
  });

  it('runs the source again once a source file changes, is added, or the configuration changes', () => {
    appendFileSync(join(root, 'src', 'cli.ts'), '// edited\n');
    assert.equal(start(), 'source');
    stamp();
    writeFileSync(join(root, 'providers', 'new.ts'), 'export {};\n');
    assert.equal(start(), 'source');
    stamp();
    appendFileSync(join(root, 'tsconfig.build.json'), '\n');
    assert.equal(start(), 'source');
  });

  it('runs dist/ as it is where there is no src/ (the image)', () => {
    rmSync(join(root, 'src'), { recursive: true });
    assert.equal(start(), 'dist');
  });
});
