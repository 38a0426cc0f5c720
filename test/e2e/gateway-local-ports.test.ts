/**
 * A Gateway listener on a port other than 80 and 443, served by `run --manifests` with the local
 * provider: each spec port gets its own socket, on its own number unless `listenerPorts` maps it
 * elsewhere (here to a port the system picks, as `--listener-ports 8080=0` would), and each listener
 * routes only the routes attached to it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { echo, send } from '../support/local-lb.js';
import { eventually, loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';
import { testOptions } from '../support/cluster.js';

const route = (name: string, section: string, backend: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: web, sectionName: ${section}}]
  rules:
  - backendRefs: [{name: ${backend}, port: 80}]
---
`;

describe('a Gateway listener on port 8080 with the local provider', () => {
  let dir = '';
  let handle: RunHandle;
  const backends = new Map<string, EchoBackend>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-gateway-ports-'));
    for (const name of ['a', 'b']) backends.set(name, await startEchoBackend({ name }));
    const services = [...backends].map(([name, backend]) => loopbackServiceYaml(name, backend.port)).join('');
    await writeFile(
      join(dir, 'web.yaml'),
      GATEWAY_CLASS_YAML +
        services +
        gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}', '{name: alt, port: 8080, protocol: HTTP}']) +
        route('main', 'http', 'a') +
        route('alt', 'alt', 'b'),
    );
    handle = await startLocalRun(dir, {
      providerSettings: { httpPort: 0, httpsPort: 0, listenerPorts: '8080=0' },
      translateOptions: () => testOptions({ now: new Date(), defaultTargetType: 'ip' }),
    });
  });

  after(async () => {
    await handle?.stop();
    await Promise.all([...backends.values()].map((backend) => backend.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the 8080 listener on its own socket, with only the routes attached to it', async () => {
    const provider = handle.provider as LocalProvider;
    await eventually(() => assert.ok(provider.boundPort(8080) !== undefined && provider.boundPort(80) !== undefined));
    const alt = provider.boundPort(8080) as number;
    const http = provider.boundPort(80) as number;
    assert.notEqual(alt, http);
    // Mapped: the system chose the port, not 8080 itself (which the default --http-port holds).
    assert.notEqual(alt, 8080);
    await eventually(async () => assert.equal((await echo({ port: alt, host: 'web.test', path: '/x' })).backend, 'b'));
    assert.equal((await echo({ port: http, host: 'web.test', path: '/x' })).backend, 'a');
    // The ALB tells the target the listener's port, whatever socket served it here.
    assert.equal((await echo({ port: alt, host: 'web.test', path: '/' })).xForwardedPort, '8080');
  });

  it('reports an unusable listenerPorts setting before serving anything', async () => {
    await assert.rejects(
      startLocalRun(dir, { providerSettings: { httpPort: 0, httpsPort: 0, listenerPorts: '80=0' } }),
      /listenerPorts .*spec port 80 is set by httpPort/,
    );
    await assert.rejects(startLocalRun(dir, { providerSettings: { httpPort: 0, httpsPort: 0, listenerPorts: '8080' } }), /"8080" is not SPEC=LOCAL/);
    assert.equal((await send({ port: (handle.provider as LocalProvider).boundPort(8080) as number, host: 'web.test', path: '/' })).status, 200);
  });
});
