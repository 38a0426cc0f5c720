/**
 * The AWS provider against the stateful fake: load balancer settings that change in place or need a
 * new load balancer, and listener certificates (default and extra) following the TLS Secrets.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CertificateMaterial } from '../../../src/provider.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf, tlsSecret } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml, type IngressFixture } from '../../support/cluster.js';

const STACK = 'default/shop';
const HTTPS = { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]' };

function shop(fixture: Partial<IngressFixture> = {}, extraYaml = ''): ReturnType<typeof specOf> {
  return specOf(
    extraYaml +
      serviceYaml({ name: 'web' }) +
      ingressYaml({ name: 'shop', rules: [{ host: 'shop.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }], ...fixture }),
  );
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

describe('AWS provider: load balancer and listeners', () => {
  it('replaces the load balancer when the scheme changes, and reports the new address', async () => {
    const provider = world.newProvider();
    const first = await reconcile(provider, STACK, shop());
    const after = shop({ annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } });
    const { plan, result } = await reconcile(provider, STACK, after);
    assert.deepEqual(actionsOf(plan).slice(0, 2), ['DeleteLoadBalancer', 'CreateLoadBalancer']);
    assert.match(plan.operations[0]?.resource ?? '', /scheme changes from internal to internet-facing/);
    const [lb] = world.fake.state.loadBalancers();
    assert.equal(lb?.scheme, 'internet-facing');
    assert.deepEqual([...(lb?.subnetIds ?? [])].sort(), [...world.network.publicSubnetIds].sort());
    assert.notDeepEqual(result.address, first.result.address);
    assert.deepEqual(result.address, { hostname: lb?.dnsName });
    assert.deepEqual(actionsOf(await planNow(provider, STACK, after)), []);
  });

  it('changes the address type in place', async () => {
    const provider = world.newProvider();
    await reconcile(provider, STACK, shop());
    const after = shop({ annotations: { 'alb.ingress.kubernetes.io/ip-address-type': 'dualstack' } });
    const { plan } = await reconcile(provider, STACK, after);
    assert.deepEqual(actionsOf(plan), ['AuthorizeSecurityGroupIngress', 'SetIpAddressType'], 'IPv6 opened on the frontend group first');
    assert.equal(world.fake.state.loadBalancers()[0]?.ipAddressType, 'dualstack');
  });

  it('moves to the subnets an annotation names with one SetSubnets', async () => {
    const provider = world.newProvider();
    const publicScheme = { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' };
    await reconcile(provider, STACK, shop({ annotations: publicScheme }));
    assert.equal(world.fake.state.loadBalancers()[0]?.subnetIds.length, 3);
    const named = world.network.publicSubnetIds.slice(0, 2);
    const after = shop({ annotations: { ...publicScheme, 'alb.ingress.kubernetes.io/subnets': named.join(',') } });
    const { plan } = await reconcile(provider, STACK, after);
    assert.deepEqual(actionsOf(plan), ['SetSubnets']);
    assert.deepEqual([...(world.fake.state.loadBalancers()[0]?.subnetIds ?? [])].sort(), [...named].sort());
    assert.deepEqual(actionsOf(await planNow(provider, STACK, after)), []);
  });

  it('imports a Secret for the HTTPS listener, reimports it in place on rotation, and adds a second certificate as an extra', async () => {
    const first = tlsSecret('default', 'shop-tls', 'shop.example.com');
    const second = tlsSecret('default', 'blog-tls', 'blog.example.com');
    const material: Record<string, CertificateMaterial> = { ...first.material, ...second.material };
    const provider = world.newProvider({ material });
    const one = shop({ annotations: HTTPS, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] }, first.yaml);
    await reconcile(provider, STACK, one);
    const [certificate] = world.fake.state.certificates();
    const [lb] = world.fake.state.loadBalancers();
    const [listener] = world.fake.state.listeners(lb?.arn ?? '');
    assert.equal(listener?.defaultCertificateArn, certificate?.arn);

    const rotated = tlsSecret('default', 'shop-tls', 'shop.example.com');
    Object.assign(material, rotated.material);
    world.fake.resetCalls();
    await reconcile(provider, STACK, shop({ annotations: HTTPS, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] }, rotated.yaml));
    assert.deepEqual(
      world.fake.mutatingCalls().map((call) => call.action),
      ['ImportCertificate', 'AddTagsToCertificate'],
      'the listener keeps the same ARN',
    );

    world.fake.resetCalls();
    const two = shop(
      {
        annotations: HTTPS,
        tls: [
          { hosts: ['shop.example.com'], secretName: 'shop-tls' },
          { hosts: ['blog.example.com'], secretName: 'blog-tls' },
        ],
      },
      rotated.yaml + second.yaml,
    );
    const { plan } = await reconcile(provider, STACK, two);
    assert.deepEqual(actionsOf(plan), ['ImportCertificate', 'AddListenerCertificates']);
    const [withExtra] = world.fake.state.listeners(lb?.arn ?? '');
    assert.equal(withExtra?.extraCertificateArns.length, 1);
    assert.deepEqual(actionsOf(await planNow(provider, STACK, two)), []);

    world.fake.resetCalls();
    const back = await reconcile(provider, STACK, shop({ annotations: HTTPS, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] }, rotated.yaml));
    assert.deepEqual(actionsOf(back.plan), ['RemoveListenerCertificates', 'DeleteCertificate'], 'detached before it is deleted');
    assert.equal(world.fake.state.certificates().length, 1);
  });
});
