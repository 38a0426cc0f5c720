/**
 * Kubeconfig files as kubectl reads them (kubeconfig.ts: parsing, merging) and what each kind of
 * cluster and user entry becomes (kube-config.ts: server, TLS, credentials), with the clear
 * ConfigError for what is not supported.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/errors.js';
import { loadKubeConnection } from '../../src/sources/kube-config.js';
import { mergeKubeconfigs, parseKubeconfig } from '../../src/sources/kubeconfig.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
});

interface Entries {
  current?: string;
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, Record<string, unknown>>;
}

function kubeconfigYaml(entries: Entries): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    ...(entries.current ? { 'current-context': entries.current } : {}),
    clusters: Object.entries(entries.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(entries.users ?? {}).map(([name, user]) => ({ name, user })),
    contexts: Object.entries(entries.contexts ?? {}).map(([name, context]) => ({ name, context })),
  });
}

/** A file with one context `main` joining cluster `c` and user `u`. */
function oneContext(cluster: Record<string, unknown>, user: Record<string, unknown>, file = 'config'): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    kubeconfigYaml({ current: 'main', clusters: { c: cluster }, users: { u: user }, contexts: { main: { cluster: 'c', user: 'u', namespace: 'team' } } }),
  );
  return path;
}

const load = (kubeconfig: string) => loadKubeConnection({ kubeconfig });

function assertConfigError(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('kubeconfig files', () => {
  it('reads YAML, and keeps the first definition of a name within a file', () => {
    const config = parseKubeconfig(
      'clusters:\n- name: a\n  cluster: {server: "https://first"}\n- name: a\n  cluster: {server: "https://second"}\ncurrent-context: x\n',
      '/k/config',
    );
    assert.equal(config.currentContext, 'x');
    assert.equal(config.clusters.get('a')?.fields.server, 'https://first');
    assert.equal(config.clusters.get('a')?.directory, '/k');
  });

  it('merges as kubectl does: the first current-context that is set, the first definition of each name', () => {
    const first = parseKubeconfig(kubeconfigYaml({ clusters: { shared: { server: 'https://one' } }, users: { u1: { token: 'a' } } }), '/one/config');
    const second = parseKubeconfig(
      kubeconfigYaml({ current: 'second', clusters: { shared: { server: 'https://two' }, only: { server: 'https://only' } }, contexts: { second: {} } }),
      '/two/config',
    );
    const merged = mergeKubeconfigs([first, second]);
    assert.equal(merged.currentContext, 'second', 'the first file has none, so the second one chooses');
    assert.equal(merged.clusters.get('shared')?.fields.server, 'https://one');
    assert.equal(merged.clusters.get('shared')?.file, '/one/config');
    assert.equal(merged.clusters.get('only')?.fields.server, 'https://only');
    assert.deepEqual([...merged.users.keys()], ['u1']);
  });

  it('says what is not a kubeconfig', () => {
    assert.throws(() => parseKubeconfig('- a list', 'f'), /not a kubeconfig/);
    assert.throws(() => parseKubeconfig('clusters: {a: 1}', 'f'), /clusters must be a list/);
    assert.throws(() => parseKubeconfig('users: [{user: {}}]', 'f'), /users\[0\] must have a name/);
  });
});

describe('what a kubeconfig entry becomes', () => {
  it('a token, the server without a trailing slash, the context namespace, inline CA data and tls-server-name', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
    const connection = load(
      oneContext(
        { server: 'https://api.example:6443/', 'certificate-authority-data': Buffer.from(ca).toString('base64'), 'tls-server-name': 'kubernetes' },
        { token: 'secret-token' },
      ),
    );
    assert.equal(connection.server, 'https://api.example:6443');
    assert.equal(connection.namespace, 'team');
    assert.equal(connection.certificateAuthority, ca);
    assert.equal(connection.tlsServerName, 'kubernetes');
    assert.equal(connection.insecureSkipTlsVerify, undefined);
    assert.deepEqual(await connection.credentials(), { authorization: 'Bearer secret-token' });
  });

  it('files named relative to the kubeconfig: CA, client certificate and key, token file', async () => {
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA PEM');
    writeFileSync(join(dir, 'pki', 'client.crt'), 'CERT PEM');
    writeFileSync(join(dir, 'pki', 'client.key'), 'KEY PEM');
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const connection = load(
      oneContext(
        { server: 'https://api', 'certificate-authority': 'pki/ca.crt' },
        { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key', tokenFile: 'token' },
      ),
    );
    assert.equal(connection.certificateAuthority, 'CA PEM');
    assert.deepEqual(await connection.credentials(), { authorization: 'Bearer from-file', clientCertificate: { cert: 'CERT PEM', key: 'KEY PEM' } });
  });

  it('basic auth, and insecure-skip-tls-verify', async () => {
    const connection = load(oneContext({ server: 'https://api', 'insecure-skip-tls-verify': true }, { username: 'admin', password: 'pw' }));
    assert.equal(connection.insecureSkipTlsVerify, true);
    assert.deepEqual(await connection.credentials(), { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` });
  });

  it('a context without a user is anonymous', async () => {
    const path = join(dir, 'anon');
    writeFileSync(path, kubeconfigYaml({ current: 'x', clusters: { c: { server: 'http://127.0.0.1:1' } }, contexts: { x: { cluster: 'c' } } }));
    assert.deepEqual(await load(path).credentials(), {});
  });

  it('refuses what it does not support, naming the user or cluster, the field and what to use instead', () => {
    assertConfigError(
      () => load(oneContext({ server: 'https://api' }, { 'auth-provider': { name: 'gcp' } })),
      /user "u" uses the legacy auth-provider "gcp".*use an exec credential plugin instead \(gke-gcloud-auth-plugin/,
    );
    assertConfigError(() => load(oneContext({ server: 'https://api', 'proxy-url': 'http://proxy:3128' }, {})), /cluster "c" sets proxy-url/);
    assertConfigError(() => load(oneContext({ server: 'https://api' }, { token: 't', as: 'someone' })), /user "u" impersonates another identity \(as\)/);
    assertConfigError(
      () => load(oneContext({ server: 'https://api' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } })),
      /user "u": exec apiVersion client.authentication.k8s.io\/v1alpha1 is not supported; use client.authentication.k8s.io\/v1 or client.authentication.k8s.io\/v1beta1/,
    );
    assertConfigError(
      () =>
        load(oneContext({ server: 'https://api' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'login', interactiveMode: 'Always' } })),
      /user "u": the exec plugin login needs a terminal/,
    );
  });

  it('refuses what cannot work, at start', () => {
    assertConfigError(() => load(oneContext({}, { token: 't' })), /cluster "c" has no server/);
    assertConfigError(
      () => load(oneContext({ server: 'https://api' }, { token: 't', username: 'a', password: 'b' })),
      /user "u" sets both token and username\/password/,
    );
    assertConfigError(
      () => load(oneContext({ server: 'https://api' }, { 'client-certificate-data': 'Q0VSVA==' })),
      /user "u" sets client-certificate without the other/,
    );
    assertConfigError(
      () => load(oneContext({ server: 'https://api', 'certificate-authority': 'missing.crt' }, {})),
      /cluster "c": certificate-authority .*missing\.crt cannot be read/,
    );
    const path = join(dir, 'dangling');
    writeFileSync(path, kubeconfigYaml({ current: 'x', clusters: { c: { server: 'https://api' } }, contexts: { x: { cluster: 'c', user: 'nobody' } } }));
    assertConfigError(() => load(path), /context "x" names user "nobody", which is not defined/);
  });

  it('in a pod: the service account CA is required', () => {
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, kubeconfig: process.env.KUBECONFIG };
    const accountDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(accountDir, { recursive: true });
    writeFileSync(join(accountDir, 'token'), 't');
    try {
      Reflect.deleteProperty(process.env, 'KUBECONFIG');
      process.env.KUBERNETES_SERVICE_HOST = 'fd00::1';
      process.env.KUBERNETES_SERVICE_PORT = '443';
      assertConfigError(() => loadKubeConnection({}, { serviceAccountPrefix: dir }), /service account's CA .*ca\.crt cannot be read/);
      writeFileSync(join(accountDir, 'ca.crt'), 'CA');
      writeFileSync(join(accountDir, 'namespace'), 'ingress-bridge\n');
      const connection = loadKubeConnection({}, { serviceAccountPrefix: dir });
      assert.equal(connection.server, 'https://[fd00::1]:443');
      assert.equal(connection.namespace, 'ingress-bridge');
    } finally {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
        ['KUBECONFIG', saved.kubeconfig],
      ] as const) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
  });
});
