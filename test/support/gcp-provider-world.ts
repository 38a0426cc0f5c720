/**
 * A world for GCP provider tests: the Compute fake on loopback with the real `@google-cloud/compute`
 * clients pointed at it, providers over it (a fresh one stands for a restarted controller), and
 * views of what the fake serves: the live URL map of a listener through the URL-map evaluator, the
 * endpoints behind each backend service, the certificate on the HTTPS proxy.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, CertificateMaterial, Provider } from '../../src/provider.js';
import { GcpFake, keyOf } from '../../fakes/gcp/index.js';
import { createProvider } from '../../providers/gcp/index.js';
import type { GcpProvider } from '../../providers/gcp/provider.js';
import { readOwnership, stackNames } from '../../providers/gcp/plan/names.js';
import { evaluateUrlMap, type UrlMapRoute } from './url-map-evaluator.js';

export const CLUSTER = 'test';

export interface GcpWorld {
  fake: GcpFake;
  endpoint: string;
  newProvider(options?: { material?: Record<string, CertificateMaterial>; settings?: Record<string, string | boolean> }): Promise<GcpProvider>;
  close(): Promise<void>;
}

/** The permissions of deploy/gcp/role.json, the custom role the controller's service account is given. */
export function rolePermissions(): string[] {
  const role = JSON.parse(readFileSync(new URL('../../deploy/gcp/role.json', import.meta.url), 'utf8')) as { includedPermissions: string[] };
  return role.includedPermissions;
}

export async function createGcpWorld(options: { pageSize?: number; proxySubnet?: boolean; enforceRole?: boolean } = {}): Promise<GcpWorld> {
  const fake = new GcpFake({ ...(options.pageSize !== undefined && { pageSize: options.pageSize }) });
  const { host, port } = await fake.start({ ...(options.proxySubnet !== undefined && { proxySubnet: options.proxySubnet }) });
  if (options.enforceRole !== false) fake.grant(rolePermissions());
  const endpoint = `http://${host}:${port}`;
  const providers: GcpProvider[] = [];
  return {
    fake,
    endpoint,
    async newProvider(providerOptions = {}) {
      const material = providerOptions.material ?? {};
      const provider = await createProvider({
        clusterName: CLUSTER,
        certificates: { get: (namespace, name) => material[`${namespace}/${name}`] },
        settings: { gcpProject: fake.project, gcpRegion: fake.region, gcpEndpoint: endpoint, ...providerOptions.settings },
      });
      providers.push(provider);
      return provider;
    },
    async close() {
      await Promise.all(providers.map((provider) => provider.close()));
      await fake.close();
    },
  };
}

/** Where the spec's load balancer lives in the fake: the region, or `global` for the global scope. */
export function scopeOf(fake: GcpFake, spec: LoadBalancerSpec): string {
  return spec.scope === 'global' ? fake.globalScope : fake.regionScope;
}

function namesOf(spec: LoadBalancerSpec): ReturnType<typeof stackNames> {
  return stackNames(CLUSTER, spec.stack.id, spec.scheme, spec.scope);
}

/** The URL map of a listener as the fake holds it now, or undefined. */
export function liveUrlMap(fake: GcpFake, spec: LoadBalancerSpec, port: number): Record<string, unknown> | undefined {
  const key = `${scopeOf(fake, spec)}/urlMaps/${namesOf(spec).urlMap(port)}`;
  return fake.store.has(key) ? fake.store.get(key) : undefined;
}

/** Is the URL map reachable: a forwarding rule on the port → a proxy → this URL map. */
function servingUrlMap(fake: GcpFake, spec: LoadBalancerSpec, port: number): Record<string, unknown> | undefined {
  const ruleKey = `${scopeOf(fake, spec)}/forwardingRules/${namesOf(spec).forwardingRule(port)}`;
  if (!fake.store.has(ruleKey)) return undefined;
  const proxy = fake.store.get(keyOf(String(fake.store.get(ruleKey)['target'])));
  return fake.store.get(keyOf(String(proxy['urlMap'])));
}

/** The Service (`namespace/name:port`) behind a backend service, from its ownership record and the spec. */
function serviceOf(fake: GcpFake, spec: LoadBalancerSpec, backendService: string): string {
  const owner = readOwnership(fake.store.get(keyOf(backendService))['description']);
  const targetGroupKey = owner?.resource.replace(/^BackendService\//, '');
  const group = spec.targetGroups.find((candidate) => candidate.key === targetGroupKey);
  if (!group) return `unknown:${backendService}`;
  return `${group.service.namespace}/${group.service.name}:${group.service.port}`;
}

/** The endpoints (`ip:port`) a backend service sends to: its NEGs' endpoints. */
export function backendTargets(fake: GcpFake, backendService: string): string[] {
  const service = fake.store.get(keyOf(backendService));
  return ((service['backends'] ?? []) as { group: string }[]).flatMap((backend) =>
    backend.group.includes('/networkEndpointGroups/')
      ? fake.store.networkEndpoints(keyOf(backend.group)).map((endpoint) => `${endpoint.ipAddress}:${endpoint.port}`)
      : [],
  );
}

/** Where the load balancer sends a request to `url` on `port`, named as routeOf names it. */
export function servedRoute(fake: GcpFake, spec: LoadBalancerSpec, url: string, port = 80): { route: string; targets: string[]; evaluated?: UrlMapRoute } {
  const urlMap = servingUrlMap(fake, spec, port);
  if (!urlMap) return { route: 'none', targets: [] };
  const evaluated = evaluateUrlMap(urlMap, { url });
  switch (evaluated.kind) {
    case 'forward':
      return {
        route: evaluated.backendServices.map((service) => serviceOf(fake, spec, service)).join(','),
        targets: [...new Set(evaluated.backendServices.flatMap((service) => backendTargets(fake, service)))].sort(),
        evaluated,
      };
    case 'status':
      return { route: String(evaluated.statusCode), targets: [], evaluated };
    case 'redirect':
      return { route: `redirect:${evaluated.statusCode}`, targets: [], evaluated };
  }
}

/** The fingerprint of the certificate the HTTPS proxy on 443 presents for `host` (its first that covers it, else its first). */
export function servedCertificate(fake: GcpFake, spec: LoadBalancerSpec, host: string): string | undefined {
  const key = `${scopeOf(fake, spec)}/targetHttpsProxies/${namesOf(spec).targetHttpsProxy(443)}`;
  if (!fake.store.has(key)) return undefined;
  const certificates = (fake.store.get(key)['sslCertificates'] as string[]).map(
    (link) => new X509Certificate(String(fake.store.get(keyOf(link))['certificate'])),
  );
  const chosen = certificates.find((certificate) => certificate.checkHost(host) !== undefined) ?? certificates[0];
  return chosen?.fingerprint256;
}

/** Every resource of ours (cluster `test`), one entry per resource by kind (`global/` for a global collection), zone, stack and logical id. */
export function inventory(fake: GcpFake): string[] {
  return fake.store
    .keys()
    .flatMap((key) => {
      const resource = fake.store.get(key);
      const owner = readOwnership(resource['description']);
      if (owner?.cluster !== CLUSTER) return [];
      const collection = `${key.includes('/global/') ? 'global/' : ''}${/\/([A-Za-z]+)\/[^/]+$/.exec(key)?.[1] ?? ''}`;
      const zone = /\/zones\/([^/]+)\//.exec(key)?.[1];
      const entries = [`${collection}:${zone ? `${zone}:` : ''}${owner.stack}:${owner.resource}`];
      if (collection.endsWith('networkEndpointGroups'))
        entries.push(...fake.store.networkEndpoints(key).map((endpoint) => `endpoint:${key}:${endpoint.ipAddress}:${endpoint.port}`));
      return entries;
    })
    .sort();
}

/** One round of the controller's loop for a stack: observe, diff, apply. */
export async function reconcile(provider: Provider, spec: LoadBalancerSpec | undefined, id = spec?.stack.id ?? ''): Promise<ApplyResult> {
  const observed = await provider.observe({ id }, spec);
  return provider.apply(provider.diff(spec, observed));
}

/** The failed operations of an apply, each as `action: error`. */
export function errorsOf(result: ApplyResult): string[] {
  return result.outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => `${outcome.operation.action}: ${outcome.error ?? ''}`);
}

/** Runs `body` in a fresh world and closes the world however the body ends. */
export async function inWorld(body: (world: GcpWorld) => Promise<void>, options: Parameters<typeof createGcpWorld>[0] = {}): Promise<void> {
  const world = await createGcpWorld(options);
  try {
    await body(world);
  } finally {
    await world.close();
  }
}

/**
 * Watches the HTTPS proxy at `proxyKey` after every mutating call from now on, recording each moment
 * it holds no certificate or a certificate that no longer exists: rotation must never leave it so.
 */
export function watchProxyCertificates(fake: GcpFake, proxyKey: string): string[] {
  const violations: string[] = [];
  fake.afterMutation((call) => {
    const certificates = (fake.store.get(proxyKey)['sslCertificates'] ?? []) as string[];
    if (certificates.length === 0) violations.push(`after ${call.action}: no certificate`);
    for (const link of certificates) if (!fake.store.has(keyOf(link))) violations.push(`after ${call.action}: ${link} is gone`);
  });
  return violations;
}

/** The actions of the mutating calls the fake received after the first `before`. */
export function mutatingActionsSince(fake: GcpFake, before: number): string[] {
  return fake
    .mutatingCalls()
    .slice(before)
    .map((call) => call.action);
}
