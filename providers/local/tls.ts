/**
 * Certificates for an HTTPS port, chosen per connection by SNI: the certificate whose hosts name the
 * server name exactly, else one whose `*.` wildcard covers it (one label), else the listener's
 * default certificate (its first certificate key). Stacks sharing the port are searched in stack-id
 * order; the default is that of the first stack that has one.
 *
 * The table is rebuilt on apply and read by the server's SNICallback on every handshake, so a
 * certificate changes without the server being re-created. Only `secret` certificates can be served
 * here: `arn` and `discover` ones live in a cloud's certificate store.
 * @module
 */
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { CertificateSpec, ListenerSpec, LoadBalancerSpec } from '../../src/model.js';
import type { CertificateMaterialSource } from '../../src/provider.js';

interface LoadedCertificate {
  hosts: readonly string[];
  options: SecureContextOptions;
  context: SecureContext;
}

export class CertificateTable {
  private readonly exact = new Map<string, SecureContext>();
  private readonly wildcard = new Map<string, SecureContext>();
  /** For clients that send no server name (e.g. to an IP address): the server's own context. */
  readonly defaultOptions: SecureContextOptions | undefined;
  private readonly defaultContext: SecureContext | undefined;

  constructor(certificates: readonly LoadedCertificate[], defaultCertificate: LoadedCertificate | undefined) {
    for (const certificate of certificates) {
      for (const host of certificate.hosts) {
        const table = host.startsWith('*.') ? this.wildcard : this.exact;
        const name = host.startsWith('*.') ? host.slice(2) : host;
        if (!table.has(name)) table.set(name, certificate.context);
      }
    }
    this.defaultOptions = defaultCertificate?.options;
    this.defaultContext = defaultCertificate?.context;
  }

  select(serverName: string): SecureContext | undefined {
    const name = serverName.toLowerCase();
    const parent = name.slice(name.indexOf('.') + 1);
    return this.exact.get(name) ?? (name.includes('.') ? this.wildcard.get(parent) : undefined) ?? this.defaultContext;
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
): { certificates: LoadedCertificate[]; problems: CertificateProblem[] } {
  const certificates: LoadedCertificate[] = [];
  const problems: CertificateProblem[] = [];
  for (const key of listener.certificateKeys) {
    const certificate = spec.certificates.find((candidate) => candidate.key === key);
    if (!certificate) continue;
    const loaded = loadCertificate(certificate, material);
    if ('reason' in loaded) problems.push({ certificate, reason: loaded.reason });
    else certificates.push(loaded);
  }
  return { certificates, problems };
}

/** Builds the table for a port from its stacks' HTTPS listeners, given in stack-id order. */
export function buildCertificateTable(
  listeners: readonly { spec: LoadBalancerSpec; listener: ListenerSpec }[],
  material: CertificateMaterialSource,
): CertificateTable {
  const all = listeners.map(({ spec, listener }) => loadListenerCertificates(spec, listener, material).certificates);
  return new CertificateTable(all.flat(), all.find((certificates) => certificates.length > 0)?.[0]);
}

function loadCertificate(certificate: CertificateSpec, material: CertificateMaterialSource): LoadedCertificate | { reason: string } {
  const { source } = certificate;
  switch (source.kind) {
    case 'arn':
      return { reason: `certificate ${source.arn} is in a cloud certificate store, which the local load balancer cannot read; give the certificate as a kubernetes.io/tls Secret in spec.tls to serve it locally` };
    case 'discover':
      return { reason: `no Secret is named for hosts ${certificate.hosts.join(', ') || '(none)'}, and the local load balancer cannot discover certificates; set spec.tls[].secretName` };
    case 'secret': {
      const found = material.get(source.namespace, source.name);
      if (!found) return { reason: `the material of Secret ${source.namespace}/${source.name} is not available` };
      const options: SecureContextOptions = {
        cert: found.chainPem ? `${found.certificatePem.trimEnd()}\n${found.chainPem}` : found.certificatePem,
        key: found.privateKeyPem,
      };
      try {
        return { hosts: certificate.hosts, options, context: createSecureContext(options) };
      } catch {
        // The error text may quote the material; say only which Secret it was.
        return { reason: `Secret ${source.namespace}/${source.name} does not hold a certificate and key that TLS can use` };
      }
    }
  }
}
