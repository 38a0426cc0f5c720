/**
 * `plan --provider gcp --output json`: each load balancer as the Compute resources that would be
 * created, in the API's own field names (UrlMap `hostRules`, `pathMatchers`, `routeRules` with
 * `priority` and `matchRules`, `service`/`weightedBackendServices`, `urlRedirect`; backend services,
 * health checks, NEGs with their `networkEndpoints`, SSL certificates without key material), plus
 * what GCP refuses of each; a global load balancer's references name `projects/PROJECT/global/…`
 * (its collections have the regional ones' names). Without --live no project is read, so
 * references name `PROJECT` and `REGION`, and names are those of a cluster named `CLUSTER` (the
 * name prefix hashes the cluster).
 * @module
 */
import { withoutFunctions } from './functions.js';
import type { Diagnostic, LoadBalancerSpec } from '../../../src/model.js';
import { KINDS, type Kind } from '../kinds.js';
import { desiredState, type DesiredContext } from './desired.js';

const PLACEHOLDER: DesiredContext = {
  cluster: 'CLUSTER',
  project: 'PROJECT',
  region: 'REGION',
  defaultZone: 'REGION-a',
  manageFirewall: true,
  environment: {
    network: 'projects/PROJECT/global/networks/default',
    subnetwork: 'projects/PROJECT/regions/REGION/subnetworks/default',
    proxySubnetCidr: 'PROXY_ONLY_SUBNET_CIDR',
  },
};

export function renderComputePlanDocument(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown {
  return {
    provider: 'gcp',
    project: PLACEHOLDER.project,
    region: PLACEHOLDER.region,
    loadBalancers: specs.map((asked) => {
      // As the provider plans: function paths answer 503 and their errors are reported.
      const served = withoutFunctions(asked);
      const spec = served.spec;
      const desired = desiredState(spec, PLACEHOLDER);
      const byCollection: Record<string, unknown[]> = {};
      for (const resource of desired.resources) {
        const collection = KINDS[resource.kind].collection;
        const body: Record<string, unknown> = { ...resource.body, ...(resource.zone !== undefined && { zone: resource.zone }) };
        if (resource.kind === 'sslCertificate' && resource.secret)
          body['certificate'] = `(tls.crt of Secret ${resource.secret.namespace}/${resource.secret.name})`;
        if (resource.kind === 'networkEndpointGroup') body['networkEndpoints'] = desired.endpoints.get(`${resource.zone ?? ''}/${resource.name}`) ?? [];
        if (resource.kind === 'instanceGroup') body['instances'] = desired.instances.get(`${resource.zone ?? ''}/${resource.name}`) ?? [];
        (byCollection[collection] ??= []).push(body);
      }
      return {
        stack: spec.stack.id,
        scope: spec.scope ?? 'regional',
        loadBalancingScheme: spec.scheme === 'internal' ? 'INTERNAL_MANAGED' : 'EXTERNAL_MANAGED',
        ...Object.fromEntries(
          ORDER.map((kind) => KINDS[kind].collection)
            .filter((collection) => byCollection[collection])
            .map((collection) => [collection, byCollection[collection]]),
        ),
        diagnostics: [...served.diagnostics, ...desired.diagnostics],
      };
    }),
    diagnostics,
  };
}

const ORDER: readonly Kind[] = [
  'address',
  'forwardingRule',
  'targetHttpProxy',
  'targetHttpsProxy',
  'urlMap',
  'backendService',
  'healthCheck',
  'networkEndpointGroup',
  'instanceGroup',
  'sslCertificate',
  'firewall',
];
