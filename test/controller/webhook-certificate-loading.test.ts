/**
 * node-forge (~10 MiB of RSS) is loaded only when a certificate must be made: a replica that finds
 * sound certificates in its Secret checks them with node:crypto alone. Each case runs in a process of
 * its own, whose module list is read from a load hook (support/webhook-certificate-child.ts).
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renew, serviceDnsNames } from '../../src/controller/webhook-certificate.js';

const CHILD = fileURLToPath(new URL('../support/webhook-certificate-child.ts', import.meta.url));

async function check(storedFile?: string): Promise<{ renewal: string; loaded: string[] }> {
  const child = fork(CHILD, storedFile ? [storedFile] : [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await new Promise((resolve, reject) => {
      child.once('message', (message: { renewal: string; loaded: string[] }) => resolve(message));
      child.once('exit', (code) => reject(new Error(`the child exited (${String(code)}) before it reported`)));
    });
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
}

const forgeModules = (loaded: string[]): string[] => loaded.filter((url) => url.includes('/node-forge/'));

describe('when the webhook certificates load node-forge', () => {
  let directory = '';
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'ingress-bridge-webhook-certificate-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('certificates to reuse: checked without node-forge', async () => {
    const file = join(directory, 'stored.json');
    writeFileSync(file, JSON.stringify(renew(undefined, 'ca', serviceDnsNames('ingress-bridge-webhook', 'ingress-bridge'), new Date())));
    const run = await check(file);
    assert.equal(run.renewal, 'keep');
    assert.ok(
      run.loaded.some((url) => url.endsWith('/webhook-certificate.ts')),
      'the hook saw the module checked',
    );
    assert.deepEqual(forgeModules(run.loaded), []);
  });

  it('none stored: node-forge is loaded to make them', async () => {
    const run = await check();
    assert.equal(run.renewal, 'ca');
    assert.ok(forgeModules(run.loaded).length > 0);
  });
});
