#!/usr/bin/env node
// Starts from the compiled dist/ when it was built from the sources as they are now (bin/build.js,
// run by `npm ci` as the prepare step): start-up then needs no TypeScript compiler. After an edit,
// or before any build, the TypeScript source runs through tsx, so a stale build never shadows it.
// The container image ships dist/ without src/, and runs it as is.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { builtFingerprint, sourceFingerprint } from './source-stamp.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = new URL('../src/cli.ts', import.meta.url);
const built = new URL('../dist/src/cli.js', import.meta.url);
let cli;
if (!existsSync(source) || (existsSync(built) && builtFingerprint(root) === sourceFingerprint(root))) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
}
process.exitCode = await cli.main(process.argv.slice(2));
