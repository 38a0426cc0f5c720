/**
 * A LoadBalancerSpec as the Compute resources of one Application Load Balancer, regional or global
 * (the spec's scope: the global one's address, forwarding rules, proxies, URL maps, backend services,
 * health checks and certificates are the global collections' — only external, without a network or a
 * proxy-only subnet; its NEGs and instance groups are zonal all the same): an address, per listener a forwarding rule, a target HTTP(S) proxy and a URL map; per target
 * group a health check and a backend service whose backends are zonal network endpoint groups
 * (GCE_VM_IP_PORT, ip targets) or the stack's unmanaged instance groups with a named port (instance
 * targets); per TLS Secret a self-managed SSL certificate named by its content; a backend service
 * with no backends behind fixed responses; and a firewall rule admitting Google's health checkers
 * and the proxy-only subnet to the target ports. Pure: every body is in Compute's field names, with
 * references as partial URLs (`projects/p/regions/r/backendServices/n`).
 * @module
 */
import type { Diagnostic, LoadBalancerScope, LoadBalancerSpec, Target, TargetGroupSpec } from '../../../src/model.js';
import { inScope, type Kind, type Resource } from '../kinds.js';
import type { Environment } from '../observe/observed.js';
import { ownershipDescription, shortHash, stackNames, type StackNames } from './names.js';
import { buildUrlMap } from './url-map.js';

/** Where Google's health checkers and front ends connect from (documented ranges). */
export const HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'];

export interface DesiredResource {
  kind: Kind;
  zone?: string;
  name: string;
  body: Resource;
  /** An SSL certificate's Secret: its material is read at apply time, never kept in a plan. */
  secret?: { namespace: string; name: string };
}

export interface DesiredState {
  resources: DesiredResource[];
  /** Endpoints wanted in each network endpoint group, by `<zone>/<name>`. */
  endpoints: Map<string, Resource[]>;
  /** Instance URLs wanted in each instance group, by `<zone>/<name>`. */
  instances: Map<string, string[]>;
  diagnostics: Diagnostic[];
}

export interface DesiredContext {
  cluster: string;
  project: string;
  region: string;
  /** The zone of a target whose own zone is not one of the region's. */
  defaultZone: string;
  manageFirewall: boolean;
  environment: Environment;
}

export function desiredState(spec: LoadBalancerSpec, context: DesiredContext): DesiredState {
  const scope = spec.scope ?? 'regional';
  const names = stackNames(context.cluster, spec.stack.id, spec.scheme, scope);
  const diagnostics: Diagnostic[] = [];
  const problem = (field: string, message: string, severity: Diagnostic['severity'] = 'error', ingress = spec.stack.members[0]): void => {
    if (ingress) diagnostics.push({ severity, object: { kind: 'Ingress', namespace: ingress.namespace, name: ingress.name }, field, message });
  };
  const resources: DesiredResource[] = [];
  const endpoints = new Map<string, Resource[]>();
  const instances = new Map<string, string[]>();
  const describe = (resource: string): string => ownershipDescription({ cluster: context.cluster, stack: spec.stack.id, resource });
  // A reference to one of the load balancer's own resources, in its scope.
  const regional = (collection: string, name: string): string =>
    scope === 'global'
      ? `projects/${context.project}/global/${collection}/${name}`
      : `projects/${context.project}/regions/${context.region}/${collection}/${name}`;
  const zonal = (zone: string, collection: string, name: string): string => `projects/${context.project}/zones/${zone}/${collection}/${name}`;
  const scheme = spec.scheme === 'internal' ? 'INTERNAL_MANAGED' : 'EXTERNAL_MANAGED';
  const network = context.environment.network;
  if (network === undefined) problem('spec', 'the VPC network given by --gcp-network does not exist in the project');
  if (scope === 'global' && spec.scheme === 'internal') {
    problem(
      'metadata.annotations',
      'load-balancer-scope global is the global external Application Load Balancer, but the scheme is internal (the scheme annotation, ' +
        'or --default-scheme when none is set): set scheme: internet-facing for the global one, or use load-balancer-scope: regional for an ' +
        'internal load balancer (cross-region internal load balancers are not modelled)',
    );
  }
  if (scope === 'regional' && context.environment.proxySubnetCidr === undefined) {
    problem(
      'spec',
      `${scheme} load balancers need an active proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) in ${context.region} of the VPC; none was found`,
    );
  }
  if (spec.scheme === 'internal' && context.environment.subnetwork === undefined)
    problem('spec', 'an internal load balancer needs the subnetwork given by --gcp-subnetwork');
  if (spec.ipAddressType === 'dualstack') problem('metadata.annotations', 'dualstack addresses are not modelled for GCP: an IPv4 address is used', 'warning');
  if (spec.webAcl && spec.webAcl.kind !== 'none')
    problem('metadata.annotations', 'WAFv2 web ACLs are AWS-only (Cloud Armor policies are not managed by this provider)');
  if (spec.shieldAdvancedProtection) problem('metadata.annotations', 'Shield Advanced is AWS-only');
  if (spec.externalTargetGroups?.length) problem('metadata.annotations', 'target groups by ARN or name are AWS-only');

  const firewallPorts = new Set<number>();
  for (const group of spec.targetGroups) {
    addTargetGroup(group, {
      names,
      context,
      describe,
      regional,
      zonal,
      scope,
      scheme,
      network: network ?? '',
      resources,
      endpoints,
      instances,
      firewallPorts,
      problem,
    });
  }

  const certificateNames = new Map<string, string>();
  for (const certificate of spec.certificates) {
    if (certificate.source.kind === 'secret') {
      const name = names.sslCertificate(certificate.key, certificate.fingerprint ?? certificate.key);
      certificateNames.set(certificate.key, regional('sslCertificates', name));
      resources.push({
        kind: inScope('sslCertificate', scope),
        name,
        body: { name, description: describe(`SslCertificate/${certificate.key}`), type: 'SELF_MANAGED' },
        secret: { namespace: certificate.source.namespace, name: certificate.source.name },
      });
    } else if (certificate.source.kind === 'arn' && /^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\//.test(certificate.source.arn)) {
      if (scope === 'global' && certificate.source.arn.includes('/regions/'))
        problem('spec.tls', `certificate ${certificate.key}: a regional SSL certificate cannot serve a global load balancer (use a global one)`);
      certificateNames.set(certificate.key, certificate.source.arn.replace(/^https:\/\/www\.googleapis\.com\/compute\/v1\//, ''));
    } else {
      problem('spec.tls', `certificate ${certificate.key}: only TLS Secrets and Compute SSL certificate URLs can be used on GCP (no ACM ARNs, no discovery)`);
    }
  }

  let usesSink = false;
  for (const listener of spec.listeners) {
    const built = buildUrlMap(listener, {
      backendService: (key) => regional('backendServices', spec.targetGroups.some((group) => group.key === key) ? names.backendService(key) : 'missing'),
      sinkBackendService: regional('backendServices', names.sinkBackendService),
      scope,
    });
    usesSink ||= built.usesSink;
    for (const found of built.problems) {
      const ingress = found.origin?.ingress ?? spec.stack.members[0];
      const where = found.origin ? ` (rule for ${found.origin.host ?? '*'}${found.origin.path ?? ''})` : '';
      problem(found.origin ? `spec.rules: ${found.field}` : found.field, `${found.message}${where}`, 'error', ingress);
    }
    const urlMap = names.urlMap(listener.port);
    resources.push({ kind: inScope('urlMap', scope), name: urlMap, body: { name: urlMap, description: describe(`UrlMap/${listener.port}`), ...built.body } });
    let proxy: string;
    if (listener.protocol === 'HTTPS') {
      proxy = names.targetHttpsProxy(listener.port);
      const sslCertificates = listener.certificateKeys.map((key) => certificateNames.get(key)).filter((name): name is string => name !== undefined);
      if (sslCertificates.length === 0) problem('spec.tls', `listener ${listener.port} is HTTPS without a certificate GCP can use`);
      if (listener.sslPolicy !== undefined)
        problem('metadata.annotations', `SSL policy ${listener.sslPolicy} is an ELBv2 policy: GCP's default SSL policy applies`, 'warning');
      if (listener.mutualAuthentication && listener.mutualAuthentication.mode !== 'off') problem('metadata.annotations', 'mutual TLS is not modelled for GCP');
      resources.push({
        kind: inScope('targetHttpsProxy', scope),
        name: proxy,
        body: { name: proxy, description: describe(`TargetHttpsProxy/${listener.port}`), urlMap: regional('urlMaps', urlMap), sslCertificates },
      });
    } else {
      proxy = names.targetHttpProxy(listener.port);
      resources.push({
        kind: inScope('targetHttpProxy', scope),
        name: proxy,
        body: { name: proxy, description: describe(`TargetHttpProxy/${listener.port}`), urlMap: regional('urlMaps', urlMap) },
      });
    }
    const forwardingRule = names.forwardingRule(listener.port);
    resources.push({
      kind: inScope('forwardingRule', scope),
      name: forwardingRule,
      body: {
        name: forwardingRule,
        description: describe(`ForwardingRule/${listener.port}`),
        IPAddress: regional('addresses', names.address),
        IPProtocol: 'TCP',
        portRange: `${listener.port}-${listener.port}`,
        target: regional(listener.protocol === 'HTTPS' ? 'targetHttpsProxies' : 'targetHttpProxies', proxy),
        loadBalancingScheme: scheme,
        // A global external forwarding rule is in no VPC: Google's edge receives its traffic.
        ...(scope === 'regional' && { network: network ?? '' }),
        ...(spec.scheme === 'internal' && { subnetwork: context.environment.subnetwork }),
        labels: labelsOf(context.cluster, spec.stack.id),
      },
    });
  }
  if (usesSink) {
    resources.push({
      kind: inScope('backendService', scope),
      name: names.sinkBackendService,
      body: { name: names.sinkBackendService, description: describe('BackendService/fixed-response'), protocol: 'HTTP', loadBalancingScheme: scheme },
    });
  }
  resources.push({
    kind: inScope('address', scope),
    name: names.address,
    body: {
      name: names.address,
      description: describe('Address'),
      addressType: spec.scheme === 'internal' ? 'INTERNAL' : 'EXTERNAL',
      ...(spec.scheme === 'internal' ? { subnetwork: context.environment.subnetwork, purpose: 'SHARED_LOADBALANCER_VIP' } : { networkTier: 'PREMIUM' }),
      labels: labelsOf(context.cluster, spec.stack.id),
    },
  });
  if (context.manageFirewall && firewallPorts.size > 0 && network !== undefined) {
    resources.push({
      kind: 'firewall',
      name: names.firewall,
      body: {
        name: names.firewall,
        description: describe('Firewall/health-checks'),
        network,
        direction: 'INGRESS',
        priority: 1000,
        sourceRanges: [...HEALTH_CHECK_RANGES, ...(context.environment.proxySubnetCidr ? [context.environment.proxySubnetCidr] : [])],
        allowed: [{ IPProtocol: 'tcp', ports: [...firewallPorts].sort((a, b) => a - b).map(String) }],
      },
    });
  }
  return { resources, endpoints, instances, diagnostics };
}

interface TargetGroupContext {
  names: StackNames;
  context: DesiredContext;
  describe: (resource: string) => string;
  regional: (collection: string, name: string) => string;
  zonal: (zone: string, collection: string, name: string) => string;
  scope: LoadBalancerScope;
  scheme: string;
  network: string;
  resources: DesiredResource[];
  endpoints: Map<string, Resource[]>;
  instances: Map<string, string[]>;
  firewallPorts: Set<number>;
  problem: (field: string, message: string, severity?: Diagnostic['severity']) => void;
}

function addTargetGroup(group: TargetGroupSpec, tg: TargetGroupContext): void {
  const { names, describe, regional, zonal } = tg;
  const healthCheck = names.healthCheck(group.key);
  const check = group.healthCheck;
  const type = group.protocolVersion === 'HTTP1' ? check.protocol : 'HTTP2';
  if (check.successCodes !== '200')
    tg.problem('metadata.annotations', `target group ${group.key}: GCP health checks succeed on 200 only, not ${check.successCodes}`, 'warning');
  tg.resources.push({
    kind: inScope('healthCheck', tg.scope),
    name: healthCheck,
    body: {
      name: healthCheck,
      description: describe(`HealthCheck/${group.key}`),
      type,
      [`${type.toLowerCase()}HealthCheck`]: {
        requestPath: check.path,
        ...(check.port === 'traffic-port' ? { portSpecification: 'USE_SERVING_PORT' } : { portSpecification: 'USE_FIXED_PORT', port: check.port }),
      },
      checkIntervalSec: check.intervalSeconds,
      timeoutSec: Math.min(check.timeoutSeconds, check.intervalSeconds),
      healthyThreshold: check.healthyThresholdCount,
      unhealthyThreshold: check.unhealthyThresholdCount,
    },
  });
  if (typeof check.port === 'number') tg.firewallPorts.add(check.port);
  const byZone = new Map<string, Target[]>();
  for (const target of group.targets) {
    const zone = zoneOf(target, tg.context);
    byZone.set(zone, [...(byZone.get(zone) ?? []), target]);
    tg.firewallPorts.add(target.port);
  }
  const backends: Resource[] = [];
  const zones = [...byZone.keys()].sort();
  if (group.targetType === 'ip') {
    const neg = names.networkEndpointGroup(group.key);
    for (const zone of zones) {
      tg.resources.push({
        kind: 'networkEndpointGroup',
        zone,
        name: neg,
        body: {
          name: neg,
          description: describe(`NetworkEndpointGroup/${group.key}`),
          networkEndpointType: 'GCE_VM_IP_PORT',
          network: tg.network,
          defaultPort: group.port,
        },
      });
      tg.endpoints.set(
        `${zone}/${neg}`,
        (byZone.get(zone) ?? []).map((target) => ({ ipAddress: target.ip, port: target.port })),
      );
      backends.push({ group: zonal(zone, 'networkEndpointGroups', neg), balancingMode: 'RATE', maxRatePerEndpoint: 1_000_000 });
    }
  } else {
    for (const zone of zones) {
      const key = `${zone}/${names.instanceGroup}`;
      let resource = tg.resources.find((candidate) => candidate.kind === 'instanceGroup' && candidate.zone === zone);
      if (!resource) {
        resource = {
          kind: 'instanceGroup',
          zone,
          name: names.instanceGroup,
          body: { name: names.instanceGroup, description: describe('InstanceGroup'), network: tg.network, namedPorts: [] },
        };
        tg.resources.push(resource);
      }
      const namedPorts = resource.body['namedPorts'] as Resource[];
      if (!namedPorts.some((port) => port['port'] === group.port)) {
        namedPorts.push({ name: `port-${group.port}`, port: group.port });
        namedPorts.sort((a, b) => Number(a['port']) - Number(b['port']));
      }
      const wanted = new Set([...(tg.instances.get(key) ?? []), ...(byZone.get(zone) ?? []).map((target) => instanceUrl(target, zone, tg.context))]);
      tg.instances.set(key, [...wanted].sort());
      backends.push({ group: zonal(zone, 'instanceGroups', names.instanceGroup), balancingMode: 'UTILIZATION', maxUtilization: 0.8, capacityScaler: 1 });
    }
  }
  const backendService = names.backendService(group.key);
  tg.resources.push({
    kind: inScope('backendService', tg.scope),
    name: backendService,
    body: {
      name: backendService,
      description: describe(`BackendService/${group.key}`),
      protocol: group.protocolVersion === 'HTTP1' ? group.protocol : 'HTTP2',
      loadBalancingScheme: tg.scheme,
      healthChecks: [regional('healthChecks', healthCheck)],
      backends,
      ...(group.targetType === 'instance' && { portName: `port-${group.port}` }),
    },
  });
}

/** The target's zone when it is one of the region's; else the configured default zone. */
function zoneOf(target: Target, context: DesiredContext): string {
  const fromProvider = /^gce:\/\/[^/]+\/([^/]+)\//.exec(target.id)?.[1];
  const zone = fromProvider ?? target.zone;
  return zone?.startsWith(`${context.region}-`) ? zone : context.defaultZone;
}

/** A Node's providerID `gce://project/zone/name` names its VM; any other, the Node name in the target's zone. */
function instanceUrl(target: Target, zone: string, context: DesiredContext): string {
  const [, project, gceZone, instance] = /^gce:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(target.id) ?? [];
  if (project !== undefined && gceZone !== undefined && instance !== undefined) return `projects/${project}/zones/${gceZone}/instances/${instance}`;
  return `projects/${context.project}/zones/${zone}/instances/${target.node ?? target.id.replace(/[^a-z0-9-]/g, '-')}`;
}

function labelsOf(cluster: string, stackId: string): Record<string, string> {
  return { 'ingress-bridge-cluster': shortHash(cluster, 12), 'ingress-bridge-stack': shortHash(stackId, 12) };
}
