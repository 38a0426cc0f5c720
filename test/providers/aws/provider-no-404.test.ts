/**
 * While a group changes, a request for a path served both before and after never meets a 404 (no
 * rule) or a 503 (a target group with no targets): checked against the fake's live listener after
 * every single call of the update.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { RESOURCE_TAG } from '../../../providers/aws/plan/tags.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { type AwsWorld, createAwsWorld, liveListener, reconcile, specOf } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml, type IngressFixture, type PathFixture } from '../../support/cluster.js';

const STACK = 'default/shop';
const SERVICES =
  ['web', 'api', 'docs', 'admin'].map((name, index) => serviceYaml({ name, endpoints: [`10.0.0.${index + 2}`] })).join('') +
  serviceYaml({ name: 'api2', port: 8080, endpoints: ['10.0.0.9'] });
const URLS = ['/', '/api', '/api/v1', '/docs', '/docs/a', '/admin', '/admin/x', '/zzz', '/other'].flatMap((path) => [
  `http://a.example.com${path}`,
  `http://b.example.com${path}`,
  `http://c.example.com${path}`,
]);

function shop(rules: IngressFixture['rules'], annotations: Record<string, string> = {}): LoadBalancerSpec {
  return specOf(SERVICES + ingressYaml({ name: 'shop', annotations, rules }));
}

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

/** Where a request goes on the live load balancer now: a route, or `503` for a group without targets. */
function liveRoute(spec: LoadBalancerSpec, both: LoadBalancerSpec['targetGroups'], url: string): string {
  const live = liveListener(world.fake, spec.stack.name, 80);
  assert.ok(live, 'the listener exists throughout');
  const now = { ...spec, targetGroups: both, listeners: [live] };
  const route = evaluateAlbRequest(now, { url });
  if (route.kind === 'forward') {
    const arnOf = (key: string): string | undefined =>
      world.fake.state.targetGroups().find((group) => world.fake.state.tagsOf(group.arn)[RESOURCE_TAG] === `TargetGroup/${key}`)?.arn;
    const empty = route.targetGroupKeys.some((key) => world.fake.state.targets(arnOf(key) ?? '').length === 0);
    if (empty) return '503';
  }
  return routeOf(now, url);
}

async function changeWithoutOutage(before: LoadBalancerSpec, after: LoadBalancerSpec): Promise<number> {
  const served = URLS.filter((url) => routeOf(before, url) !== '404' && routeOf(after, url) !== '404');
  const both = [...after.targetGroups, ...before.targetGroups.filter((group) => !after.targetGroups.some((other) => other.key === group.key))];
  let checked = 0;
  const provider = world.newProvider({
    onOperation: ({ operation }) => {
      for (const url of served) {
        const route = liveRoute(after, both, url);
        assert.ok(route !== '404' && route !== '503', `${url} got ${route} after ${operation.action} ${operation.resource}`);
      }
      checked += 1;
    },
  });
  await reconcile(world.newProvider(), STACK, before);
  await reconcile(provider, STACK, after);
  for (const url of URLS) assert.equal(liveRoute(after, both, url), routeOf(after, url), `${url} at the end`);
  return checked;
}

const BASE: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'web' },
  { path: '/api', pathType: 'Prefix', service: 'api' },
  { path: '/docs', pathType: 'Prefix', service: 'docs' },
];

describe('AWS provider: no 404 or 503 while a group changes', () => {
  it('adds a path', async () => {
    assert.ok(
      (await changeWithoutOutage(
        shop([{ host: 'a.example.com', paths: BASE }]),
        shop([{ host: 'a.example.com', paths: [...BASE, { path: '/admin', pathType: 'Prefix', service: 'admin' }] }]),
      )) > 0,
    );
  });

  it('removes a path', async () => {
    await changeWithoutOutage(
      shop([{ host: 'a.example.com', paths: [...BASE, { path: '/admin', pathType: 'Prefix', service: 'admin' }] }]),
      shop([{ host: 'a.example.com', paths: BASE }]),
    );
  });

  it('moves a path from one host to every host, with another backend', async () => {
    await changeWithoutOutage(
      shop([
        { host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }] },
        { host: 'b.example.com', paths: [{ path: '/docs', pathType: 'Prefix', service: 'docs' }] },
      ]),
      shop([
        { host: 'a.example.com', paths: [{ path: '/zzz', pathType: 'Exact', service: 'admin' }] },
        { paths: [{ path: '/api', pathType: 'Prefix', service: 'api2', port: 8080 }] },
      ]),
    );
  });

  it('switches every backend to ip targets', async () => {
    // Routes compare by Service, which the switch keeps: only the count of checked calls and the
    // live target types show that the provider did anything at all.
    assert.ok(
      (await changeWithoutOutage(
        shop([{ host: 'a.example.com', paths: BASE }]),
        shop([{ host: 'a.example.com', paths: BASE }], { 'alb.ingress.kubernetes.io/target-type': 'ip' }),
      )) > 0,
    );
    assert.deepEqual([...new Set(world.fake.state.targetGroups().map((group) => group.targetType))], ['ip']);
  });

  it('survives a series of generated changes', async () => {
    let seed = 5;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const choices: PathFixture[] = [
      ...BASE,
      { path: '/api', pathType: 'Prefix', service: 'api2', port: 8080 },
      { path: '/docs/a', pathType: 'Exact', service: 'admin' },
      { path: '/admin', pathType: 'Prefix', service: 'admin' },
      { path: '/zzz', pathType: 'Exact', service: 'docs' },
    ];
    const pick = (): IngressFixture['rules'] => {
      const rules = (['a.example.com', 'b.example.com', undefined] as const)
        .filter(() => random(3) > 0)
        .map((host) => {
          const paths = choices
            .filter(() => random(2) === 0)
            .filter((path, index, all) => all.findIndex((other) => other.path === path.path && other.pathType === path.pathType) === index);
          return { ...(host !== undefined && { host }), paths: paths.length > 0 ? paths : [BASE[0] as PathFixture] };
        });
      return rules.length > 0 ? rules : [{ host: 'a.example.com', paths: BASE }];
    };
    let current = shop(pick());
    for (let round = 0; round < 12; round += 1) {
      const next = shop(pick());
      await changeWithoutOutage(current, next);
      current = next;
    }
  });
});
