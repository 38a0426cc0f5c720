/**
 * The main job end to end: `run --manifests DIR` with the local provider, real echo backends and real
 * sockets on loopback; the directory is edited while requests flow.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, type PathFixture } from '../support/cluster.js';
import { echo, selfSignedCertificate, send, tlsSecretYaml, type SelfSignedCertificate } from '../support/local-lb.js';
import { eventually, loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';

const SERVICES = ['a', 'b', 'c', 'd', 'web'] as const;

const IP = { 'ingress-bridge.io/target-type': 'ip' };

describe('run --manifests with the local provider', () => {
  let dir = '';
  let handle: RunHandle;
  let provider: LocalProvider;
  let httpPort = 0;
  let httpsPort = 0;
  const printed: string[] = [];
  const backends = new Map<string, EchoBackend>();
  let firstCertificate: SelfSignedCertificate;

  const write = (file: string, text: string): Promise<void> => writeFile(join(dir, file), text);
  const layered: PathFixture[] = [
    { path: '/foo', pathType: 'Exact', service: 'd' },
    { path: '/foo/bar', pathType: 'Prefix', service: 'c' },
    { path: '/foo', pathType: 'Prefix', service: 'b' },
    { path: '/', pathType: 'Prefix', service: 'a' },
  ];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-local-'));
    for (const name of SERVICES) backends.set(name, await startEchoBackend({ name }));
    firstCertificate = selfSignedCertificate(['secure.test']);
    await write('base.yaml', INGRESS_CLASS_YAML + SERVICES.map((name) => loopbackServiceYaml(name, (backends.get(name) as EchoBackend).port)).join(''));
    await write('secret.yaml', tlsSecretYaml('secure-tls', firstCertificate));
    await write(
      'paths.yaml',
      ingressYaml({
        name: 'paths',
        annotations: IP,
        rules: [
          { host: 'paths.test', paths: layered },
          { host: '*.wild.test', paths: [{ path: '/', pathType: 'Prefix', service: 'c' }] },
        ],
      }),
    );
    await write(
      'web.yaml',
      ingressYaml({ name: 'web', annotations: IP, rules: [{ host: 'web.test', paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] }] }),
    );
    await write(
      'secure.yaml',
      ingressYaml({
        name: 'secure',
        annotations: IP,
        tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }],
        rules: [{ host: 'secure.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
      }),
    );
    handle = await startLocalRun(dir, { print: (text) => printed.push(text) });
    provider = handle.provider as LocalProvider;
    httpPort = provider.boundPort(80) ?? assert.fail('port 80 is served');
    httpsPort = provider.boundPort(443) ?? assert.fail('port 443 is served');
  });

  after(async () => {
    await handle?.stop();
    await Promise.all([...backends.values()].map((backend) => backend.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the plan and every Ingress with the load balancer address', () => {
    const first = printed[0] ?? '';
    assert.match(first, /^load balancer default\/paths$/m);
    for (const name of ['paths', 'secure', 'web']) assert.match(first, new RegExp(`^default\\s+${name}\\s+ingress-bridge\\s+\\S+\\s+127\\.0\\.0\\.1\\s`, 'm'));
  });

  it('routes every precedence case of the specification over real sockets', async () => {
    const expected: Record<string, string> = {
      '/': 'a',
      '/x': 'a',
      '/foo': 'd',
      '/foo/': 'b',
      '/foo/x': 'b',
      '/foobar': 'a',
      '/foo/bar': 'c',
      '/foo/bar/x': 'c',
      '/foo/barx': 'b',
    };
    for (const [path, backend] of Object.entries(expected)) {
      assert.equal((await echo({ port: httpPort, host: 'paths.test', path })).backend, backend, path);
    }
    assert.equal((await echo({ port: httpPort, host: 'one.wild.test', path: '/' })).backend, 'c');
    assert.equal((await send({ port: httpPort, host: 'two.one.wild.test', path: '/' })).status, 404);
    assert.equal((await send({ port: httpPort, host: 'web.test', path: '/other' })).status, 404);
  });

  it("serves the Secret's certificate for its host over HTTPS", async () => {
    const response = await send({ port: httpsPort, host: 'secure.test', path: '/', tls: { ca: [firstCertificate.certificatePem], servername: 'secure.test' } });
    assert.equal(response.status, 200);
    assert.match(String(response.certificate?.subjectaltname), /DNS:secure\.test/);
  });

  it('switches routing when a manifest is edited, failing no request on the way', async () => {
    let stop = false;
    const statuses: number[] = [];
    const seen = new Set<string>();
    const load = async (): Promise<void> => {
      while (!stop) {
        const response = await send({ port: httpPort, host: 'web.test', path: '/api/x' });
        statuses.push(response.status);
        if (response.status === 200) seen.add((JSON.parse(response.body) as { backend: string }).backend);
      }
    };
    const loops = [load(), load(), load()];
    await sleep(100);
    await write(
      'web.yaml',
      ingressYaml({ name: 'web', annotations: IP, rules: [{ host: 'web.test', paths: [{ path: '/api', pathType: 'Prefix', service: 'b' }] }] }),
    );
    await eventually(async () => assert.equal((await echo({ port: httpPort, host: 'web.test', path: '/api/x' })).backend, 'b'));
    stop = true;
    await Promise.all(loops);
    assert.ok(statuses.length > 10, `only ${statuses.length} requests were sent`);
    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
      'every request during the edit succeeded',
    );
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  it("serves a rotated Secret's new certificate without restarting the listener", async () => {
    const rotated = selfSignedCertificate(['secure.test']);
    await write('secret.yaml', tlsSecretYaml('secure-tls', rotated));
    await eventually(async () => {
      const response = await send({ port: httpsPort, host: 'secure.test', path: '/', tls: { ca: [rotated.certificatePem], servername: 'secure.test' } });
      assert.equal(response.status, 200);
    });
    assert.equal(provider.boundPort(443), httpsPort);
  });

  it('reports a Secret whose key does not match, and keeps every other host serving', async () => {
    const other = selfSignedCertificate(['secure.test']);
    const mismatched = { certificatePem: other.certificatePem, privateKeyPem: firstCertificate.privateKeyPem };
    const before = printed.length;
    await write('secret.yaml', tlsSecretYaml('secure-tls', mismatched));
    await eventually(() => {
      const report = printed.slice(before).join('\n');
      assert.match(report, /default\/secure\s+spec\.tls\[0\]\.secretName: Secret default\/secure-tls data\["tls\.key"\]: tls\.key does not match/);
    });
    assert.equal((await echo({ port: httpPort, host: 'paths.test', path: '/foo' })).backend, 'd');
    assert.equal((await echo({ port: httpPort, host: 'web.test', path: '/api' })).backend, 'b');
  });
});
