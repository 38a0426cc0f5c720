#!/usr/bin/env node
// Runs the compiled CLI when it has been built (the container image), else the TypeScript source
// through tsx (a development checkout, where `npx ingress-bridge` should just work).
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
