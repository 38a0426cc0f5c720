/**
 * Validation of a kubernetes.io/tls Secret before any cloud sees it: PEM certificate chain, a private
 * key that matches the leaf, inside its validity period, of a key type and size the load balancer
 * accepts (RSA 1024–4096, ECDSA P-256/384/521, as ACM imports). Messages never include key material.
 * @module
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { BEGIN_CERTIFICATE, END_CERTIFICATE, pemCertificateBlocks } from '../sources/pem.js';

export type TlsSecretCheck = { ok: true; fingerprint: string; leaf: X509Certificate } | { ok: false; field: string; message: string };

const ACCEPTED_RSA_BITS = [1024, 2048, 3072, 4096];
const ACCEPTED_CURVES = ['prime256v1', 'secp384r1', 'secp521r1'];
function decode(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function keyProblem(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    return ACCEPTED_RSA_BITS.includes(details?.modulusLength ?? 0)
      ? undefined
      : `an RSA key of ${details?.modulusLength} bits; accepted: ${ACCEPTED_RSA_BITS.join(', ')}`;
  }
  if (key.asymmetricKeyType === 'ec') {
    return ACCEPTED_CURVES.includes(details?.namedCurve ?? '') ? undefined : `an EC key on curve ${details?.namedCurve}; accepted: P-256, P-384, P-521`;
  }
  return `a ${key.asymmetricKeyType} key; accepted: RSA and ECDSA`;
}

/**
 * The checks that do not depend on the time, per Secret object. Every member naming the Secret runs
 * them on every translation of its group, and parsing X.509 and the key is most of what a translate
 * costs (an EndpointSlice change translates its group too). A changed Secret is a new object (the
 * informers and the manifest source replace, never mutate), so it is parsed again.
 */
const parsedSecrets = new WeakMap<V1Secret, TlsSecretCheck>();

export function checkTlsSecret(secret: V1Secret, now: Date): TlsSecretCheck {
  let parsed = parsedSecrets.get(secret);
  if (!parsed) {
    parsed = parseTlsSecret(secret);
    parsedSecrets.set(secret, parsed);
  }
  if (!parsed.ok) return parsed;
  const { leaf } = parsed;
  if (now < leaf.validFromDate)
    return { ok: false, field: 'data["tls.crt"]', message: `the certificate is not valid before ${leaf.validFromDate.toISOString()}` };
  if (now > leaf.validToDate) return { ok: false, field: 'data["tls.crt"]', message: `the certificate expired on ${leaf.validToDate.toISOString()}` };
  return parsed;
}

function parseTlsSecret(secret: V1Secret): TlsSecretCheck {
  const certificatePem = decode(secret, 'tls.crt');
  const keyPem = decode(secret, 'tls.key');
  if (certificatePem === undefined) return { ok: false, field: 'data["tls.crt"]', message: 'has no tls.crt' };
  if (keyPem === undefined) return { ok: false, field: 'data["tls.key"]', message: 'has no tls.key' };
  const { blocks, unterminated } = pemCertificateBlocks(certificatePem);
  if (unterminated) {
    return { ok: false, field: 'data["tls.crt"]', message: `tls.crt has a "${BEGIN_CERTIFICATE}" line with no "${END_CERTIFICATE}" after it` };
  }
  if (blocks.length === 0) return { ok: false, field: 'data["tls.crt"]', message: 'tls.crt holds no PEM certificate' };
  let leaf: X509Certificate;
  try {
    [leaf] = blocks.map((block) => new X509Certificate(block)) as [X509Certificate];
  } catch {
    return { ok: false, field: 'data["tls.crt"]', message: 'tls.crt holds a PEM block that is not a valid X.509 certificate' };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return { ok: false, field: 'data["tls.key"]', message: 'tls.key is not an unencrypted PEM private key' };
  }
  const unacceptable = keyProblem(key);
  if (unacceptable) return { ok: false, field: 'data["tls.key"]', message: `tls.key is ${unacceptable}` };
  if (!leaf.checkPrivateKey(key)) {
    return { ok: false, field: 'data["tls.key"]', message: 'tls.key does not match the certificate in tls.crt (the first PEM block must be the leaf)' };
  }
  const fingerprint = createHash('sha256').update(certificatePem).update('\u0000').update(keyPem).digest('hex');
  return { ok: true, fingerprint, leaf };
}

/** The TLS hosts the certificate does not cover (a `*.` host is checked with a sample label). */
export function hostsNotCovered(leaf: X509Certificate, hosts: readonly string[]): string[] {
  return hosts.filter((host) => leaf.checkHost(host.startsWith('*.') ? `x${host.slice(1)}` : host) === undefined);
}
