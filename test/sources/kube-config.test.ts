import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadKubeConnection } from '../../src/sources/kube-config.js';

const ENV_NAMES = ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'HOME'] as const;
let saved: Record<string, string | undefined> = {};
let home = '';

beforeEach(() => {
  saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  for (const name of ENV_NAMES) Reflect.deleteProperty(process.env, name);
  home = mkdtempSync(join(tmpdir(), 'kube-config-'));
  process.env.HOME = home;
});

afterEach(() => {
  for (const name of ENV_NAMES) {
    if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = saved[name];
  }
});

function kubeconfigFile(dir: string, file: string, contexts: { name: string; server: string }[]): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': contexts[0]?.name,
      clusters: contexts.map((context) => ({ name: context.name, cluster: { server: context.server } })),
      users: contexts.map((context) => ({ name: context.name, user: { token: 't' } })),
      contexts: contexts.map((context) => ({ name: context.name, context: { cluster: context.name, user: context.name } })),
    }),
  );
  return path;
}

const serverOf = (options: Parameters<typeof loadKubeConnection>[0], inCluster?: Parameters<typeof loadKubeConnection>[1]): string | undefined =>
  loadKubeConnection(options, inCluster).server;

describe('loadKubeConnection', () => {
  it('reads --kubeconfig and switches to --context', () => {
    const file = kubeconfigFile(home, 'config.json', [
      { name: 'dev', server: 'https://dev.example:6443' },
      { name: 'prod', server: 'https://prod.example:6443' },
    ]);
    assert.equal(serverOf({ kubeconfig: file }), 'https://dev.example:6443');
    assert.equal(serverOf({ kubeconfig: file, context: 'prod' }), 'https://prod.example:6443');
  });

  it('names the contexts there are when --context is not one of them', () => {
    const file = kubeconfigFile(home, 'config.json', [{ name: 'dev', server: 'https://dev.example:6443' }]);
    assert.throws(
      () => loadKubeConnection({ kubeconfig: file, context: 'staging' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /--context "staging" is not in --kubeconfig .*config\.json \(its contexts: dev\)/);
        return true;
      },
    );
  });

  it('says which --kubeconfig file cannot be read', () => {
    assert.throws(() => loadKubeConnection({ kubeconfig: join(home, 'missing') }), /--kubeconfig .*missing: cannot use kubeconfig/);
  });

  it('merges the files in KUBECONFIG, the first one choosing the context, ahead of the in-cluster account', () => {
    const first = kubeconfigFile(home, 'a.json', [{ name: 'a', server: 'https://a.example' }]);
    const second = kubeconfigFile(home, 'b.json', [{ name: 'b', server: 'https://b.example' }]);
    process.env.KUBECONFIG = `${first}:${second}`;
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    assert.equal(serverOf({}), 'https://a.example');
    assert.equal(serverOf({ context: 'b' }), 'https://b.example');
  });

  it('uses the service account when running in a pod, ahead of ~/.kube/config', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'pod-'));
    const accountDir = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(join(accountDir, 'token'), 'pod-token');
    writeFileSync(join(accountDir, 'ca.crt'), 'cluster CA');
    mkdirSync(join(home, '.kube'));
    kubeconfigFile(join(home, '.kube'), 'config', [{ name: 'home', server: 'https://home.example' }]);
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    assert.equal(serverOf({}, { serviceAccountPrefix: prefix }), 'https://10.96.0.1:443');
    assert.throws(() => loadKubeConnection({}, { serviceAccountPrefix: join(prefix, 'nowhere') }), /KUBERNETES_SERVICE_HOST is set.*token .* is missing/);
  });

  it('falls back to ~/.kube/config', () => {
    mkdirSync(join(home, '.kube'));
    kubeconfigFile(join(home, '.kube'), 'config', [{ name: 'home', server: 'https://home.example' }]);
    assert.equal(serverOf({}), 'https://home.example');
  });

  it('names everything it tried when nothing is there', () => {
    assert.throws(
      () => loadKubeConnection({}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /no Kubernetes configuration found: tried --kubeconfig \(not given\), KUBECONFIG \(not set\), in-cluster \(KUBERNETES_SERVICE_HOST not set\) and .*\.kube\/config \(no such file\)/,
        );
        return true;
      },
    );
  });
});
