/**
 * The provider contract (test/providers/contract.ts) against the local load balancer, over sockets:
 * echo backends on 127.0.0.1 and 127.0.0.2 are the endpoints, and what is served is what answers
 * real requests on the ports the provider opened. How each promise maps:
 * - a mutating call is a change of the routing table it serves: an apply or delete that replaced or
 *   dropped a stack's served spec (seen as a new object from observe, the provider's own state);
 * - a request's route is the echo backend that answers (its Service, and the targets that answer
 *   over enough requests for round-robin to reach each); the certificate is the one presented in the
 *   TLS handshake for the SNI name;
 * - the inventory is every stack it serves with its target groups, certificates and listeners, and
 *   every socket it holds open;
 * - restart, crash and foreign resources do not apply (say why below), and the suite reports those
 *   tests as skipped with these reasons.
 */
import tls from 'node:tls';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { send, testProvider } from '../../support/local-lb.js';
import { CONTRACT_STACKS, providerContract, type ContractWorld, type ServedRoute } from '../contract.js';

const ADDRESSES = ['127.0.0.1', '127.0.0.2'] as const;
/** Round-robin over at most two targets per group reaches each within this many requests. */
const REQUESTS_PER_ROUTE = 4;

async function route(provider: LocalProvider, backends: ReadonlyMap<string, { service: string; target: string }>, url: string): Promise<ServedRoute> {
  const port = provider.boundPort(80);
  if (port === undefined) return { route: 'none', targets: [] };
  const { host, pathname, search } = new URL(url);
  const services = new Set<string>();
  const targets = new Set<string>();
  for (let request = 0; request < REQUESTS_PER_ROUTE; request += 1) {
    const response = await send({ port, host, path: `${pathname}${search}` });
    if (response.status !== 200) return { route: String(response.status), targets: [] };
    const answered = backends.get((JSON.parse(response.body) as { backend: string }).backend);
    if (!answered) return { route: `unknown backend: ${response.body}`, targets: [] };
    services.add(answered.service);
    targets.add(answered.target);
  }
  return { route: [...services].sort().join(','), targets: [...targets].sort() };
}

function presentedCertificate(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

async function inventory(provider: LocalProvider): Promise<string[]> {
  const entries: string[] = [];
  for (const stackId of CONTRACT_STACKS) {
    const { spec } = await provider.observe({ id: stackId });
    if (!spec) continue;
    entries.push(
      `stack:${stackId}`,
      ...spec.listeners.map((listener) => `listener:${stackId}:${listener.port}`),
      ...spec.targetGroups.map((group) => `target-group:${stackId}:${group.key}`),
      ...spec.certificates.map((certificate) => `certificate:${stackId}:${certificate.key}`),
    );
  }
  for (const port of [80, 443]) if (provider.boundPort(port) !== undefined) entries.push(`socket:${port}`);
  return entries.sort();
}

/** Counts changes of the served routing table: each stack's served spec is a new object after an apply that changed it. */
function routingTableChanges(provider: LocalProvider): () => Promise<number> {
  const lastSeen = new Map<string, LoadBalancerSpec | undefined>();
  let changes = 0;
  return async () => {
    for (const stackId of CONTRACT_STACKS) {
      const { spec } = await provider.observe({ id: stackId });
      if (spec !== lastSeen.get(stackId)) changes += 1;
      lastSeen.set(stackId, spec);
    }
    return changes;
  };
}

providerContract({
  name: 'local (over sockets)',
  async createWorld(setup): Promise<ContractWorld> {
    const a0 = await startEchoBackend({ name: 'a0', host: ADDRESSES[0] });
    const b0 = await startEchoBackend({ name: 'b0', host: ADDRESSES[0] });
    const echoes: EchoBackend[] = [
      a0,
      b0,
      await startEchoBackend({ name: 'a1', host: ADDRESSES[1], port: a0.port }),
      await startEchoBackend({ name: 'b1', host: ADDRESSES[1], port: b0.port }),
    ];
    const backends = new Map(echoes.map((echo) => [echo.name, { service: `default/${echo.name[0]}:80`, target: `${echo.host}:${echo.port}` }]));
    // Health checks at their configured pace: none is due while a test runs, and targets start healthy.
    const provider = testProvider({ healthCheckTimeScale: 1 }, { get: (namespace, name) => setup.material[`${namespace}/${name}`] });
    const mutations = routingTableChanges(provider);
    await mutations();
    return {
      provider,
      endpoints: { addresses: ADDRESSES, ports: { a: a0.port, b: b0.port } },
      mutations,
      route: (_spec, url) => route(provider, backends, url),
      certificateFor: async (_spec, host) => {
        const port = provider.boundPort(443);
        return port === undefined ? undefined : presentedCertificate(port, host);
      },
      inventory: () => inventory(provider),
      restart: {
        notApplicable:
          'the local provider keeps what it serves in its process: a restarted one starts empty and serves again from its first apply, which "creates a load balancer from empty" covers',
      },
      crash: {
        notApplicable:
          'the local provider installs a whole plan in one step in memory (no call to the outside world), so there is no moment between two calls to crash in',
      },
      foreign: {
        notApplicable:
          'the local provider owns nothing outside its process: the only shared thing, a listening port, is one it opened itself, and a port another process holds is never taken (an OpenListener error, test/providers/local/provider.test.ts)',
      },
      close: async () => {
        await provider.close();
        await Promise.all(echoes.map((echo) => echo.close()));
      },
    };
  },
});
