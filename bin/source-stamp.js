/**
 * Which sources dist/ was built from: a fingerprint of every file the compile reads (path, size and
 * modification time), written into dist/ by bin/build.js and compared by bin/ingress-bridge.js at
 * start-up, so that a build older than any edit is never what runs.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What tsconfig.build.json compiles, and the configuration that decides how. */
const INPUTS = ['src', 'providers', 'tsconfig.json', 'tsconfig.build.json'];

/** Relative to the repository root. */
export const STAMP_FILE = join('dist', '.source-fingerprint');

/** A stat per file and no read: cheap enough to run at every start. */
export function sourceFingerprint(root) {
  const hash = createHash('sha256');
  const visit = (path) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return;
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\0${stats.size}\0${stats.mtimeMs}\n`);
  };
  for (const input of INPUTS) visit(join(root, input));
  return hash.digest('hex');
}

/** The fingerprint dist/ was built from, or undefined when it was not built by bin/build.js. */
export function builtFingerprint(root) {
  try {
    return readFileSync(join(root, STAMP_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}
