/**
 * `run --provider gcp --once` over every example in examples/, against the Compute fake on loopback
 * (the real SDK, the deploy/gcp role enforced): each example becomes a working load balancer — every
 * operation succeeds, the address is reported, and requests to each host and path of the example
 * (and a few beside them) route on the live URL map, under URL-map semantics, exactly where the spec
 * sends them under ALB semantics. A second `--once` round changes nothing.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { startRun } from '../../../src/commands/run-manifests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { testOptions } from '../../support/cluster.js';
import { createGcpWorld, servedRoute } from '../../support/gcp-provider-world.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const NAMES = readdirSync(EXAMPLES).filter((name) => statSync(join(EXAMPLES, name)).isDirectory());
const scratch: string[] = [];

after(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The example with the shared IngressClass and Node beside it, as `npm start` serves it. */
async function exampleDirectory(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ib-gcp-${name}-`));
  scratch.push(dir);
  await cp(join(EXAMPLES, name), dir, { recursive: true });
  await cp(join(EXAMPLES, 'ingress-class.yaml'), join(dir, 'ingress-class.yaml'));
  await cp(join(EXAMPLES, 'node.yaml'), join(dir, 'node.yaml'));
  return dir;
}

/** Each rule's host and path, the path with more after it and with a letter more, and a host no rule names. */
function probeUrls(spec: LoadBalancerSpec): string[] {
  const urls = new Set<string>(['http://unknown.test/', 'http://unknown.test/x']);
  for (const rule of spec.listeners.flatMap((listener) => listener.rules)) {
    const host = (rule.origin.host ?? 'any.test').replace(/^\*\./, 'one.');
    const path = rule.origin.path ?? '/';
    for (const probe of [path, `${path.replace(/\/$/, '')}/more`, `${path}x`]) urls.add(`http://${host}${probe}`);
    urls.add(`http://other-${host}${path}`);
  }
  return [...urls];
}

async function runOnce(manifests: string, endpoint: string, project: string, region: string): ReturnType<typeof startRun> {
  const handle = await startRun({
    manifests,
    provider: 'gcp',
    providerSettings: { gcpProject: project, gcpRegion: region, gcpEndpoint: endpoint },
    once: true,
    translateOptions: () => testOptions({ now: new Date() }),
    logger: createLogger('silent'),
    print: () => undefined,
  });
  await handle.stop();
  return handle;
}

describe('run --provider gcp --once on every example, against the Compute fake', () => {
  it('finds the examples', () => assert.ok(NAMES.length >= 5, `examples: ${NAMES.join(', ')}`));

  for (const name of NAMES) {
    it(`examples/${name}: a working load balancer that routes as the spec does, and a second round changes nothing`, async () => {
      const world = await createGcpWorld();
      try {
        const dir = await exampleDirectory(name);
        const first = await runOnce(dir, world.endpoint, world.fake.project, world.fake.region);
        assert.equal(first.first.failed, false, 'the round succeeds');
        const outcomes = first.first.outcomes.filter((outcome) => outcome.spec);
        assert.ok(outcomes.length > 0, 'at least one load balancer');
        for (const outcome of outcomes) {
          const spec = outcome.spec!;
          assert.deepEqual(
            [...outcome.diagnostics, ...(outcome.result?.diagnostics ?? [])].filter((diagnostic) => diagnostic.severity === 'error'),
            [],
            `${spec.stack.id}: nothing refused`,
          );
          assert.deepEqual(
            outcome.result?.outcomes.filter((entry) => entry.error !== undefined),
            [],
            `${spec.stack.id}: every operation succeeds`,
          );
          assert.match(outcome.result?.address?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/, `${spec.stack.id}: an address for Ingress status`);
          const port = spec.listeners.some((listener) => listener.port === 80) ? 80 : spec.listeners[0]!.port;
          for (const url of probeUrls(spec).map((probe) => (port === 80 ? probe : probe.replace(/^http:/, 'https:')))) {
            assert.equal(servedRoute(world.fake, spec, url, port).route, routeOf(spec, url), `${spec.stack.id}: ${url}`);
          }
        }
        const mutations = world.fake.mutatingCalls().length;
        const second = await runOnce(dir, world.endpoint, world.fake.project, world.fake.region);
        assert.equal(second.first.failed, false);
        assert.equal(world.fake.mutatingCalls().length, mutations, 'a second round makes no mutating call');
        assert.deepEqual(world.fake.store.unwaitedOperations(), [], 'every operation was awaited');
      } finally {
        await world.close();
      }
    });
  }
});
