/**
 * Names and ownership. Most Compute resources take no labels, so ownership is two marks:
 * - a cluster-scoped name prefix, `ib-<cluster hash>-<stack hash>-`, that list filters select by
 *   (one read per collection finds a stack's resources);
 * - a machine-readable record in `description`: `ingress-bridge:{"cluster":…,"stack":…,"resource":…}`.
 * A resource is ours only when both agree: a look-alike name without the record, or a record for
 * another cluster or stack, is never modified or deleted. Names are stable (hashes of the cluster,
 * the stack and the logical resource) and fit Compute's 63 characters.
 * @module
 */
import { createHash } from 'node:crypto';
import type { LoadBalancerScope, Scheme } from '../../../src/model.js';

const MARK = 'ingress-bridge:';

export interface Ownership {
  cluster: string;
  stack: string;
  /** The logical resource: `UrlMap/80`, `BackendService/default/a:80/ip`, `SslCertificate/<key>`. */
  resource: string;
}

export function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `ib-<6>-<8>`: the prefix every resource of the stack's name starts with. */
export function stackPrefix(cluster: string, stackId: string): string {
  return `ib-${shortHash(cluster, 6)}-${shortHash(stackId, 8)}`;
}

/** The RE2 pattern of a list filter that selects the stack's resources by name. */
export function stackNamePattern(cluster: string, stackId: string): string {
  return `${stackPrefix(cluster, stackId)}-.*`;
}

export function ownershipDescription(owner: Ownership): string {
  return MARK + JSON.stringify({ cluster: owner.cluster, stack: owner.stack, resource: owner.resource });
}

export function readOwnership(description: unknown): Ownership | undefined {
  if (typeof description !== 'string' || !description.startsWith(MARK)) return undefined;
  try {
    const parsed = JSON.parse(description.slice(MARK.length)) as Partial<Ownership>;
    if (typeof parsed.cluster !== 'string' || typeof parsed.stack !== 'string' || typeof parsed.resource !== 'string') return undefined;
    return { cluster: parsed.cluster, stack: parsed.stack, resource: parsed.resource };
  } catch {
    return undefined;
  }
}

export interface StackNames {
  prefix: string;
  address: string;
  forwardingRule(port: number): string;
  targetHttpProxy(port: number): string;
  targetHttpsProxy(port: number): string;
  urlMap(port: number): string;
  backendService(targetGroupKey: string): string;
  healthCheck(targetGroupKey: string): string;
  /** The backend service that fixed responses (a 404) are answered in front of: it never has backends. */
  sinkBackendService: string;
  networkEndpointGroup(targetGroupKey: string): string;
  instanceGroup: string;
  /** A certificate's name carries its content fingerprint: Compute certificates are immutable, so new content is a new certificate. */
  sslCertificate(certificateKey: string, fingerprint: string): string;
  firewall: string;
}

/**
 * The resources tied to a scheme (an EXTERNAL_MANAGED backend service cannot serve an INTERNAL_MANAGED
 * URL map, and Compute changes neither in place) carry it in their names: `e` or `i`; a global load
 * balancer's (another collection of each kind, and only external) carry `g`, its health checks and
 * certificates too. A scheme or scope change is then new resources beside the old, and the old
 * deleted after: make before break.
 */
export function stackNames(cluster: string, stackId: string, scheme: Scheme, scope: LoadBalancerScope = 'regional'): StackNames {
  const prefix = stackPrefix(cluster, stackId);
  const s = scope === 'global' ? 'g' : scheme === 'internal' ? 'i' : 'e';
  const g = scope === 'global' ? 'g-' : '';
  return {
    prefix,
    address: `${prefix}-${s}-address`,
    forwardingRule: (port) => `${prefix}-${s}-fr-${port}`,
    targetHttpProxy: (port) => `${prefix}-${s}-http-${port}`,
    targetHttpsProxy: (port) => `${prefix}-${s}-https-${port}`,
    urlMap: (port) => `${prefix}-${s}-um-${port}`,
    backendService: (key) => `${prefix}-${s}-bs-${shortHash(key, 10)}`,
    healthCheck: (key) => `${prefix}-${g}hc-${shortHash(key, 10)}`,
    sinkBackendService: `${prefix}-${s}-bs-fixed`,
    networkEndpointGroup: (key) => `${prefix}-neg-${shortHash(key, 10)}`,
    instanceGroup: `${prefix}-ig`,
    sslCertificate: (key, fingerprint) => `${prefix}-${g}crt-${shortHash(key, 6)}-${shortHash(fingerprint, 10)}`,
    firewall: `${prefix}-fw-health`,
  };
}
