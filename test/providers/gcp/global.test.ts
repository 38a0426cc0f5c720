/**
 * The global external Application Load Balancer (`load-balancer-scope: global`) on the Compute fake,
 * through the real SDK with the deploy/gcp role enforced: `run --once` builds a global load balancer
 * for every example an Ingress serves (global collections only, no regex in any URL map, routing as
 * the spec says) and a second round changes nothing; Secret rotation never leaves the global HTTPS
 * proxy without a certificate; what the global scope cannot route exactly is refused with no call; a
 * scope change replaces the load balancer, the status address moving to the new one, nothing leaked —
 * also after a crash after any of its mutating calls; and `plan` renders the global resources.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { CertificateMaterial } from '../../../src/provider.js';
import { startRun } from '../../../src/commands/run-manifests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { testCertificate } from '../../../fakes/aws/fixtures.js';
import { renderPlan } from '../../../providers/gcp/index.js';
import { GcpProvider } from '../../../providers/gcp/provider.js';
import { readGcpSettings } from '../../../providers/gcp/settings.js';
import { ComputeBudget } from '../../../providers/gcp/sdk/budget.js';
import { ComputeApi } from '../../../providers/gcp/sdk/compute.js';
import { stackNames } from '../../../providers/gcp/plan/names.js';
import { routeOf } from '../../support/alb-evaluator.js';
import {
  INGRESS_CLASS_YAML,
  ingressYaml,
  onlySpec,
  serviceYaml,
  testOptions,
  tlsSecretYaml,
  translateYaml,
  type IngressFixture,
} from '../../support/cluster.js';
import {
  CLUSTER,
  errorsOf,
  inventory,
  inWorld,
  mutatingActionsSince,
  reconcile,
  rolePermissions,
  servedCertificate,
  servedRoute,
  watchProxyCertificates,
  type GcpWorld,
} from '../../support/gcp-provider-world.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
/**
 * Examples an Ingress serves, between them two hosts, TLS, a default backend and a cross-namespace
 * group (examples.test.ts runs every example regionally; four keep this run short, as the provider's
 * budget keeps to Compute's default read quota a second).
 */
const GLOBAL_EXAMPLES = ['two-hosts', 'tls', 'default-backend', 'group'];
const GLOBAL = { 'ingress-bridge.io/scheme': 'internet-facing', 'ingress-bridge.io/load-balancer-scope': 'global' };
const scratch: string[] = [];

after(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

const SERVICES =
  serviceYaml({ name: 'a', endpoints: ['10.0.0.11', '10.0.0.12'], endpointPort: 8080 }) +
  serviceYaml({ name: 'b', endpoints: ['10.0.0.13'], endpointPort: 8081 });

function specOf(fixture: Partial<IngressFixture> & { annotations?: Record<string, string> }, extraYaml = ''): LoadBalancerSpec {
  const ingress: IngressFixture = {
    name: 'web',
    rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }],
    ...fixture,
    annotations: { 'ingress-bridge.io/target-type': 'ip', ...GLOBAL, ...fixture.annotations },
  };
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + SERVICES + extraYaml + ingressYaml(ingress), testOptions({ now: new Date() })));
}

const regional = (spec: LoadBalancerSpec): LoadBalancerSpec => ({ ...spec, scope: 'regional' });

/** A provider over the world's fake whose API budget is far above Compute's default quotas. */
function roomyProvider(world: GcpWorld): GcpProvider {
  const roomy = { capacity: 100_000, refillPerSecond: 100_000 };
  const api = new ComputeApi({
    project: world.fake.project,
    region: world.fake.region,
    endpoint: world.endpoint,
    maxAttempts: 1,
    budget: new ComputeBudget({ limits: { read: roomy, write: roomy } }),
  });
  const settings = readGcpSettings({ gcpProject: world.fake.project, gcpRegion: world.fake.region, gcpEndpoint: world.endpoint });
  const provider = new GcpProvider({ clusterName: CLUSTER, certificates: { get: () => undefined }, api, settings });
  after(() => provider.close());
  return provider;
}

async function inGlobalWorld(body: (world: GcpWorld) => Promise<void>): Promise<void> {
  // No proxy-only subnet: the global load balancer needs none.
  return inWorld(body, { proxySubnet: false });
}

/** The examples in one directory, each Ingress asking for the global scope. */
async function globalExamples(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ib-gcp-global-'));
  scratch.push(dir);
  for (const name of GLOBAL_EXAMPLES) await cp(join(EXAMPLES, name), join(dir, name), { recursive: true });
  for (const shared of ['ingress-class.yaml', 'node.yaml']) await cp(join(EXAMPLES, shared), join(dir, shared));
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.yaml'))) {
    const file = join(dir, name);
    const documents = parseAllDocuments(readFileSync(file, 'utf8'));
    for (const document of documents) {
      if (document.get('kind') !== 'Ingress') continue;
      for (const [key, value] of Object.entries(GLOBAL)) document.setIn(['metadata', 'annotations', key], value);
    }
    writeFileSync(file, documents.map(String).join('---\n'));
  }
  return dir;
}

async function runOnce(manifests: string, world: GcpWorld): ReturnType<typeof startRun> {
  const handle = await startRun({
    manifests,
    provider: 'gcp',
    providerSettings: { gcpProject: world.fake.project, gcpRegion: world.fake.region, gcpEndpoint: world.endpoint },
    once: true,
    translateOptions: () => testOptions({ now: new Date() }),
    logger: createLogger('silent'),
    print: () => undefined,
  });
  await handle.stop();
  return handle;
}

describe('run --provider gcp --once with load-balancer-scope: global', () => {
  it('builds a global load balancer for examples/ two-hosts, tls, default-backend and group; it routes as the spec does, and a second round changes nothing', () =>
    inGlobalWorld(async (world) => {
      const dir = await globalExamples();
      const first = await runOnce(dir, world);
      assert.equal(first.first.failed, false, 'the round succeeds');
      const outcomes = first.first.outcomes.filter((outcome) => outcome.spec);
      assert.equal(outcomes.length, GLOBAL_EXAMPLES.length, `one load balancer per example: ${outcomes.map((outcome) => outcome.spec!.stack.id).join(', ')}`);
      for (const outcome of outcomes) {
        const spec = outcome.spec!;
        assert.equal(spec.scope, 'global', spec.stack.id);
        const errors = [...outcome.diagnostics, ...(outcome.result?.diagnostics ?? [])].filter((diagnostic) => diagnostic.severity === 'error');
        assert.deepEqual(
          errors.map((error) => error.message),
          [],
          spec.stack.id,
        );
        assert.deepEqual(
          outcome.result?.outcomes.filter((entry) => entry.error !== undefined),
          [],
          `${spec.stack.id}: every operation succeeds`,
        );
        const names = stackNames(CLUSTER, spec.stack.id, spec.scheme, 'global');
        const address = world.fake.store.get(`${world.fake.globalScope}/addresses/${names.address}`);
        assert.equal(outcome.result?.address?.ip, address['address'], `${spec.stack.id}: the global address is the status`);
        const port = spec.listeners.some((listener) => listener.port === 80) ? 80 : spec.listeners[0]!.port;
        for (const rule of spec.listeners.flatMap((listener) => listener.rules)) {
          const base = `${port === 80 ? 'http' : 'https'}://${rule.origin.host ?? 'any.test'}`;
          for (const path of [rule.origin.path ?? '/', `${rule.origin.path ?? ''}/more`, `${rule.origin.path ?? ''}x`]) {
            const expected = routeOf(spec, base + path);
            assert.equal(servedRoute(world.fake, spec, base + path, port).route, expected, `${spec.stack.id}: ${path}`);
          }
        }
      }
      const regionalParts = world.fake.store.keys().filter((key) => key.startsWith(`${world.fake.regionScope}/`) && !key.includes('/subnetworks/'));
      assert.deepEqual(regionalParts, [], 'no regional resource');
      const urlMaps = world.fake.store.list(world.fake.globalScope, 'urlMaps');
      assert.equal(urlMaps.length, outcomes.length + 1, 'a URL map per listener (the tls example has two)');
      assert.doesNotMatch(JSON.stringify(urlMaps), /regexMatch/);
      const mutations = world.fake.mutatingCalls().length;
      const second = await runOnce(dir, world);
      assert.equal(second.first.failed, false);
      assert.equal(world.fake.mutatingCalls().length, mutations, 'a second round makes no mutating call');
      assert.deepEqual(world.fake.store.unwaitedOperations(), [], 'every operation was awaited');
    }));
});

describe('the global load balancer on the Compute fake', () => {
  it('rotates a certificate without leaving the global HTTPS proxy without one; refuses what it cannot route exactly, and a call outside the role', () =>
    inGlobalWorld(async (world) => {
      const material: Record<string, CertificateMaterial> = {};
      const provider = await world.newProvider({ material });
      const wildcard = specOf({ rules: [{ host: '*.a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }] });
      const refused = await reconcile(provider, wildcard);
      const refusal = refused.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
      assert.deepEqual(refusal?.object, { kind: 'Ingress', namespace: 'default', name: 'web' });
      assert.match(refusal?.message ?? '', /wildcard host \*\.a\.test must match exactly one label.*use load-balancer-scope: regional/);
      assert.equal(world.fake.mutatingCalls().length, 0, 'no call for what the global scope cannot route exactly');

      const tlsSpec = (): LoadBalancerSpec => {
        const certificate = testCertificate({ commonName: 'a.test' });
        material['default/web-tls'] = { certificatePem: certificate.certificatePem, chainPem: '', privateKeyPem: certificate.privateKeyPem };
        return specOf(
          { annotations: { 'ingress-bridge.io/listen-ports': '[{"HTTPS":443}]' }, tls: [{ hosts: ['a.test'], secretName: 'web-tls' }] },
          tlsSecretYaml('web-tls', certificate),
        );
      };
      const first = tlsSpec();
      assert.deepEqual(errorsOf(await reconcile(provider, first)), []);
      const proxyKey = `${world.fake.globalScope}/targetHttpsProxies/${stackNames(CLUSTER, first.stack.id, first.scheme, 'global').targetHttpsProxy(443)}`;
      const violations = watchProxyCertificates(world.fake, proxyKey);
      const before = world.fake.mutatingCalls().length;
      const rotated = tlsSpec();
      assert.deepEqual(errorsOf(await reconcile(provider, rotated)), []);
      assert.deepEqual(
        mutatingActionsSince(world.fake, before),
        ['sslCertificates.insert', 'targetHttpsProxies.setSslCertificates', 'sslCertificates.delete'],
        'three calls on the global collections, in that order',
      );
      assert.deepEqual(violations, []);
      assert.equal(servedCertificate(world.fake, rotated, 'a.test'), new X509Certificate(material['default/web-tls']!.certificatePem).fingerprint256);

      world.fake.grant(rolePermissions().filter((permission) => permission !== 'compute.urlMaps.create'));
      const other = specOf({ name: 'other' });
      const denied = await reconcile(provider, other);
      assert.match(errorsOf(denied).join('\n'), /urlMaps\.insert: .*compute\.urlMaps\.create/, 'the global family needs its own permission');
    }));

  it('a scope change builds the new load balancer, moves the status address to it and deletes the old; a crash after any of its calls converges, nothing leaked', () =>
    inGlobalWorld(async (world) => {
      world.fake.store.seed(world.fake.regionScope, 'subnetworks', {
        name: 'proxy-only',
        network: `https://www.googleapis.com/compute/v1/${world.fake.globalScope}/networks/default`,
        ipCidrRange: '10.129.0.0/23',
        purpose: 'REGIONAL_MANAGED_PROXY',
        role: 'ACTIVE',
      });
      // The crash loop makes a few thousand calls: a budget far above Compute's quotas keeps it short (budget.test.ts tests the budget).
      const provider = roomyProvider(world);
      const restarted = roomyProvider(world);
      const global = specOf({ defaultBackend: { service: 'a' }, rules: [] });
      const id = global.stack.id;
      assert.deepEqual(errorsOf(await reconcile(provider, global)), []);
      const globalInventory = inventory(world.fake);
      assert.ok(globalInventory.some((entry) => entry.startsWith('global/urlMaps:')));
      const toRegional = await reconcile(provider, regional(global));
      assert.deepEqual(errorsOf(toRegional), []);
      const regionalInventory = inventory(world.fake);
      assert.ok(regionalInventory.some((entry) => entry.startsWith('urlMaps:')));
      assert.equal(
        regionalInventory.some((entry) => entry.startsWith('global/urlMaps:')),
        false,
        'the global load balancer is gone',
      );
      const regionalAddress = world.fake.store.get(`${world.fake.regionScope}/addresses/${stackNames(CLUSTER, id, 'internet-facing').address}`)['address'];
      assert.equal(toRegional.address?.ip, regionalAddress, 'the status address is the new one');

      const changes = world.fake.mutatingCalls().length;
      assert.deepEqual(errorsOf(await reconcile(provider, global)), []);
      const calls = world.fake.mutatingCalls().length - changes;
      assert.deepEqual(inventory(world.fake), globalInventory, 'back to the global load balancer alone');
      for (let k = 0; k < calls; k += 1) {
        assert.deepEqual(errorsOf(await reconcile(provider, regional(global))), [], `back to regional before the crash at call ${k}`);
        world.fake.failAfterMutations(k);
        const crashed = await reconcile(provider, global);
        assert.ok(errorsOf(crashed).length > 0, `the crash after ${k} calls is an operation's error`);
        world.fake.failAfterMutations(undefined);
        assert.deepEqual(errorsOf(await reconcile(restarted, global)), [], `converges after a crash at call ${k}`);
        assert.deepEqual(inventory(world.fake), globalInventory, `nothing leaked or duplicated (crash at call ${k})`);
        const settled = world.fake.mutatingCalls().length;
        await reconcile(restarted, global);
        assert.equal(world.fake.mutatingCalls().length, settled, `in step after a crash at call ${k}`);
        assert.equal(servedRoute(world.fake, global, 'http://a.test/x').route, 'default/a:80');
      }
      await restarted.delete({ id });
      assert.deepEqual(inventory(world.fake), [], 'delete leaves nothing of either scope');
    }));
});

describe('plan --provider gcp with load-balancer-scope: global', () => {
  it('renders the global collections, references under projects/PROJECT/global, and no regex', () => {
    const spec = specOf({
      rules: [
        { host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
        { host: 'b.test', paths: [{ path: '/b', pathType: 'Exact', service: 'b' }] },
      ],
    });
    const document = renderPlan([spec], []) as { loadBalancers: Record<string, unknown>[] };
    const [balancer] = document.loadBalancers;
    assert.equal(balancer?.['scope'], 'global');
    assert.deepEqual(balancer?.['diagnostics'], []);
    const urlMap = (balancer?.['urlMaps'] as Record<string, unknown>[])[0]!;
    assert.deepEqual((urlMap['hostRules'] as { hosts: string[] }[]).map((rule) => rule.hosts).sort(), [['a.test'], ['b.test']]);
    const text = JSON.stringify(balancer);
    assert.doesNotMatch(text, /regexMatch|\/regions\/REGION\/(urlMaps|backendServices|healthChecks|targetHttpProxies|addresses)/);
    const rule = (balancer?.['forwardingRules'] as Record<string, unknown>[])[0]!;
    assert.equal(rule['IPAddress'], `projects/PROJECT/global/addresses/${stackNames('CLUSTER', spec.stack.id, spec.scheme, 'global').address}`);
    assert.equal(rule['loadBalancingScheme'], 'EXTERNAL_MANAGED');
  });
});
