/**
 * `run --provider gcp --once` over every example in examples/, against the Compute fake on loopback
 * (the real SDK, the deploy/gcp role enforced): each example becomes a working load balancer — every
 * operation succeeds, the address is reported, and requests to each host and path of the example
 * (and a few beside them) route on the live URL map, under URL-map semantics, exactly where the spec
 * sends them under ALB semantics. A second `--once` round changes nothing. examples/ingress-nginx runs
 * as documented, with `--ingress-class nginx`; examples/serverless's Lambda function is AWS-only, so
 * its path is refused alone (an error naming the Ingress and the function, 503 on that path) and the
 * rest of the load balancer is still built.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, LoadBalancerSpec } from '../../../src/model.js';
import { startRun } from '../../../src/commands/run-manifests.js';
import { createLogger } from '../../../src/observability/logger.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { testOptions } from '../../support/cluster.js';
import { createGcpWorld, servedRoute } from '../../support/gcp-provider-world.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const NAMES = readdirSync(EXAMPLES).filter((name) => statSync(join(EXAMPLES, name)).isDirectory());
const scratch: string[] = [];
/** The examples/ files that are not an example of their own: every example is run beside them. */
const SHARED = ['ingress-class.yaml', 'node.yaml'];
/** `--ingress-class` for an example that adopts another controller's class (its README's command line). */
const INGRESS_CLASS: Readonly<Record<string, string>> = { 'ingress-nginx': 'nginx' };
/** The function backends GCP refuses per example: the Ingress and the function its error names. */
const REFUSED_FUNCTIONS: Readonly<Record<string, readonly { ingress: string; fn: string }[]>> = {
  serverless: [{ ingress: 'default/serverless', fn: 'upload' }],
};
/**
 * Examples GCP refuses whole (the provider's model: a stack it cannot serve exactly gets no call),
 * with what each error must name: examples/ingress-nginx shows nginx features a URL map lacks.
 */
const REFUSED_STACKS: Readonly<Record<string, readonly RegExp[]>> = {
  'ingress-nginx': [
    /^regex URL and host rewrites have no URL-map equivalent/,
    /^regex ".*" is not anchored at both ends/,
    /^source-ip conditions have no URL-map equivalent/,
    /^a fixed response with a body or content type of its own cannot be served by a URL map/,
  ],
};

/** Each error once (the round reports the plan's diagnostics and the apply's, which repeat them). */
function errorsOf(outcome: { diagnostics: readonly Diagnostic[]; result?: { diagnostics: readonly Diagnostic[] } | undefined }): Diagnostic[] {
  const unique = new Map<string, Diagnostic>();
  for (const diagnostic of [...outcome.diagnostics, ...(outcome.result?.diagnostics ?? [])]) {
    if (diagnostic.severity === 'error') unique.set(JSON.stringify(diagnostic), diagnostic);
  }
  return [...unique.values()];
}

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

async function runOnce(manifests: string, endpoint: string, project: string, region: string, ingressClass?: string): ReturnType<typeof startRun> {
  const handle = await startRun({
    manifests,
    provider: 'gcp',
    providerSettings: { gcpProject: project, gcpRegion: region, gcpEndpoint: endpoint },
    once: true,
    translateOptions: () => testOptions({ now: new Date(), ...(ingressClass !== undefined && { ingressClass }) }),
    logger: createLogger('silent'),
    print: () => undefined,
  });
  await handle.stop();
  return handle;
}

describe('run --provider gcp --once on every example, against the Compute fake', () => {
  it('finds the examples, and every file of examples/ is an example or shared by all', () => {
    assert.ok(NAMES.length >= 5, `examples: ${NAMES.join(', ')}`);
    assert.deepEqual(
      readdirSync(EXAMPLES).filter((name) => !NAMES.includes(name)),
      SHARED,
    );
    for (const name of [...Object.keys(INGRESS_CLASS), ...Object.keys(REFUSED_FUNCTIONS), ...Object.keys(REFUSED_STACKS)])
      assert.ok(NAMES.includes(name), name);
  });

  for (const name of NAMES.filter((candidate) => REFUSED_STACKS[candidate] !== undefined)) {
    it(`examples/${name}: refused whole with errors naming what GCP lacks, and no call made`, async () => {
      const world = await createGcpWorld();
      try {
        const dir = await exampleDirectory(name);
        const first = await runOnce(dir, world.endpoint, world.fake.project, world.fake.region, INGRESS_CLASS[name]);
        const outcomes = first.first.outcomes.filter((outcome) => outcome.spec);
        assert.ok(outcomes.length > 0, 'the Ingresses are ours (translated into a spec)');
        for (const outcome of outcomes) {
          const errors = errorsOf(outcome);
          assert.ok(errors.length > 0, `${outcome.spec!.stack.id}: refused`);
          for (const error of errors) {
            assert.equal(error.object.kind, 'Ingress');
            assert.ok(
              REFUSED_STACKS[name]!.some((pattern) => pattern.test(error.message)),
              `${outcome.spec!.stack.id}: an expected refusal: ${error.message}`,
            );
          }
          assert.deepEqual(outcome.result?.outcomes ?? [], [], `${outcome.spec!.stack.id}: no operation`);
        }
        assert.equal(world.fake.mutatingCalls().length, 0, 'no mutating call');
      } finally {
        await world.close();
      }
    });
  }

  for (const name of NAMES.filter((candidate) => REFUSED_STACKS[candidate] === undefined)) {
    it(`examples/${name}: a working load balancer that routes as the spec does, and a second round changes nothing`, async () => {
      const world = await createGcpWorld();
      try {
        const dir = await exampleDirectory(name);
        const first = await runOnce(dir, world.endpoint, world.fake.project, world.fake.region, INGRESS_CLASS[name]);
        assert.equal(first.first.failed, false, 'the round succeeds');
        const outcomes = first.first.outcomes.filter((outcome) => outcome.spec);
        assert.ok(outcomes.length > 0, 'at least one load balancer');
        for (const outcome of outcomes) {
          const spec = outcome.spec!;
          const refusedFunctions = REFUSED_FUNCTIONS[name] ?? [];
          const errors = errorsOf(outcome);
          assert.deepEqual(
            errors.map((diagnostic) => `${diagnostic.object.namespace ?? ''}/${diagnostic.object.name}`),
            refusedFunctions.map((refused) => refused.ingress),
            `${spec.stack.id}: nothing refused but the functions: ${errors.map((diagnostic) => diagnostic.message).join('; ')}`,
          );
          for (const [index, refused] of refusedFunctions.entries()) {
            assert.match(
              errors[index]!.message,
              new RegExp(`backend\\.resource lambda\\.ingress-bridge\\.io/Function ${refused.fn}: Lambda function backends are AWS-only`),
            );
          }
          assert.equal((spec.functionTargetGroups?.length ?? 0) > 0, refusedFunctions.length > 0, `${spec.stack.id}: the spec has function backends`);
          assert.deepEqual(
            outcome.result?.outcomes.filter((entry) => entry.error !== undefined),
            [],
            `${spec.stack.id}: every operation succeeds`,
          );
          assert.match(outcome.result?.address?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/, `${spec.stack.id}: an address for Ingress status`);
          const port = spec.listeners.some((listener) => listener.port === 80) ? 80 : spec.listeners[0]!.port;
          for (const url of probeUrls(spec).map((probe) => (port === 80 ? probe : probe.replace(/^http:/, 'https:')))) {
            // A path to a refused function answers 503; every other routes as under ALB semantics.
            const expected = routeOf(spec, url);
            assert.equal(servedRoute(world.fake, spec, url, port).route, expected.startsWith('function:') ? '503' : expected, `${spec.stack.id}: ${url}`);
          }
        }
        const mutations = world.fake.mutatingCalls().length;
        const second = await runOnce(dir, world.endpoint, world.fake.project, world.fake.region, INGRESS_CLASS[name]);
        assert.equal(second.first.failed, false);
        assert.equal(world.fake.mutatingCalls().length, mutations, 'a second round makes no mutating call');
        assert.deepEqual(world.fake.store.unwaitedOperations(), [], 'every operation was awaited');
      } finally {
        await world.close();
      }
    });
  }
});
