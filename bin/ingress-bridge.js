#!/usr/bin/env node
// In a development checkout (src/ present) the TypeScript source runs through tsx, so a stale dist/
// never shadows it; the container image ships only the compiled dist/ (`npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(new URL('../dist/src/cli.js', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
