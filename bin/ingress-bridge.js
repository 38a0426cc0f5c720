#!/usr/bin/env node
// Runs the compiled CLI when it has been built (the container image), else the TypeScript source
// through tsx (a development checkout, where `npx ingress-bridge` should just work).
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
