/**
 * The admission webhook's certificates, so that no cert-manager is needed: a CA of our own, and a
 * serving certificate it signs for the webhook Service's DNS names. The API server trusts the CA
 * through the webhook configuration's caBundle.
 *
 * Lifetimes and rotation. The CA lives 10 years, the serving certificate 1 year; each is replaced
 * once less than a third of its lifetime is left, so there is ample time for every replica to pick up
 * the new one. A new serving certificate is signed by the same CA, so the caBundle need not change
 * and the old and new certificates are both trusted while replicas switch. When the CA itself is
 * replaced, the caBundle carries the new and the old CA until the old one expires.
 *
 * Keys come from node:crypto; node:crypto cannot create certificates, so node-forge builds and signs
 * them (zero dependencies, widely used; @peculiar/x509 needs a global Reflect polyfill, pkijs has us
 * assemble the ASN.1 ourselves). node:crypto reads and verifies them.
 *
 * node-forge is loaded by `require` on the first certificate made, not at start: it is pure
 * JavaScript and large (~10 MiB of RSS imported into a bare Node 24), and a replica that finds sound
 * certificates in the Secret — every start but the first install's, and every hourly check — only
 * reads and verifies them, which node:crypto does.
 * @module
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { pemCertificateBlocks } from '../sources/pem.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const CA_LIFETIME_MS = 3650 * DAY_MS;
export const SERVING_LIFETIME_MS = 365 * DAY_MS;
/** Backdated, so a node whose clock is a little behind does not see a certificate from the future. */
const BACKDATE_MS = 60 * 60 * 1000;

/** What the Secret holds. `caPem` may hold several CAs, the current one first. */
export interface WebhookCertificates {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

/** The names the serving certificate is for: every way a client in the cluster names the Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

interface KeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

/** A positive 128-bit serial, as RFC 5280 asks (at most 20 octets, non-negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

let forgeModule: typeof Forge | undefined;
function loadForge(): typeof Forge {
  forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof Forge;
  return forgeModule;
}

interface Issued {
  certPem: string;
  keyPem: string;
}

function sign(options: {
  subject: string;
  keys: KeyPair;
  issuer?: { certPem: string; keyPem: string };
  now: Date;
  lifetimeMs: number;
  extensions: object[];
}): string {
  const forge = loadForge();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(options.keys.publicKeyPem);
  certificate.serialNumber = serialNumber();
  certificate.validity.notBefore = new Date(options.now.getTime() - BACKDATE_MS);
  certificate.validity.notAfter = new Date(options.now.getTime() + options.lifetimeMs);
  const subject = [{ name: 'commonName', value: options.subject }];
  certificate.setSubject(subject);
  const issuer = options.issuer ? forge.pki.certificateFromPem(options.issuer.certPem) : undefined;
  certificate.setIssuer(issuer ? issuer.subject.attributes : subject);
  const authorityKey = (issuer ?? certificate).generateSubjectKeyIdentifier().getBytes();
  certificate.setExtensions([...options.extensions, { name: 'subjectKeyIdentifier' }, { name: 'authorityKeyIdentifier', keyIdentifier: authorityKey }]);
  certificate.sign(forge.pki.privateKeyFromPem(options.issuer?.keyPem ?? options.keys.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
}

function issueCa(now: Date, name = 'ingress-bridge-webhook-ca'): Issued {
  const keys = newKeyPair();
  const certPem = sign({
    subject: name,
    keys,
    now,
    lifetimeMs: CA_LIFETIME_MS,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem, keyPem: keys.privateKeyPem };
}

function issueServing(ca: Issued, dnsNames: readonly string[], now: Date): Issued {
  const keys = newKeyPair();
  const certPem = sign({
    subject: dnsNames.at(-2) ?? dnsNames[0] ?? 'webhook',
    keys,
    issuer: ca,
    now,
    lifetimeMs: SERVING_LIFETIME_MS,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
    ],
  });
  return { certPem, keyPem: keys.privateKeyPem };
}

/** What the material needs: nothing, a new serving certificate from the same CA, or a new CA (and serving certificate). */
export type CertificateRenewal = 'keep' | 'serving' | 'ca';

/** When less than a third of its lifetime is left: time to replace it, in epoch milliseconds. */
function renewalTime(certificate: X509Certificate): number {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return to - (to - from) / 3;
}

function dueForRenewal(certificate: X509Certificate, now: Date): boolean {
  return now.getTime() >= renewalTime(certificate);
}

function parse(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(certificate: X509Certificate, keyPem: string): boolean {
  try {
    return certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** Every certificate in a PEM bundle, in order. */
export function splitPem(bundle: string): string[] {
  return pemCertificateBlocks(bundle).blocks;
}

/** What to do with stored material (undefined: none stored) for these DNS names at this moment. */
export function renewalNeeded(material: WebhookCertificates | undefined, dnsNames: readonly string[], now: Date): CertificateRenewal {
  const ca = material && parse(splitPem(material.caPem)[0] ?? '');
  if (!material || !ca || !ca.ca || !keyMatches(ca, material.caKeyPem) || dueForRenewal(ca, now)) return 'ca';
  const serving = parse(material.certPem);
  const valid =
    serving &&
    serving.verify(ca.publicKey) &&
    keyMatches(serving, material.keyPem) &&
    dnsNames.every((name) => serving.checkHost(name, { wildcards: false, subject: 'never' }) === name);
  return valid && !dueForRenewal(serving, now) ? 'keep' : 'serving';
}

/** The material after a renewal: a new CA goes first in the bundle, the previous CA stays until it expires. */
export function renew(material: WebhookCertificates | undefined, renewal: CertificateRenewal, dnsNames: readonly string[], now: Date): WebhookCertificates {
  if (renewal === 'keep' && material) return material;
  if (renewal === 'serving' && material) {
    const serving = issueServing({ certPem: splitPem(material.caPem)[0] ?? '', keyPem: material.caKeyPem }, dnsNames, now);
    return { ...material, certPem: serving.certPem, keyPem: serving.keyPem };
  }
  const ca = issueCa(now);
  const serving = issueServing(ca, dnsNames, now);
  const previous = material ? splitPem(material.caPem).filter((pem) => stillValid(pem, now)) : [];
  return { caPem: [ca.certPem, ...previous].map((pem) => pem.trim()).join('\n') + '\n', caKeyPem: ca.keyPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

function stillValid(pem: string, now: Date): boolean {
  const certificate = parse(pem);
  return certificate !== undefined && Date.parse(certificate.validTo) > now.getTime();
}

/** The caBundle the webhook configuration should carry: the CAs of the material that have not expired. */
export function caBundle(material: WebhookCertificates, now: Date): string {
  return (
    splitPem(material.caPem)
      .filter((pem) => stillValid(pem, now))
      .map((pem) => pem.trim())
      .join('\n') + '\n'
  );
}

/** When the material next needs a renewal: the earlier of its CA's and its serving certificate's. */
export function renewalDueAt(material: WebhookCertificates): Date {
  const due = [splitPem(material.caPem)[0] ?? '', material.certPem].map((pem) => {
    const certificate = parse(pem);
    return certificate ? renewalTime(certificate) : 0;
  });
  return new Date(Math.min(...due));
}
