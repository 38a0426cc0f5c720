/**
 * Certificates for an HTTPS port, chosen per connection by SNI: the certificate whose hosts name the
 * server name exactly, else one whose `*.` wildcard covers it (one label), else the listener's
 * default certificate (its first certificate key). Stacks sharing the port are searched in stack-id
 * order; the default is that of the first stack that has one.
 *
 * The table is rebuilt once per apply that changes the port, and read by the server's SNICallback on
 * every handshake, so a certificate changes without the server being re-created. Building a TLS
 * context from PEM is the expensive part (milliseconds each), so contexts are kept in a
 * `CertificateContexts` cache by the digest of their material: an apply loads only certificates
 * that are new or changed, and start-up with many TLS Ingresses is linear, not quadratic. Only
 * `secret` certificates can be served here: `arn` and `discover` ones live in a cloud's certificate
 * store.
 *
 * Each entry also carries the ssl-policy of the listener it came from, so a connection can be held
 * to the policy of the load balancer whose certificate it was given (ssl-policies.ts), its mutual
 * authentication (mutual-tls.ts), and whether that load balancer offers HTTP/2 (alpn.ts). Client certificates are a matter of the whole port, like the
 * handshake's versions: when any listener on it wants them, every context of the port asks for one
 * and carries the CA bundle (as `ca`, so OpenSSL verifies the chain), and each connection and
 * request is then held to its own load balancer's mode.
 * @module
 */
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { CertificateSpec, ListenerSpec, LoadBalancerSpec, MutualAuthentication } from '../../src/model.js';
import type { CertificateMaterialSource } from '../../src/provider.js';
import { http2Setting } from './alpn.js';
import { handshakeSettings, resolveSslPolicy, type TlsPolicy } from './ssl-policies.js';

interface LoadedCertificate {
  hosts: readonly string[];
  options: SecureContextOptions;
  context: SecureContext;
  /** The digest its context is cached under. */
  digest: string;
}

interface ServedCertificate extends LoadedCertificate {
  policy: TlsPolicy;
  mutualAuthentication: MutualAuthentication | undefined;
  /** The load balancer's `routing.http2.enabled`. */
  http2Enabled: boolean;
}

/** Client certificates on a port: whether to ask for one, and the CAs to verify it against. */
export interface ClientCertificateSettings {
  request: boolean;
  ca?: string;
}

/** How often tables were built and contexts created in this process; tests read them to check the cost of applies. */
export const tlsWork = { tableBuilds: 0, contextsCreated: 0 };

export class CertificateTable {
  private readonly exact = new Map<string, ServedCertificate>();
  private readonly wildcard = new Map<string, ServedCertificate>();
  private readonly defaultCertificate: ServedCertificate | undefined;
  /** The handshake settings of the port: what any of its listeners' policies allows. */
  readonly handshake: ReturnType<typeof handshakeSettings>;
  /** The digests of the contexts the table uses, so the cache can let go of the others. */
  readonly digests: ReadonlySet<string>;
  readonly clientCertificates: ClientCertificateSettings;

  constructor(
    certificates: readonly ServedCertificate[],
    defaultCertificate: ServedCertificate | undefined,
    policies: readonly TlsPolicy[],
    clientCertificates: ClientCertificateSettings = { request: false },
  ) {
    for (const certificate of certificates) {
      for (const host of certificate.hosts) {
        const table = host.startsWith('*.') ? this.wildcard : this.exact;
        const name = (host.startsWith('*.') ? host.slice(2) : host).toLowerCase();
        if (!table.has(name)) table.set(name, certificate);
      }
    }
    this.defaultCertificate = defaultCertificate;
    this.handshake = handshakeSettings(policies);
    this.digests = new Set(certificates.map((certificate) => certificate.digest));
    this.clientCertificates = clientCertificates;
  }

  /** For clients that send no server name (e.g. to an IP address): the server's own context, with the port's handshake settings. */
  get defaultOptions(): SecureContextOptions {
    return { ...this.defaultCertificate?.options, ...this.handshake, ...(this.clientCertificates.ca ? { ca: this.clientCertificates.ca } : {}) };
  }

  select(serverName: string): SecureContext | undefined {
    return this.entryFor(serverName)?.context;
  }

  /** The policy a connection for this server name is held to: that of the listener whose certificate it gets. */
  policyFor(serverName: string | undefined): TlsPolicy | undefined {
    return serverName ? this.entryFor(serverName)?.policy : this.defaultCertificate?.policy;
  }

  /** The mutual authentication of the listener whose certificate a connection for this server name gets. */
  mutualAuthenticationFor(serverName: string | undefined): MutualAuthentication | undefined {
    return serverName ? this.entryFor(serverName)?.mutualAuthentication : this.defaultCertificate?.mutualAuthentication;
  }

  /** Whether a connection for this server name may speak HTTP/2: its load balancer's attribute (on when no certificate is found). */
  http2EnabledFor(serverName: string | undefined): boolean {
    return (serverName ? this.entryFor(serverName) : this.defaultCertificate)?.http2Enabled ?? true;
  }

  private entryFor(serverName: string): ServedCertificate | undefined {
    const name = serverName.toLowerCase();
    const parent = name.slice(name.indexOf('.') + 1);
    return this.exact.get(name) ?? (name.includes('.') ? this.wildcard.get(parent) : undefined) ?? this.defaultCertificate;
  }
}

/** TLS contexts by the digest of their material, so each is created once while it is in use. */
export class CertificateContexts {
  private readonly byDigest = new Map<string, { options: SecureContextOptions; context: SecureContext }>();

  contextFor(options: SecureContextOptions & { cert: string; key: string; ca?: string }): { context: SecureContext; digest: string } {
    const digest = createHash('sha256')
      .update(options.cert)
      .update('\0')
      .update(options.key)
      .update('\0')
      .update(options.ca ?? '')
      .digest('hex');
    let cached = this.byDigest.get(digest);
    if (!cached) {
      cached = { options, context: createSecureContext(options) };
      tlsWork.contextsCreated += 1;
      this.byDigest.set(digest, cached);
    }
    return { context: cached.context, digest };
  }

  /** Forgets the contexts no table uses any more. */
  retainOnly(digests: ReadonlySet<string>): void {
    for (const digest of [...this.byDigest.keys()]) {
      if (!digests.has(digest)) this.byDigest.delete(digest);
    }
  }
}

export type SniCallback = (serverName: string, callback: (error: Error | null, context?: SecureContext) => void) => void;

export function sniCallback(currentTable: () => CertificateTable | undefined): SniCallback {
  return (serverName, callback) => {
    const context = currentTable()?.select(serverName);
    if (context) callback(null, context);
    else callback(new Error(`no certificate for ${serverName}`));
  };
}

export interface CertificateProblem {
  certificate: CertificateSpec;
  reason: string;
}

/** The certificates of one stack's HTTPS listener, in its order, and those that cannot be served. */
export function loadListenerCertificates(
  spec: LoadBalancerSpec,
  listener: ListenerSpec,
  material: CertificateMaterialSource,
  contexts: CertificateContexts,
  clientCa?: string,
): { certificates: LoadedCertificate[]; problems: CertificateProblem[] } {
  const certificates: LoadedCertificate[] = [];
  const problems: CertificateProblem[] = [];
  for (const key of listener.certificateKeys) {
    const certificate = spec.certificates.find((candidate) => candidate.key === key);
    if (!certificate) continue;
    const loaded = loadCertificate(certificate, material, contexts, clientCa);
    if ('reason' in loaded) problems.push({ certificate, reason: loaded.reason });
    else certificates.push(loaded);
  }
  return { certificates, problems };
}

/**
 * Builds the table for a port from its stacks' HTTPS listeners, given in stack-id order;
 * `trustStorePem` is the CA bundle for listeners that verify client certificates.
 */
export function buildCertificateTable(
  listeners: readonly { spec: LoadBalancerSpec; listener: ListenerSpec }[],
  material: CertificateMaterialSource,
  contexts: CertificateContexts,
  trustStorePem?: string,
): CertificateTable {
  tlsWork.tableBuilds += 1;
  const modes = listeners.map(({ listener }) => listener.mutualAuthentication?.mode ?? 'off');
  const clientCertificates: ClientCertificateSettings = {
    request: modes.some((mode) => mode !== 'off'),
    ...(trustStorePem !== undefined && modes.includes('verify') ? { ca: trustStorePem } : {}),
  };
  const all = listeners.map(({ spec, listener }) => {
    const { policy } = resolveSslPolicy(listener.sslPolicy);
    return loadListenerCertificates(spec, listener, material, contexts, clientCertificates.ca).certificates.map((certificate) => ({
      ...certificate,
      policy,
      mutualAuthentication: listener.mutualAuthentication,
      http2Enabled: http2Setting(spec.attributes).enabled,
    }));
  });
  const policies = listeners.map(({ listener }) => resolveSslPolicy(listener.sslPolicy).policy);
  return new CertificateTable(all.flat(), all.find((certificates) => certificates.length > 0)?.[0], policies, clientCertificates);
}

function loadCertificate(
  certificate: CertificateSpec,
  material: CertificateMaterialSource,
  contexts: CertificateContexts,
  clientCa: string | undefined,
): LoadedCertificate | { reason: string } {
  const { source } = certificate;
  switch (source.kind) {
    case 'arn':
      return {
        reason: `certificate ${source.arn} is in a cloud certificate store, which the local load balancer cannot read; give the certificate as a kubernetes.io/tls Secret in spec.tls to serve it locally`,
      };
    case 'discover':
      return {
        reason: `no Secret is named for hosts ${certificate.hosts.join(', ') || '(none)'}, and the local load balancer cannot discover certificates; set spec.tls[].secretName`,
      };
    case 'secret': {
      const found = material.get(source.namespace, source.name);
      if (!found) return { reason: `the material of Secret ${source.namespace}/${source.name} is not available` };
      const options = {
        cert: found.chainPem ? `${found.certificatePem.trimEnd()}\n${found.chainPem}` : found.certificatePem,
        key: found.privateKeyPem,
        ...(clientCa !== undefined ? { ca: clientCa } : {}),
      };
      try {
        return { hosts: certificate.hosts, options, ...contexts.contextFor(options) };
      } catch {
        // The error text may quote the material; say only which Secret it was.
        return { reason: `Secret ${source.namespace}/${source.name} does not hold a certificate and key that TLS can use` };
      }
    }
  }
}
