/**
 * `plan --provider gcp --output json`: each load balancer as the Compute resources that would be
 * created, in the API's own field names (UrlMap `hostRules`, `pathMatchers`, `routeRules` with
 * `priority` and `matchRules`, `service`/`weightedBackendServices`, `urlRedirect`; backend services,
 * health checks, NEGs with their `networkEndpoints`, SSL certificates without key material), plus
 * what GCP refuses of each; a global load balancer's references name `projects/<project>/global/…`
 * (its collections have the regional ones' names). No project is read: references name the
 * --gcp-project, --gcp-region, --gcp-network and --gcp-subnetwork given (`PROJECT`, `REGION` and
 * the default network when not), names hash the --cluster-name given (`CLUSTER` when none reaches
 * the renderer), and the proxy-only subnet's range is `PROXY_ONLY_SUBNET_CIDR` (only a read finds it).
 * @module
 */
import { withoutFunctions } from './functions.js';
import type { Diagnostic, LoadBalancerSpec } from '../../../src/model.js';
import type { PlanRenderContext } from '../../../src/provider.js';
import { KINDS, type Kind } from '../kinds.js';
import { desiredState, type DesiredContext } from './desired.js';
import { withPlacementDefaults } from './placement.js';

/** The flags plan was given, placeholders for the rest (as settings.ts names them; nothing is validated here). */
function planContext(given: PlanRenderContext = {}): DesiredContext {
  const setting = (key: string): string | undefined => {
    const value = given.settings?.[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const placement = withPlacementDefaults({
    project: setting('gcpProject') ?? 'PROJECT',
    region: setting('gcpRegion') ?? 'REGION',
    network: setting('gcpNetwork'),
    subnetwork: setting('gcpSubnetwork'),
    zone: setting('gcpZone'),
    manageFirewall: given.settings?.['gcpManageFirewall'],
  });
  return {
    cluster: given.clusterName ?? 'CLUSTER',
    project: placement.project,
    region: placement.region,
    defaultZone: placement.zone,
    manageFirewall: placement.manageFirewall,
    environment: {
      network: `projects/${placement.project}/global/networks/${placement.network}`,
      subnetwork: `projects/${placement.project}/regions/${placement.region}/subnetworks/${placement.subnetwork}`,
      proxySubnetCidr: 'PROXY_ONLY_SUBNET_CIDR',
    },
  };
}

export function renderComputePlanDocument(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[], given?: PlanRenderContext): unknown {
  const context = planContext(given);
  return {
    provider: 'gcp',
    project: context.project,
    region: context.region,
    loadBalancers: specs.map((asked) => {
      // As the provider plans: function paths answer 503 and their errors are reported.
      const served = withoutFunctions(asked);
      const spec = served.spec;
      const desired = desiredState(spec, context);
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
