/**
 * `plan --live --provider aws`: the diff against what exists in the account, read-only — shown
 * against the stateful AWS fake.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/commands/plan.js';
import { createAwsWorld, reconcile, specOf, type AwsWorld } from '../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, testOptions } from '../support/cluster.js';

const YAML =
  INGRESS_CLASS_YAML +
  NODE_YAML +
  serviceYaml({ name: 'web' }) +
  ingressYaml({
    name: 'web',
    annotations: { 'ingress-bridge.io/target-type': 'ip' },
    rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
  });

describe('plan --live', () => {
  let world: AwsWorld;
  let dir = '';
  const plan = () =>
    runPlan({ manifests: dir, output: 'text', provider: 'aws', translate: testOptions(), live: true, providerSettings: { region: 'us-east-1' } });

  before(async () => {
    world = createAwsWorld();
    dir = await mkdtemp(join(tmpdir(), 'plan-live-'));
    await writeFile(join(dir, 'all.yaml'), YAML);
  });
  after(async () => {
    world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the creates for a stack that does not exist yet, and makes no mutating call', async () => {
    world.fake.resetCalls();
    const outcome = await plan();
    assert.ok(outcome.changes?.[0]?.operations.some((operation) => operation.action === 'CreateLoadBalancer'));
    assert.match(outcome.stdout, /changes against aws:\n {2}load balancer default\/web: \d+ operation\(s\)/);
    assert.deepEqual(world.fake.mutatingCalls(), []);
  });

  it('says a converged stack is in step', async () => {
    await reconcile(
      world.newProvider(),
      'default/web',
      specOf(
        ingressYaml({
          name: 'web',
          annotations: { 'ingress-bridge.io/target-type': 'ip' },
          rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }],
        }) + serviceYaml({ name: 'web' }),
      ),
    );
    world.fake.resetCalls();
    const outcome = await plan();
    assert.deepEqual(
      outcome.changes?.map((stack) => stack.operations.length),
      [0],
    );
    assert.match(outcome.stdout, /load balancer default\/web: in step, nothing to do/);
    assert.deepEqual(world.fake.mutatingCalls(), []);
  });
});
