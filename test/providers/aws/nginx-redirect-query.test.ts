/**
 * ingress-nginx's redirects on the ALB: `app-root`, `permanent-redirect` and `temporal-redirect`
 * answer with nginx's `return <code> <url>`, which drops the request's query string unless the URL
 * ends in `$request_uri`. The ALB keeps the query when RedirectConfig.Query is left out (`#{query}`),
 * so the adopted Ingress sends an empty Query (the API allows 0–128 characters) — checked on the
 * fake's live listener, and a second reconcile finds nothing to change.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { evaluateAlbRequest } from '../../support/alb-evaluator.js';
import { actionsOf, type AwsWorld, createAwsWorld, liveListener, planNow, reconcile } from '../../support/aws-provider-world.js';
import { onlySpec, testOptions, translateYaml } from '../../support/cluster.js';
import { BASE_YAML, NGINX_CLASS_YAML, nginxIngressYaml } from '../../translate/nginx/fixtures.js';

const ESTATE =
  NGINX_CLASS_YAML +
  BASE_YAML +
  nginxIngressYaml({ name: 'home', host: 'home.test', annotations: { 'app-root': '/app' } }) +
  nginxIngressYaml({ name: 'moved', host: 'moved.test', annotations: { 'permanent-redirect': 'https://new.example.test/landing' } }) +
  nginxIngressYaml({ name: 'tagged', host: 'tagged.test', annotations: { 'temporal-redirect': 'https://new.example.test/later?from=old' } }) +
  nginxIngressYaml({ name: 'kept', host: 'kept.test', annotations: { 'permanent-redirect': 'https://new.example.test$request_uri' } });

let world: AwsWorld;
beforeEach(() => {
  world = createAwsWorld();
});
afterEach(() => world.close());

describe('ingress-nginx redirects on the ALB: the query string as nginx answers it', () => {
  it('drops the query for app-root and a redirect URL, uses the URL’s own, and keeps it for $request_uri', async () => {
    const spec = onlySpec(translateYaml(ESTATE, testOptions({ now: new Date(), ingressClass: 'nginx' })));
    const provider = world.newProvider();
    await reconcile(provider, spec.stack.id, spec);
    const live = liveListener(world.fake, spec.stack.name, 80);
    assert.ok(live, 'the HTTP listener exists');
    const onAlb = { ...spec, listeners: [live] };
    const location = (url: string): string => {
      const route = evaluateAlbRequest(onAlb, { url });
      assert.equal(route.kind, 'redirect', `${url} is redirected`);
      return route.kind === 'redirect' ? `${route.statusCode} ${route.location}` : '';
    };
    assert.equal(location('http://home.test/?utm=1'), '302 http://home.test/app');
    assert.equal(location('http://moved.test/a?utm=1'), '301 https://new.example.test/landing');
    assert.equal(location('http://tagged.test/a?utm=1'), '302 https://new.example.test/later?from=old');
    assert.equal(location('http://kept.test/a/b?utm=1'), '301 https://new.example.test/a/b?utm=1');
    // The fake answers the empty Query as it was sent: the next reconcile sees no drift.
    assert.deepEqual(actionsOf(await planNow(provider, spec.stack.id, spec)), []);
  });
});
