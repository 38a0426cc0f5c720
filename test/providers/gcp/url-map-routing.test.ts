/**
 * The URL maps the GCP provider builds route exactly as the Ingress specification says: every
 * routing table (test/support/routing-tables.ts) is checked under ALB semantics (the spec, through
 * the evaluator the local provider shares) and under URL-map semantics (the URL map built from the
 * same spec, through test/support/url-map-evaluator.ts, written from Google's documentation), and
 * both must agree with the table. Redirects also agree on their Location.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { desiredState, type DesiredContext } from '../../../providers/gcp/plan/desired.js';
import { readOwnership } from '../../../providers/gcp/plan/names.js';
import { evaluateAlbRequest, routeOf } from '../../support/alb-evaluator.js';
import { ROUTING_TABLES, routingSpec } from '../../support/routing-tables.js';
import { evaluateUrlMap } from '../../support/url-map-evaluator.js';

export const CONTEXT: DesiredContext = {
  cluster: 'test',
  project: 'p',
  region: 'us-central1',
  defaultZone: 'us-central1-a',
  manageFirewall: true,
  environment: {
    network: 'projects/p/global/networks/default',
    subnetwork: 'projects/p/regions/us-central1/subnetworks/default',
    proxySubnetCidr: '10.129.0.0/23',
  },
};

/** The route a URL map built for `spec` gives `url`, named as routeOf names it. */
export function urlMapRoute(spec: LoadBalancerSpec, url: string, port = 80): { route: string; location?: string } {
  const desired = desiredState(spec, CONTEXT);
  const errors = desired.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  assert.deepEqual(errors, [], 'the spec is one GCP can serve');
  const urlMap = desired.resources.find((resource) => resource.kind === 'urlMap' && resource.name.endsWith(`-um-${port}`));
  assert.ok(urlMap, `a URL map for port ${port}`);
  const serviceOf = (link: string): string => {
    const backend = desired.resources.find((resource) => resource.kind === 'backendService' && link.endsWith(`/backendServices/${resource.name}`));
    const key = readOwnership(backend?.body['description'])?.resource.replace(/^BackendService\//, '');
    const group = spec.targetGroups.find((candidate) => candidate.key === key);
    return group ? `${group.service.namespace}/${group.service.name}:${group.service.port}` : `unknown:${link}`;
  };
  const route = evaluateUrlMap(urlMap.body, { url });
  switch (route.kind) {
    case 'forward':
      return { route: route.backendServices.map(serviceOf).join(',') };
    case 'status':
      return { route: String(route.statusCode) };
    case 'redirect':
      return { route: `redirect:${route.statusCode}`, location: route.location };
  }
}

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
