/**
 * The GCP provider on the Compute fake, beyond the contract suite: certificate rotation that never
 * leaves the HTTPS proxy without a certificate, what GCP cannot express refused with a diagnostic
 * and no call, the internal scheme, the firewall rule, instance targets through instance groups,
 * throttling retried, pages followed, the custom role enforced, and every operation awaited.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { CertificateMaterial } from '../../../src/provider.js';
import { testCertificate } from '../../../fakes/aws/fixtures.js';
import { stackNames } from '../../../providers/gcp/plan/names.js';
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
  inWorld,
  mutatingActionsSince,
  reconcile,
  rolePermissions,
  servedCertificate,
  servedRoute,
  watchProxyCertificates,
} from '../../support/gcp-provider-world.js';

const SERVICES =
  serviceYaml({ name: 'a', endpoints: ['10.0.0.11', '10.0.0.12'], endpointPort: 8080 }) +
  serviceYaml({ name: 'b', endpoints: ['10.0.0.13'], endpointPort: 8081 });

function specOf(fixture: Partial<IngressFixture> & { annotations?: Record<string, string> }, extraYaml = ''): LoadBalancerSpec {
  const ingress: IngressFixture = {
    name: 'web',
    rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }],
    ...fixture,
    annotations: { 'ingress-bridge.io/target-type': 'ip', ...fixture.annotations },
  };
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + SERVICES + extraYaml + ingressYaml(ingress), testOptions({ now: new Date() })));
}

describe('certificate rotation', () => {
  it('creates the new certificate, swaps it onto the proxy, then deletes the old: the proxy always has one', () =>
    inWorld(async (world) => {
      const material: Record<string, CertificateMaterial> = {};
      const provider = await world.newProvider({ material });
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
      const proxyKey = `${world.fake.regionScope}/targetHttpsProxies/${stackNames(CLUSTER, first.stack.id, first.scheme).targetHttpsProxy(443)}`;
      const violations = watchProxyCertificates(world.fake, proxyKey);
      const before = world.fake.mutatingCalls().length;
      const rotated = tlsSpec();
      assert.deepEqual(errorsOf(await reconcile(provider, rotated)), []);
      assert.deepEqual(
        mutatingActionsSince(world.fake, before),
        ['regionSslCertificates.insert', 'regionTargetHttpsProxies.setSslCertificates', 'regionSslCertificates.delete'],
        'three calls, in that order',
      );
      assert.deepEqual(violations, []);
      const served = servedCertificate(world.fake, rotated, 'a.test');
      assert.equal(served, new X509Certificate(material['default/web-tls']!.certificatePem).fingerprint256);
    }));
});

describe('what a URL map cannot say', () => {
  const refusals: [string, Record<string, string>, RegExp][] = [
    [
      'a source-ip condition',
      { 'ingress-bridge.io/conditions.a': JSON.stringify([{ field: 'source-ip', sourceIpConfig: { values: ['10.0.0.0/8'] } }]) },
      /source-ip conditions have no URL-map equivalent/,
    ],
    [
      'a fixed response with a body',
      {
        'ingress-bridge.io/actions.a': JSON.stringify({
          type: 'fixed-response',
          fixedResponseConfig: { statusCode: '503', contentType: 'text/plain', messageBody: 'down' },
        }),
      },
      /fixed response with a body or content type of its own/,
    ],
    [
      'a redirect to another port',
      { 'ingress-bridge.io/actions.a': JSON.stringify({ type: 'redirect', redirectConfig: { port: '8443', protocol: 'HTTPS', statusCode: 'HTTP_301' } }) },
      /redirect to port 8443 is not possible on GCP/,
    ],
  ];
  for (const [what, annotations, message] of refusals) {
    it(`refuses ${what} with a diagnostic naming the Ingress, and makes no call`, () =>
      inWorld(async (world) => {
        const provider = await world.newProvider();
        const usesAction = Object.keys(annotations).some((key) => key.includes('/actions.'));
        const spec = specOf({
          annotations,
          rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a', ...(usesAction && { port: 'use-annotation' }) }] }],
        });
        const result = await reconcile(provider, spec);
        const refusal = result.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
        assert.ok(refusal, 'an error diagnostic');
        assert.deepEqual(refusal.object, { kind: 'Ingress', namespace: 'default', name: 'web' });
        assert.match(refusal.message, message);
        assert.match(refusal.field, /spec\.rules/);
        assert.deepEqual(result.outcomes, [], 'no operation');
        assert.equal(world.fake.mutatingCalls().length, 0, 'no mutating call');
      }));
  }

  it('leaves a load balancer that serves as it did when a change cannot be served exactly', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      const spec = specOf({});
      assert.deepEqual(errorsOf(await reconcile(provider, spec)), []);
      const before = world.fake.mutatingCalls().length;
      await reconcile(
        provider,
        specOf({ annotations: { 'ingress-bridge.io/conditions.a': JSON.stringify([{ field: 'source-ip', sourceIpConfig: { values: ['10.0.0.0/8'] } }]) } }),
      );
      assert.equal(world.fake.mutatingCalls().length, before);
      assert.equal(servedRoute(world.fake, spec, 'http://a.test/x').route, 'default/a:80');
    }));
});

describe('resources', () => {
  it('internal: an INTERNAL address in the subnetwork and INTERNAL_MANAGED forwarding rule and backend services', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      const spec = specOf({ annotations: { 'ingress-bridge.io/scheme': 'internal' } });
      assert.deepEqual(errorsOf(await reconcile(provider, spec)), []);
      const names = stackNames(CLUSTER, spec.stack.id, spec.scheme);
      const address = world.fake.store.get(`${world.fake.regionScope}/addresses/${names.address}`);
      assert.equal(address['addressType'], 'INTERNAL');
      assert.match(String(address['subnetwork']), /subnetworks\/default$/);
      const rule = world.fake.store.get(`${world.fake.regionScope}/forwardingRules/${names.forwardingRule(80)}`);
      assert.equal(rule['loadBalancingScheme'], 'INTERNAL_MANAGED');
      assert.equal(rule['IPAddress'], address['address']);
    }));

  it('internet-facing: EXTERNAL_MANAGED, and a firewall rule for the health checkers, the proxy-only subnet and the target ports', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      const spec = specOf({ annotations: { 'ingress-bridge.io/scheme': 'internet-facing' } });
      assert.deepEqual(errorsOf(await reconcile(provider, spec)), []);
      const names = stackNames(CLUSTER, spec.stack.id, spec.scheme);
      assert.equal(world.fake.store.get(`${world.fake.regionScope}/forwardingRules/${names.forwardingRule(80)}`)['loadBalancingScheme'], 'EXTERNAL_MANAGED');
      const firewall = world.fake.store.get(`${world.fake.globalScope}/firewalls/${names.firewall}`);
      assert.deepEqual(firewall['sourceRanges'], ['35.191.0.0/16', '130.211.0.0/22', '10.129.0.0/23']);
      assert.deepEqual(firewall['allowed'], [{ IPProtocol: 'tcp', ports: ['8080'] }]);
    }));

  it('a scheme change builds the new load balancer beside the old, then deletes the old', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      const internal = specOf({ annotations: { 'ingress-bridge.io/scheme': 'internal' } });
      assert.deepEqual(errorsOf(await reconcile(provider, internal)), []);
      const external = specOf({ annotations: { 'ingress-bridge.io/scheme': 'internet-facing' } });
      const before = world.fake.mutatingCalls().length;
      const result = await reconcile(provider, external);
      assert.deepEqual(errorsOf(result), []);
      const actions = mutatingActionsSince(world.fake, before);
      assert.ok(actions.indexOf('forwardingRules.insert') < actions.indexOf('forwardingRules.delete'), 'the new forwarding rule before the old goes');
      const names = stackNames(CLUSTER, external.stack.id, 'internal');
      assert.equal(world.fake.store.has(`${world.fake.regionScope}/addresses/${names.address}`), false, 'the internal address is gone');
      assert.equal(servedRoute(world.fake, external, 'http://a.test/x').route, 'default/a:80');
      assert.match(result.address?.ip ?? '', /^34\./, 'the external address');
      const settled = world.fake.mutatingCalls().length;
      await reconcile(provider, external);
      assert.equal(world.fake.mutatingCalls().length, settled, 'in step after the change');
    }));

  it('leaves the firewall alone with --gcp-skip-firewall', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider({ settings: { gcpManageFirewall: false } });
      assert.deepEqual(errorsOf(await reconcile(provider, specOf({}))), []);
      assert.deepEqual(world.fake.store.list(world.fake.globalScope, 'firewalls'), []);
    }));

  it('instance targets: an unmanaged instance group per zone, its named port, the Nodes as instances', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      const node = `apiVersion: v1
kind: Node
metadata: {name: gke-node-1, labels: {topology.kubernetes.io/zone: us-central1-b}}
spec: {providerID: "gce://test-project/us-central1-b/gke-node-1"}
status: {addresses: [{type: InternalIP, address: 10.128.0.5}], conditions: [{type: Ready, status: "True"}]}
---
`;
      const spec = specOf({ annotations: { 'ingress-bridge.io/target-type': 'instance' } }, node);
      assert.deepEqual(errorsOf(await reconcile(provider, spec)), []);
      const names = stackNames(CLUSTER, spec.stack.id, spec.scheme);
      const groupKey = `${world.fake.zoneScope('us-central1-b')}/instanceGroups/${names.instanceGroup}`;
      assert.deepEqual(world.fake.store.get(groupKey)['namedPorts'], [{ name: 'port-30080', port: 30080 }]);
      assert.deepEqual(world.fake.store.groupInstances(groupKey), [
        'https://www.googleapis.com/compute/v1/projects/test-project/zones/us-central1-b/instances/gke-node-1',
      ]);
      const backend = world.fake.store.get(`${world.fake.regionScope}/backendServices/${names.backendService(spec.targetGroups[0]!.key)}`);
      assert.equal(backend['portName'], 'port-30080');
      const before = world.fake.mutatingCalls().length;
      await reconcile(provider, spec);
      assert.equal(world.fake.mutatingCalls().length, before, 'in step: no call');
    }));

  it('without a proxy-only subnet: a diagnostic that says so and no call, until one is made', () =>
    inWorld(
      async (world) => {
        const provider = await world.newProvider();
        const result = await reconcile(provider, specOf({}));
        assert.match(result.diagnostics.find((diagnostic) => diagnostic.severity === 'error')?.message ?? '', /proxy-only subnet/);
        assert.equal(world.fake.mutatingCalls().length, 0);
        world.fake.store.seed(world.fake.regionScope, 'subnetworks', {
          name: 'proxy-only',
          network: `https://www.googleapis.com/compute/v1/${world.fake.globalScope}/networks/default`,
          ipCidrRange: '10.129.0.0/23',
          purpose: 'REGIONAL_MANAGED_PROXY',
          role: 'ACTIVE',
        });
        assert.deepEqual(errorsOf(await reconcile(provider, specOf({}))), [], 'found once it exists, without a restart');
      },
      { proxySubnet: false },
    ));
});

describe('calls', () => {
  it('retries rate limits (RESOURCE_EXHAUSTED) and succeeds', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      world.fake.throttleNext(2);
      assert.deepEqual(errorsOf(await reconcile(provider, specOf({}))), []);
      assert.equal(world.fake.calls().filter((call) => call.error === 'rateLimitExceeded').length, 2);
    }));

  it('follows every page of a list, and still plans nothing for an unchanged stack', () =>
    inWorld(
      async (world) => {
        const provider = await world.newProvider();
        const spec = specOf({
          rules: [
            { host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
            { host: 'b.test', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
          ],
        });
        assert.deepEqual(errorsOf(await reconcile(provider, spec)), []);
        const reads = world.fake.calls().length;
        const observed = await provider.observe({ id: spec.stack.id });
        assert.deepEqual(provider.diff(spec, observed).operations, []);
        const backendLists = world.fake
          .calls()
          .slice(reads)
          .filter((call) => call.action === 'backendServices.aggregatedList');
        assert.ok(backendLists.length >= 2, `backend services read in ${backendLists.length} pages`);
      },
      { pageSize: 1 },
    ));

  it('awaits every long-running operation with wait', () =>
    inWorld(async (world) => {
      const provider = await world.newProvider();
      assert.deepEqual(errorsOf(await reconcile(provider, specOf({}))), []);
      assert.deepEqual(world.fake.store.unwaitedOperations(), []);
      const waits = world.fake.calls().filter((call) => call.action.endsWith('Operations.wait')).length;
      assert.equal(waits, world.fake.mutatingCalls().length, 'one wait per mutating call');
    }));

  it('needs every permission of deploy/gcp/role.json: without one, the call is refused and reported', () =>
    inWorld(async (world) => {
      world.fake.grant(rolePermissions().filter((permission) => permission !== 'compute.regionUrlMaps.create'));
      const provider = await world.newProvider();
      const result = await reconcile(provider, specOf({}));
      assert.match(errorsOf(result).join('\n'), /regionUrlMaps\.insert: .*compute\.regionUrlMaps\.create/);
      assert.match(result.diagnostics.map((diagnostic) => diagnostic.message).join('\n'), /compute\.regionUrlMaps\.create/);
    }));
});
