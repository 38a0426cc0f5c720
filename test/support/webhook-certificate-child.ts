/**
 * For test/controller/webhook-certificate-loading.test.ts: checks stored webhook certificates (or
 * issues them, when none are given) in a fresh process and reports the modules that took: those a
 * load hook registered before any of them saw, and the CommonJS module cache (under tsx, a `require`
 * goes through tsx's own loader, which the hook does not see).
 * Not meant to be run by hand.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

const { renew, renewalNeeded, serviceDnsNames } = await import('../../src/controller/webhook-certificate.js');
const stored = process.argv[2] ? (JSON.parse(readFileSync(process.argv[2], 'utf8')) as Parameters<typeof renew>[0]) : undefined;
const names = serviceDnsNames('ingress-bridge-webhook', 'ingress-bridge');
const now = new Date();
const renewal = renewalNeeded(stored, names, now);
renew(stored, renewal, names, now);
const required = Object.keys(createRequire(import.meta.url).cache).map((path) => `file://${path}`);
process.send?.({ renewal, loaded: [...loaded, ...required] });
