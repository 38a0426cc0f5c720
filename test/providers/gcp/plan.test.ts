/**
 * `plan --provider gcp`: the JSON document in the Compute API's own field names, with no key
 * material, and `plan --live` against the Compute fake — everything to create before a run, nothing
 * once `run --once` has applied the same manifests, and no mutating call either way.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runPlan } from '../../../src/commands/plan.js';
import { startRun } from '../../../src/commands/run-manifests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { testOptions } from '../../support/cluster.js';
import { createGcpWorld } from '../../support/gcp-provider-world.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

interface PlanDocument {
  provider: string;
  loadBalancers: Record<string, unknown>[];
}

describe('plan --provider gcp', () => {
  it('renders every load balancer of examples/ in Compute field names, without key material', async () => {
    const outcome = await runPlan({ manifests: EXAMPLES, output: 'json', provider: 'gcp', translate: testOptions({ now: new Date() }) });
    assert.equal(outcome.hasErrors, false);
    const document = JSON.parse(outcome.stdout) as PlanDocument;
    assert.equal(document.provider, 'gcp');
    assert.equal(document.loadBalancers.length, outcome.specs.length);
    // No --gcp-project or --gcp-region: placeholders, never a guess.
    assert.match(outcome.stdout, /projects\/PROJECT\/regions\/REGION\//);
    const text = outcome.stdout;
    for (const field of [
      '"hostRules"',
      '"pathMatchers"',
      '"routeRules"',
      '"priority"',
      '"matchRules"',
      '"prefixMatch"',
      '"fullPathMatch"',
      '"headerMatches"',
      '"service"',
      '"defaultUrlRedirect"',
      '"httpsRedirect"',
      '"defaultRouteAction"',
      '"faultInjectionPolicy"',
      '"networkEndpoints"',
      '"sslCertificates"',
      '"healthChecks"',
      '"IPAddress"',
      '"portRange"',
    ]) {
      assert.ok(text.includes(field), `the plan names ${field}`);
    }
    assert.doesNotMatch(text, /PRIVATE KEY|privateKey/, 'no key material, not even the field');
    for (const balancer of document.loadBalancers) {
      const messages = (balancer['diagnostics'] as { message: string }[]).map((diagnostic) => diagnostic.message);
      // examples/serverless's Lambda function is AWS-only: its path alone is refused, the rest rendered.
      if (balancer['stack'] === 'default/serverless') {
        assert.equal(messages.length, 1);
        assert.match(messages[0]!, /^backend\.resource lambda\.ingress-bridge\.io\/Function upload: Lambda function backends are AWS-only/);
      } else assert.deepEqual(messages, [], `${String(balancer['stack'])}: GCP can serve it`);
    }
  });

  it('--live: everything to create before a run, nothing after, and no mutating call', async () => {
    const world = await createGcpWorld();
    try {
      const providerSettings = { gcpProject: world.fake.project, gcpRegion: world.fake.region, gcpEndpoint: world.endpoint };
      const manifests = await mkdtemp(join(tmpdir(), 'ib-gcp-plan-'));
      await cp(join(EXAMPLES, 'two-hosts'), manifests, { recursive: true });
      await cp(join(EXAMPLES, 'ingress-class.yaml'), join(manifests, 'ingress-class.yaml'));
      const livePlan = (): ReturnType<typeof runPlan> =>
        runPlan({ manifests, output: 'json', provider: 'gcp', live: true, providerSettings, translate: testOptions({ now: new Date() }) });
      const before = await livePlan();
      const changes = (before.changes ?? []).flatMap((stack) => stack.operations.map((operation) => operation.action));
      assert.ok(changes.includes('regionUrlMaps.insert') && changes.includes('forwardingRules.insert'), changes.join(', '));
      assert.equal(world.fake.mutatingCalls().length, 0, 'plan --live reads only');
      const run = await startRun({
        manifests,
        provider: 'gcp',
        providerSettings,
        once: true,
        translateOptions: () => testOptions({ now: new Date() }),
        logger: createLogger('silent'),
        print: () => undefined,
      });
      await run.stop();
      const mutations = world.fake.mutatingCalls().length;
      const after = await livePlan();
      assert.deepEqual(
        (after.changes ?? []).flatMap((stack) => stack.operations),
        [],
        'in step after the run',
      );
      assert.equal(world.fake.mutatingCalls().length, mutations);

      // Without --live the plan reads nothing, yet names what the run made: the flags given are used.
      const offline = await runPlan({ manifests, output: 'json', provider: 'gcp', providerSettings, translate: testOptions({ now: new Date() }) });
      const document = JSON.parse(offline.stdout) as PlanDocument & { project: string; region: string };
      assert.deepEqual([document.project, document.region], [world.fake.project, world.fake.region]);
      assert.doesNotMatch(offline.stdout, /\bPROJECT\b|\bREGION\b|\bCLUSTER\b/, 'no placeholder where a flag was given');
      for (const collection of ['urlMaps', 'backendServices', 'healthChecks']) {
        const planned = document.loadBalancers
          .flatMap((balancer) => (balancer[collection] as { name: string }[] | undefined) ?? [])
          .map((resource) => resource.name);
        const made = world.fake.store.list(world.fake.regionScope, collection).map((resource) => resource['name']);
        assert.ok(planned.length > 0, `the plan has ${collection}`);
        assert.deepEqual([...planned].sort(), [...made].sort(), `${collection}: the plan names what the run made`);
      }
    } finally {
      await world.close();
    }
  });
});
