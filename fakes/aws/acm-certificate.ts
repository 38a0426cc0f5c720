/**
 * ImportCertificate's checks on the material, after ACM's "Prerequisites for importing": PEM
 * only; one certificate in the Certificate field; an unencrypted private key of at most 5 KB that
 * matches it; an RSA or ECDSA key of a size ACM supports; valid now; a chain that includes the
 * issuer unless the certificate is self-signed. Every failure is a ValidationException.
 * @module
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from '@aws-sdk/client-acm';
import { acmError } from './errors.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;
const MAX_PRIVATE_KEY_BYTES = 5120;

interface ImportedMaterial {
  domainName: string;
  subjectAlternativeNames: string[];
  keyAlgorithm: KeyAlgorithm;
  notBefore: Date;
  notAfter: Date;
  serial: string;
  subject: string;
  issuer: string;
  certificatePem: string;
  chainPem?: string;
}

/** The SDK types blobs as Uint8Array; callers may also hand over a string. */
export function blobText(blob: Uint8Array | string | undefined): string {
  if (blob === undefined) return '';
  return typeof blob === 'string' ? blob : Buffer.from(blob).toString('utf8');
}

function parseCertificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw acmError('ValidationException', `Unable to parse the ${field}. Please ensure it is in PEM format.`);
  }
}

function parsePrivateKey(text: string): KeyObject {
  if (text.includes('ENCRYPTED')) throw acmError('ValidationException', 'The private key is encrypted; import an unencrypted key');
  const block = PRIVATE_KEY_BLOCK.exec(text)?.[0];
  if (block === undefined) throw acmError('ValidationException', 'Unable to parse the private key. Please ensure it is in PEM format.');
  if (Buffer.byteLength(text) > MAX_PRIVATE_KEY_BYTES) throw acmError('ValidationException', 'The private key is larger than 5 KB');
  try {
    return createPrivateKey(block);
  } catch {
    throw acmError('ValidationException', 'The private key is not supported');
  }
}

function keyAlgorithmOf(certificate: X509Certificate): KeyAlgorithm {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && [1024, 2048, 3072, 4096].includes(details.modulusLength ?? 0)) {
    return `RSA_${details.modulusLength}` as KeyAlgorithm;
  }
  if (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '')) {
    return `EC_${details.namedCurve}` as KeyAlgorithm;
  }
  throw acmError('ValidationException', `The certificate key algorithm (${key.asymmetricKeyType ?? 'unknown'}) is not supported`);
}

/** `CN=foo\nO=bar` (Node's format) → `CN=foo, O=bar`, as ACM prints a distinguished name. */
function distinguishedName(text: string): string {
  return text
    .split('\n')
    .filter((part) => part !== '')
    .join(', ');
}

function dnsNames(certificate: X509Certificate): { commonName: string | undefined; sans: string[] } {
  const commonName = /^CN=(.+)$/m.exec(certificate.subject)?.[1];
  const sans = (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return { commonName, sans };
}

export function checkImportedMaterial(input: { certificate: string; privateKey: string; chain: string; now: Date }): ImportedMaterial {
  const blocks = input.certificate.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw acmError('ValidationException', 'Unable to parse the certificate. Please ensure the certificate is in PEM format.');
  if (blocks.length > 1) {
    throw acmError('ValidationException', 'The certificate field contains more than one certificate. You can specify only one certificate in this field.');
  }
  const certificatePem = blocks[0] ?? '';
  const certificate = parseCertificate(certificatePem, 'certificate');
  const key = parsePrivateKey(input.privateKey);
  if (!certificate.checkPrivateKey(key)) throw acmError('ValidationException', 'The private key does not match the public key in the certificate');
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (input.now < notBefore) throw acmError('ValidationException', 'The certificate is not valid yet');
  if (input.now > notAfter) throw acmError('ValidationException', 'The certificate is expired');
  const keyAlgorithm = keyAlgorithmOf(certificate);

  const chainBlocks = input.chain.match(CERTIFICATE_BLOCK) ?? [];
  if (input.chain.trim() !== '' && chainBlocks.length === 0) {
    throw acmError('ValidationException', 'Unable to parse the certificate chain. Please ensure it is in PEM format.');
  }
  const chain = chainBlocks.map((pem) => parseCertificate(pem, 'certificate chain'));
  const selfSigned = certificate.issuer === certificate.subject && certificate.checkIssued(certificate);
  if (!selfSigned && !chain.some((candidate) => certificate.checkIssued(candidate))) {
    throw acmError('ValidationException', 'Could not validate the certificate with the certificate chain');
  }

  const { commonName, sans } = dnsNames(certificate);
  const domainName = commonName ?? sans[0];
  if (domainName === undefined) throw acmError('ValidationException', 'The certificate has no domain name in its subject or subject alternative names');
  const material: ImportedMaterial = {
    domainName,
    subjectAlternativeNames: [...new Set([domainName, ...sans])],
    keyAlgorithm,
    notBefore,
    notAfter,
    serial: (certificate.serialNumber.match(/../g) ?? []).join(':').toLowerCase(),
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    certificatePem,
  };
  if (chainBlocks.length > 0) material.chainPem = chainBlocks.join('\n');
  return material;
}
