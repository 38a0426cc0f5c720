/**
 * examples/ingress-nginx: the shop as ingress-nginx serves it, on one load balancer, with each
 * request routed as its comments say (through the ALB evaluator; the sockets are exercised in
 * test/e2e/nginx-local.test.ts), and the report migrate-from-nginx prints for it.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadManifestDirectory } from '../../../src/sources/manifests.js';
import { translateAll } from '../../../src/translate/index.js';
import { planMigration } from '../../../src/translate/nginx/migration.js';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { testOptions } from '../../support/cluster.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/ingress-nginx/', import.meta.url));
const OPTIONS = testOptions({ ingressClass: 'nginx' });

describe('examples/ingress-nginx', async () => {
  const { snapshot, diagnostics: loadProblems } = await loadManifestDirectory(EXAMPLE);
  const translated = translateAll(snapshot, OPTIONS);
  const diagnostics = [...loadProblems, ...translated.diagnostics, ...translated.results.flatMap((result) => result.diagnostics)];
  const spec = (): LoadBalancerSpec => translated.results.find((result) => result.spec)?.spec ?? assert.fail('a load balancer');

  it('is one load balancer for the namespace, with no error and only the rate limit warned', () => {
    assert.deepEqual(
      translated.results.map((result) => [result.stackId, result.members.length]),
      [['nginx.shop', 5]],
    );
    assert.deepEqual(
      diagnostics.filter((entry) => entry.severity !== 'info').map((entry) => [entry.severity, entry.field]),
      [['warning', 'metadata.annotations["nginx.ingress.kubernetes.io/limit-rps"]']],
    );
  });

  it('routes as the comments say', () => {
    const shop = 'http://shop.example.test';
    assert.equal(routeOf(spec(), `${shop}/`), 'redirect:302');
    assert.equal(routeOf(spec(), `${shop}/home`), 'shop/storefront:80');
    assert.equal(routeOf(spec(), `${shop}/api/items`, { headers: { 'x-canary': 'always' } }), 'shop/catalog-v2:80');
    assert.equal(routeOf(spec(), `${shop}/api/items`, { headers: { cookie: 'catalog-canary=never' } }), 'shop/catalog:80');
    const weighted = evaluateAlbRequest(spec(), { url: `${shop}/api/items` });
    assert.deepEqual(weighted.kind === 'forward' ? [weighted.services, weighted.weights] : [], [
      ['shop/catalog:80', 'shop/catalog-v2:80'],
      [90, 10],
    ]);
    assert.equal(routeOf(spec(), 'http://admin.shop.example.test/', { sourceIp: '10.20.3.4' }), 'shop/admin:80');
    assert.equal(routeOf(spec(), 'http://admin.shop.example.test/', { sourceIp: '192.0.2.1' }), '403');
    const moved = evaluateAlbRequest(spec(), { url: 'http://old-shop.example.test/cart?id=1' });
    assert.deepEqual(moved.kind === 'redirect' ? [moved.statusCode, moved.location] : [], [301, 'https://shop.example.test/cart?id=1']);
  });

  it('migrate-from-nginx serves all five Ingresses and names the rate limit', () => {
    const entries = planMigration(snapshot, OPTIONS, 'ingress-bridge');
    assert.deepEqual(
      entries.map((entry) => [entry.ref.name, entry.served, entry.unsupported.length]),
      [
        ['admin', true, 0],
        ['catalog', true, 1],
        ['catalog-v2', true, 0],
        ['old-domain', true, 0],
        ['storefront', true, 0],
      ],
    );
  });
});
