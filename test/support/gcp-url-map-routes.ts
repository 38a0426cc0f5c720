/**
 * Routes of the URL maps the GCP provider would build for a spec, read through the URL-map evaluator
 * without a fake: the desired-state context of a test project, the Service behind a backend-service
 * link, and an evaluated route named as routeOf (alb-evaluator.ts) names it.
 * @module
 */
import assert from 'node:assert/strict';
import type { LoadBalancerSpec } from '../../src/model.js';
import { desiredState, type DesiredContext, type DesiredState } from '../../providers/gcp/plan/desired.js';
import { readOwnership } from '../../providers/gcp/plan/names.js';
import { evaluateUrlMap, type UrlMapRoute } from './url-map-evaluator.js';

/** Project `p` in us-central1, cluster `test`; a regional load balancer's context, with its proxy-only subnet. */
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

/** The same project with no proxy-only subnet: the global load balancer needs none. */
export const GLOBAL_CONTEXT: DesiredContext = {
  ...CONTEXT,
  environment: { network: CONTEXT.environment.network, subnetwork: CONTEXT.environment.subnetwork },
};

/** The Service (`namespace/name:port`) a backend-service link of `desired` stands for, or `unknown:<link>`. */
export function serviceOfBackend(spec: LoadBalancerSpec, desired: DesiredState, kind: 'backendService' | 'globalBackendService'): (link: string) => string {
  return (link) => {
    const backend = desired.resources.find((resource) => resource.kind === kind && link.endsWith(`/backendServices/${resource.name}`));
    const key = readOwnership(backend?.body['description'])?.resource.replace(/^BackendService\//, '');
    const group = spec.targetGroups.find((candidate) => candidate.key === key);
    return group ? `${group.service.namespace}/${group.service.name}:${group.service.port}` : `unknown:${link}`;
  };
}

/** An evaluated URL-map route named as routeOf names it, with a redirect's Location. */
export function namedRoute(route: UrlMapRoute, serviceOf: (link: string) => string): { route: string; location?: string } {
  switch (route.kind) {
    case 'forward':
      return { route: route.backendServices.map(serviceOf).join(',') };
    case 'status':
      return { route: String(route.statusCode) };
    case 'redirect':
      return { route: `redirect:${route.statusCode}`, location: route.location };
  }
}

/** The route a regional URL map built for `spec` gives `url`, named as routeOf names it. */
export function urlMapRoute(spec: LoadBalancerSpec, url: string, port = 80): { route: string; location?: string } {
  const desired = desiredState(spec, CONTEXT);
  const errors = desired.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  assert.deepEqual(errors, [], 'the spec is one GCP can serve');
  const urlMap = desired.resources.find((resource) => resource.kind === 'urlMap' && resource.name.endsWith(`-um-${port}`));
  assert.ok(urlMap, `a URL map for port ${port}`);
  return namedRoute(evaluateUrlMap(urlMap.body, { url }), serviceOfBackend(spec, desired, 'backendService'));
}
