#!/usr/bin/env node
/**
 * Compiles src/ and providers/ into dist/ (`npm run build`'s compile) and records the sources it was
 * built from, so that bin/ingress-bridge.js starts from JavaScript — no TypeScript compiler at
 * start-up — only while that is still what the sources say. `npm ci` and `npm install` run this as
 * the `prepare` step.
 *
 * A failed compile is reported and leaves dist/ unstamped, and the install goes on: the CLI then runs
 * the TypeScript source through tsx, and `npm test`'s type-check reports the errors.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { sourceFingerprint, STAMP_FILE } from './source-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// Taken before the compile: a source edited while it runs then no longer matches, and is not trusted.
const fingerprint = sourceFingerprint(root);
rmSync(join(root, 'dist'), { recursive: true, force: true });
// The compiler `npm run build` runs (node_modules/.bin/tsc links to its script).
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (compiled.status === 0) {
  writeFileSync(join(root, STAMP_FILE), `${fingerprint}\n`);
} else {
  process.stderr.write(
    'ingress-bridge: dist/ was not built (the compile failed); the CLI runs the TypeScript source instead, and `npm test` shows the errors\n',
  );
}
