/**
 * The URL maps the GCP provider builds route exactly as the Ingress specification says: every
 * routing table (test/support/routing-tables.ts) is checked under ALB semantics (the spec, through
 * the evaluator the local provider shares) and under URL-map semantics (the URL map built from the
 * same spec, through test/support/url-map-evaluator.ts, written from Google's documentation), and
 * both must agree with the table. Redirects also agree on their Location.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { ROUTING_TABLES, routingSpec } from '../../support/routing-tables.js';
import { urlMapRoute } from '../../support/gcp-url-map-routes.js';

describe('URL-map routing equals ALB routing, on every routing table', () => {
  for (const table of ROUTING_TABLES) {
    it(table.name, () => {
      const spec = routingSpec(table.ingresses);
      for (const [url, expected] of Object.entries(table.routes)) {
        assert.equal(routeOf(spec, url), expected, `${url} under ALB semantics`);
        const gcp = urlMapRoute(spec, url);
        assert.equal(gcp.route, expected, `${url} under URL-map semantics`);
        const alb = evaluateAlbRequest(spec, { url });
        if (alb.kind === 'redirect') assert.equal(gcp.location, alb.location, `${url} redirects to the same Location`);
      }
    });
  }
});
