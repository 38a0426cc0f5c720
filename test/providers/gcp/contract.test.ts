/**
 * The provider contract (test/providers/contract.ts) against the GCP provider on the Compute fake,
 * through the real `@google-cloud/compute` REST clients over loopback. How each promise maps:
 * - a mutating call is any call the fake counts as mutating (insert, update, patch, delete and the
 *   custom verbs; list, get and operations `wait` are reads), whether it succeeded or not;
 * - what is served is read from the fake: the URL map behind the forwarding rule on port 80 through
 *   the URL-map evaluator (test/support/url-map-evaluator.ts), the endpoints of the NEGs behind the
 *   backend service it picks, and the certificate the HTTPS proxy presents for the SNI name;
 * - the inventory is every resource whose description carries our ownership record for cluster
 *   `test`, by logical id (a rotated certificate is the same entry), plus every NEG endpoint;
 * - a restart is a new provider over the same fake; a crash is the fake failing every mutating call
 *   after the k-th;
 * - foreign resources are seeded with our name prefix but no record, with another cluster's record,
 *   and with our record for another stack.
 */
import assert from 'node:assert/strict';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { stackNames } from '../../../providers/gcp/plan/names.js';
import type { GcpFake } from '../../../fakes/gcp/index.js';
import { CLUSTER, createGcpWorld, inventory, servedCertificate, servedRoute } from '../../support/gcp-provider-world.js';
import { CONTRACT_STACKS, providerContract, type ContractWorld } from '../contract.js';

/** Private addresses the fake accepts as endpoints; no traffic is sent to them. */
const ADDRESSES = ['10.0.0.11', '10.0.0.12'] as const;

function plantForeign(fake: GcpFake): () => void {
  const shop = stackNames(CLUSTER, CONTRACT_STACKS[0], 'internal');
  const region = fake.regionScope;
  const description = (cluster: string, stack: string): string => `ingress-bridge:${JSON.stringify({ cluster, stack, resource: 'BackendService/x' })}`;
  const keys = [
    fake.store.seed(region, 'backendServices', { name: `${shop.prefix}-bs-lookalike`, protocol: 'HTTP', loadBalancingScheme: 'EXTERNAL_MANAGED' }),
    fake.store.seed(region, 'backendServices', {
      name: `${shop.prefix}-bs-othercluster`,
      description: description('other', CONTRACT_STACKS[0]),
      protocol: 'HTTP',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
    }),
    fake.store.seed(region, 'backendServices', {
      name: `${shop.prefix}-bs-otherstack`,
      description: description(CLUSTER, 'default/elsewhere'),
      protocol: 'HTTP',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
    }),
    fake.store.seed(region, 'urlMaps', {
      name: `${shop.prefix}-um-80-old`,
      defaultService: `https://www.googleapis.com/compute/v1/${region}/backendServices/${shop.prefix}-bs-lookalike`,
    }),
    fake.store.seed(fake.globalScope, 'firewalls', {
      name: shop.firewall.replace('health', 'manual'),
      network: 'x',
      allowed: [{ IPProtocol: 'tcp' }],
      sourceRanges: ['0.0.0.0/0'],
    }),
    fake.store.seed(region, 'addresses', { name: 'someone-else', address: '34.9.9.9', addressType: 'EXTERNAL' }),
  ];
  const state = (): string => JSON.stringify(keys.map((key) => fake.store.get(key)));
  const planted = state();
  return () => {
    const named = fake
      .mutatingCalls()
      .filter((call) => keys.some((key) => call.target === key || JSON.stringify(call.body ?? {}).includes(key.split('/').at(-1)!)));
    assert.deepEqual(named, [], 'no mutating call names a resource that is not ours');
    assert.equal(state(), planted, 'every resource that is not ours is exactly as planted');
  };
}

providerContract({
  name: 'gcp (on the Compute fake, real SDK over loopback)',
  async createWorld(setup): Promise<ContractWorld> {
    const world = await createGcpWorld();
    const newProvider = (): ReturnType<typeof world.newProvider> => world.newProvider({ material: setup.material });
    const provider = await newProvider();
    const restarted: Awaited<ReturnType<typeof newProvider>>[] = [];
    // The contract's restart is synchronous; the provider is made ahead and handed out on demand.
    restarted.push(await newProvider());
    return {
      provider,
      endpoints: { addresses: ADDRESSES, ports: { a: 8080, b: 8081 } },
      mutations: () => Promise.resolve(world.fake.mutatingCalls().length),
      route: (spec: LoadBalancerSpec, url: string) => {
        const { route, targets } = servedRoute(world.fake, spec, url);
        return Promise.resolve({ route, targets });
      },
      certificateFor: (spec, host) => Promise.resolve(servedCertificate(world.fake, spec, host)),
      inventory: () => Promise.resolve(inventory(world.fake)),
      restart: () => {
        const next = restarted.shift();
        if (!next) throw new Error('one restart per world');
        return next;
      },
      crash: { after: (calls) => world.fake.failAfterMutations(calls), clear: () => world.fake.failAfterMutations(undefined) },
      foreign: { plant: () => Promise.resolve(plantForeign(world.fake)) },
      close: () => world.close(),
    };
  },
});
