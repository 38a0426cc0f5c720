/**
 * `--provider` takes a module specifier: a third party's provider is loaded with import() and runs
 * the same reconcile loop as the built-in ones.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ProviderLoadError } from '../src/errors.js';
import { loadProviderModule, moduleUrl } from '../src/provider-registry.js';

const BIN = new URL('../bin/ingress-bridge.js', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

describe('provider plugins', () => {
  it('resolves paths against the working directory and leaves package names alone', () => {
    assert.equal(moduleUrl('./x/provider.js', '/opt/app'), 'file:///opt/app/x/provider.js');
    assert.equal(moduleUrl('/abs/provider.js', '/opt/app'), 'file:///abs/provider.js');
    assert.equal(moduleUrl('@acme/ingress-bridge-gcp'), '@acme/ingress-bridge-gcp');
  });

  it('refuses a module that does not export the provider contract', async () => {
    await assert.rejects(loadProviderModule('node:path'), ProviderLoadError);
    await assert.rejects(loadProviderModule('./does/not/exist.js'), /could not be loaded/);
  });

  it('runs the controller on a module provider given by path', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'run', '--once', '--manifests', 'examples/', '--provider', './test/support/plugin-provider.ts', '--log-level', 'silent'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^default\s+shop\s+ingress-bridge\s+shop\.example\.com\s+default-shop\.memory\.test\s+80$/m);
    assert.match(result.stdout, /^team-a\s+app-a\s+\S+\s+shared\.example\.com\s+shared\.memory\.test/m);
  });
});
