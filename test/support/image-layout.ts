/**
 * The container image's /app, laid out in a temporary directory without Docker: `dist/` compiled
 * with tsconfig.build.json, `bin/`, `package.json`, and a node_modules holding only the packages
 * package-lock.json does not mark `dev` (what `npm ci --omit=dev` installs; here symlinks into the
 * checkout's node_modules). Outside the checkout, nothing else resolves: no tsx, no TypeScript.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './deploy-manifests.js';

export interface ImageLayout {
  root: string;
  /** The packages installed, e.g. `pino`, `@kubernetes/client-node`. */
  packages: string[];
  /** `node bin/ingress-bridge.js ...args` in the layout, with a clean INGRESS_BRIDGE_* environment. */
  run(args: string[]): SpawnSyncReturns<string>;
  remove(): void;
}

interface LockEntry {
  dev?: boolean;
}

/** Top-level packages `npm ci --omit=dev` installs: those package-lock.json does not mark dev-only. */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !path.slice('node_modules/'.length).includes('/node_modules/') && entry.dev !== true)
    .map(([path]) => path.slice('node_modules/'.length))
    .sort();
}

/** Compiles with tsconfig.build.json into `outDir`; throws with the compiler's output on failure. */
export function compile(outDir: string): void {
  // tsc is TypeScript 7 (@typescript/native); `typescript` is TypeScript 6, kept for typescript-eslint's API.
  const tsc = join(REPO_ROOT, 'node_modules', '@typescript', 'native', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed:\n${result.stdout}${result.stderr}`);
}

export function buildImageLayout(): ImageLayout {
  const root = mkdtempSync(join(tmpdir(), 'ingress-bridge-image-'));
  try {
    compile(join(root, 'dist'));
    cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
    const packages = productionPackages();
    for (const name of packages) {
      const link = join(root, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(REPO_ROOT, 'node_modules', name), link, 'dir');
    }
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INGRESS_BRIDGE_')));
    return {
      root,
      packages,
      run: (args) => spawnSync(process.execPath, [join('bin', 'ingress-bridge.js'), ...args], { cwd: root, encoding: 'utf8', env, timeout: 60_000 }),
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
