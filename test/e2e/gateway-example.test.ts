/**
 * examples/gateway-api as `npm start` serves it: the example's manifests, with each loopback Pod port
 * moved to an echo backend on a free port (the example's fixed ports may be taken on a shared
 * machine), run by `run --manifests` with the local provider.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { echo, send } from '../support/local-lb.js';
import { startLocalRun } from '../support/manifest-run.js';

const EXAMPLE = new URL('../../examples/gateway-api/', import.meta.url).pathname;
/** The example's Pods by their loopback port (backends.yaml). */
const PODS: Record<number, string> = { 9301: 'store', 9302: 'store-canary', 9303: 'store-api', 9304: 'secure-site' };

describe('examples/gateway-api under run --manifests', () => {
  let dir = '';
  let handle: RunHandle;
  let httpPort = 0;
  let httpsPort = 0;
  const backends: EchoBackend[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-gateway-example-'));
    const ports = new Map<number, number>();
    for (const [port, name] of Object.entries(PODS)) {
      const backend = await startEchoBackend({ name });
      backends.push(backend);
      ports.set(Number(port), backend.port);
    }
    for (const file of await readdir(EXAMPLE)) {
      const text = await readFile(join(EXAMPLE, file), 'utf8');
      await writeFile(
        join(dir, file),
        text.replace(/port: (93\d\d)$/gm, (whole, port: string) => `port: ${ports.get(Number(port)) ?? port}`),
      );
    }
    handle = await startLocalRun(dir);
    const provider = handle.provider as LocalProvider;
    httpPort = provider.boundPort(80) ?? assert.fail('port 80 is served');
    httpsPort = provider.boundPort(443) ?? assert.fail('port 443 is served');
  });

  after(async () => {
    await handle?.stop();
    await Promise.all(backends.map((backend) => backend.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('routes the store by the Gateway API precedence', async () => {
    const host = 'store.gateway.example.com';
    assert.equal((await echo({ port: httpPort, host, path: '/api/v1' })).backend, 'store-api');
    assert.equal((await echo({ port: httpPort, host, path: '/api/v2/items' })).backend, 'store-api');
    assert.equal((await echo({ port: httpPort, host, path: '/', headers: { 'x-canary': 'always' } })).backend, 'store-canary');
    const seen = new Set<string>();
    for (let index = 0; index < 40; index++) seen.add((await echo({ port: httpPort, host, path: '/' })).backend);
    assert.ok(seen.has('store'), [...seen].join(', '));
  });

  it('redirects plain HTTP for the secure site and serves it over HTTPS with the example certificate', async () => {
    const redirect = await send({ port: httpPort, host: 'secure.gateway.example.com', path: '/x' });
    assert.equal(redirect.status, 301);
    assert.match(String(redirect.headers.location), /^https:\/\/secure\.gateway\.example\.com(:\d+)?\/x$/);
    const secret = await readFile(join(EXAMPLE, 'secret.yaml'), 'utf8');
    const certificate = Buffer.from(/tls\.crt: (\S+)/.exec(secret)?.[1] ?? '', 'base64').toString('utf8');
    const secure = await send({
      port: httpsPort,
      host: 'secure.gateway.example.com',
      path: '/',
      tls: { ca: [certificate], servername: 'secure.gateway.example.com' },
    });
    assert.equal(secure.status, 200);
    assert.equal((JSON.parse(secure.body) as { backend: string }).backend, 'secure-site');
    assert.match(String(secure.certificate?.subjectaltname), /DNS:secure\.gateway\.example\.com/);
  });
});
