/**
 * Certificates for mutual TLS tests: a CA (written to a PEM file, as the local provider's
 * `mtlsTrustStore` setting wants it), client certificates it signed, and one from a stranger CA.
 * Made with the system's openssl through the AWS fake's fixture helper, like the other test
 * certificates.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCertificate, type TestCertificate } from '../../fakes/aws/fixtures.js';

export interface MutualTlsFixture {
  ca: TestCertificate;
  /** The CA's certificate in a file of its own: the trust store. */
  trustStorePath: string;
  client: TestCertificate;
  /** Signed by a CA the trust store does not hold. */
  strangerClient: TestCertificate;
  remove(): void;
}

export function mutualTlsFixture(): MutualTlsFixture {
  const directory = mkdtempSync(join(tmpdir(), 'ingress-bridge-mtls-'));
  const ca = testCertificate({ commonName: 'Test Client CA' });
  const client = testCertificate({ commonName: 'client-a', issuer: ca });
  const strangerClient = testCertificate({ commonName: 'client-b', issuer: testCertificate({ commonName: 'Stranger CA' }) });
  const trustStorePath = join(directory, 'trust-store.pem');
  writeFileSync(trustStorePath, ca.certificatePem);
  return { ca, trustStorePath, client, strangerClient, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
