/**
 * Exec credential plugins, with a tiny plugin script in a temp dir that prints an ExecCredential:
 * what it prints becomes the credentials, it runs once until the credential expires, and again
 * when the API server (the Kubernetes API fake) answers 401.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadKubeConnection } from '../../src/sources/kube-config.js';
import { ExecCredential, parseExecCredential, type ExecPlugin } from '../../src/sources/kube-exec-credential.js';
import { KubeApiError, KubeClient } from '../../src/sources/kube-http.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';

const V1 = 'client.authentication.k8s.io/v1';

/**
 * Prints the tokens in TOKENS (comma-separated) one per run, the last one from then on; counts its
 * runs in COUNT_FILE; keeps what it was told in KUBERNETES_EXEC_INFO in INFO_FILE.
 */
const PLUGIN = `
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const runs = existsSync(process.env.COUNT_FILE) ? Number(readFileSync(process.env.COUNT_FILE, 'utf8')) : 0;
writeFileSync(process.env.COUNT_FILE, String(runs + 1));
writeFileSync(process.env.INFO_FILE, process.env.KUBERNETES_EXEC_INFO ?? '');
const tokens = process.env.TOKENS.split(',');
const status = { token: tokens[Math.min(runs, tokens.length - 1)] };
if (process.env.EXPIRES) status.expirationTimestamp = process.env.EXPIRES;
process.stdout.write(JSON.stringify({ apiVersion: process.env.API_VERSION, kind: 'ExecCredential', status }));
`;

let dir = '';
let countFile = '';
let infoFile = '';
let script = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exec-plugin-'));
  countFile = join(dir, 'count');
  infoFile = join(dir, 'info');
  script = join(dir, 'plugin.mjs');
  writeFileSync(script, PLUGIN);
});

const runs = (): number => Number(readFileSync(countFile, 'utf8'));

function plugin(env: Record<string, string>, extra: Partial<ExecPlugin> = {}): ExecPlugin {
  return {
    apiVersion: V1,
    command: process.execPath,
    args: [script],
    env: Object.entries({ COUNT_FILE: countFile, INFO_FILE: infoFile, API_VERSION: V1, ...env }).map(([name, value]) => ({ name, value })),
    directory: dir,
    described: 'user "test"',
    ...extra,
  };
}

describe('parseExecCredential', () => {
  it('reads a token, a client certificate and the expiry', () => {
    const printed = (status: object, apiVersion = V1): string => JSON.stringify({ apiVersion, kind: 'ExecCredential', status });
    assert.deepEqual(parseExecCredential(printed({ token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' }), V1), {
      credentials: { authorization: 'Bearer t' },
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
    });
    assert.deepEqual(parseExecCredential(printed({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }), V1).credentials, {
      clientCertificate: { cert: 'CERT', key: 'KEY' },
    });
    assert.throws(
      () => parseExecCredential(printed({ token: 't' }, 'client.authentication.k8s.io/v1beta1'), V1),
      /answered apiVersion .*v1beta1, not the .*v1 asked for/,
    );
    assert.throws(() => parseExecCredential(printed({}), V1), /neither a token nor a client certificate/);
    assert.throws(() => parseExecCredential(printed({ clientCertificateData: 'CERT' }), V1), /without the other/);
    assert.throws(() => parseExecCredential(printed({ token: 't', expirationTimestamp: 'soon' }), V1), /expirationTimestamp "soon" is not an RFC 3339 time/);
    assert.throws(() => parseExecCredential('Please log in', V1), /not JSON/);
  });
});

describe('ExecCredential', () => {
  it('runs the plugin once while its credential has not expired, and again after', async () => {
    let now = Date.parse('2029-12-31T23:00:00Z');
    const credential = new ExecCredential(plugin({ TOKENS: 'first,second', EXPIRES: '2030-01-01T00:00:00Z' }), { now: () => now });
    assert.deepEqual(await credential.current(), { authorization: 'Bearer first' });
    assert.deepEqual(await Promise.all([credential.current(), credential.current()]), [{ authorization: 'Bearer first' }, { authorization: 'Bearer first' }]);
    assert.equal(runs(), 1);
    now = Date.parse('2030-01-01T00:00:01Z');
    assert.deepEqual(await credential.current(), { authorization: 'Bearer second' });
    assert.equal(runs(), 2);
  });

  it('without an expiry, runs again only when asked to refresh; requests that ask together share one run', async () => {
    const credential = new ExecCredential(plugin({ TOKENS: 'first,second' }));
    await credential.current();
    await credential.current();
    assert.equal(runs(), 1);
    const [a, b] = await Promise.all([credential.current(true), credential.current(true)]);
    assert.deepEqual([a, b], [{ authorization: 'Bearer second' }, { authorization: 'Bearer second' }]);
    assert.equal(runs(), 2);
  });

  it('tells the plugin it is not interactive, and the cluster when asked to (provideClusterInfo)', async () => {
    const cluster = { server: 'https://api.example', 'certificate-authority-data': 'Q0E=' };
    await new ExecCredential(plugin({ TOKENS: 't' }, { cluster })).current();
    assert.deepEqual(JSON.parse(readFileSync(infoFile, 'utf8')), { apiVersion: V1, kind: 'ExecCredential', spec: { interactive: false, cluster } });
  });

  it('says when the command is missing, with its install hint, and when it fails', async () => {
    const missing = new ExecCredential(plugin({ TOKENS: 't' }, { command: join(dir, 'no-such-plugin'), installHint: 'install it with: brew install it' }));
    await assert.rejects(
      missing.current(),
      /exec credential plugin of user "test" failed: command .*no-such-plugin not found \(install it with: brew install it\)/,
    );
    const failing = new ExecCredential(
      plugin({ TOKENS: 't' }, { command: process.execPath, args: ['-e', 'console.error("token expired, log in"); process.exit(3)'] }),
    );
    await assert.rejects(failing.current(), /exec credential plugin of user "test" failed: .*token expired, log in/);
  });
});

describe('an exec plugin in a kubeconfig, against the API server', () => {
  let fake: KubeFake;
  before(async () => {
    fake = await startKubeFake();
  });
  after(() => fake.close());

  function kubeconfig(tokens: string): string {
    const path = join(dir, 'config');
    const env = { COUNT_FILE: countFile, INFO_FILE: infoFile, API_VERSION: V1, TOKENS: tokens };
    const exec = { apiVersion: V1, command: process.execPath, args: [script], env: Object.entries(env).map(([name, value]) => ({ name, value })) };
    writeFileSync(
      path,
      stringify({
        'current-context': 'fake',
        clusters: [{ name: 'fake', cluster: { server: fake.url } }],
        users: [{ name: 'eks', user: { exec } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'eks' } }],
      }),
    );
    return path;
  }

  it('runs the plugin again after a 401 and sends the request once more with the new token', async () => {
    const client = new KubeClient(loadKubeConnection({ kubeconfig: kubeconfig('expired-token,kube-fake-token') }));
    fake.clearRequests();
    const list = await client.get<{ items: unknown[] }>('/api/v1/namespaces');
    assert.deepEqual(list.items, []);
    assert.equal(runs(), 2);
    assert.deepEqual(
      fake.requests({ resource: 'namespaces' }).map((request) => request.code),
      [401, 200],
    );
    await client.get('/api/v1/namespaces');
    assert.equal(runs(), 2, 'the new token is kept');
    client.close();
  });

  it('a 401 that fresh credentials do not cure is the caller’s, as a KubeApiError', async () => {
    const client = new KubeClient(loadKubeConnection({ kubeconfig: kubeconfig('wrong-token') }));
    await assert.rejects(client.get('/api/v1/namespaces'), (error: unknown) => error instanceof KubeApiError && error.code === 401);
    assert.equal(runs(), 2);
    client.close();
  });
});
