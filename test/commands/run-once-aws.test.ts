/**
 * `run --manifests DIR --provider aws --once`: observe, diff and apply every group once, print what
 * was applied and the addresses — against the stateful AWS fake, with the provider made from flags.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRun } from '../../src/commands/run-manifests.js';
import { createLogger } from '../../src/observability/logger.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { createAwsWorld, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, testOptions } from '../support/cluster.js';
import { tlsSecretYaml } from '../support/local-lb.js';

describe('run --once with the aws provider', () => {
  let world: AwsWorld;
  let dir = '';
  before(async () => {
    world = createAwsWorld();
    dir = await mkdtemp(join(tmpdir(), 'run-once-aws-'));
    const ingress = ingressYaml({
      name: 'shop',
      annotations: { 'ingress-bridge.io/scheme': 'internet-facing' },
      tls: [{ hosts: ['shop.test'], secretName: 'shop-tls' }],
      rules: [{ host: 'shop.test', paths: [{ path: '/', pathType: 'Prefix', service: 'shop' }] }],
    });
    await writeFile(
      join(dir, 'all.yaml'),
      INGRESS_CLASS_YAML +
        NODE_YAML.replace('i-0aaaaaaaaaaaaaaaa', world.network.instanceId) +
        serviceYaml({ name: 'shop' }) +
        tlsSecretYaml('shop-tls', testCertificate({ commonName: 'shop.test' })) +
        ingress,
    );
  });
  after(async () => {
    world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every group, prints the applied calls and the DNS name, and a second run changes nothing', async () => {
    const printed: string[] = [];
    const run = () =>
      startRun({
        manifests: dir,
        provider: 'aws',
        providerSettings: { region: 'us-east-1' },
        once: true,
        translateOptions: () => testOptions({ now: new Date() }),
        logger: createLogger('silent'),
        print: (text) => printed.push(text),
      });
    const first = await run();
    await first.stop();
    assert.equal(first.first.failed, false, JSON.stringify(first.first.outcomes.map((outcome) => outcome.error)));
    const dnsName = world.fake.state.loadBalancers()[0]?.dnsName.toLowerCase() ?? assert.fail('a load balancer exists');
    assert.match(printed.join(''), /applied to default\/shop:\n {2}ImportCertificate [^\n]*\n[\s\S]* {2}CreateLoadBalancer /);
    assert.match(printed.join(''), new RegExp(`^default\\s+shop\\s+ingress-bridge\\s+shop\\.test\\s+${dnsName.replace(/\./g, '\\.')}\\s+80, 443$`, 'm'));
    assert.equal(world.fake.state.certificates().length, 1);

    world.fake.resetCalls();
    const second = await run();
    await second.stop();
    assert.deepEqual(world.fake.mutatingCalls(), [], 'a converged account gets no mutating call');
  });
});
