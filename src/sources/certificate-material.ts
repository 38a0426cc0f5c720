/**
 * TLS material for providers, read from the Snapshot only when a provider installs a certificate,
 * so that it never travels through specs, plans or logs.
 * @module
 */
import type { CertificateMaterial, CertificateMaterialSource } from '../provider.js';
import { pemCertificateBlocks } from './pem.js';
import type { SnapshotView } from './snapshot.js';

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** Splits tls.crt into the leaf (first block) and the chain (the rest), as certificate stores want. */
function splitCertificateChain(pem: string): { certificatePem: string; chainPem: string } {
  const { blocks } = pemCertificateBlocks(pem);
  return {
    certificatePem: blocks[0]?.trim() ?? '',
    chainPem: blocks
      .slice(1)
      .map((block) => block.trim())
      .join('\n'),
  };
}

/** Reads from whatever Snapshot is current when asked (the runtime swaps it on every change). */
export function snapshotCertificates(current: () => SnapshotView): CertificateMaterialSource {
  return {
    get(namespace: string, name: string): CertificateMaterial | undefined {
      const secret = current().secret(namespace, name);
      const certificate = decode(secret?.data?.['tls.crt']);
      const privateKeyPem = decode(secret?.data?.['tls.key']);
      if (certificate === undefined || privateKeyPem === undefined) return undefined;
      return { ...splitCertificateChain(certificate), privateKeyPem };
    },
  };
}
