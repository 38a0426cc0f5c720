/**
 * Mutual TLS on HTTPS listeners (`mutual-authentication`), as the ALB does it ("Mutual
 * authentication with TLS in Application Load Balancer"):
 * - `off`: no client certificate is asked for;
 * - `passthrough`: a client certificate is asked for but not checked, and the chain the client sent
 *   goes to the target in `X-Amzn-Mtls-Clientcert` (URL-encoded PEM, `+`, `=` and `/` left as they
 *   are); a client without one is served without the header;
 * - `verify`: the client must present a certificate that chains to the trust store, else its
 *   connection is closed; `ignoreClientCertificateExpiry` lets an expired one through. The target
 *   gets the leaf's serial number, issuer, subject, validity and PEM in
 *   `X-Amzn-Mtls-Clientcert-{Serial-Number,Issuer,Subject,Validity,Leaf}`.
 *
 * The trust store of the cloud (an ELBv2 trust store ARN) cannot be read here: the local load
 * balancer verifies against one CA bundle of its own, the PEM file of the `mtlsTrustStore` setting
 * (`--mtls-trust-store`). Without it, a `verify` listener refuses every client — it never falls back
 * to Node's public root CAs, which would admit any publicly issued certificate.
 *
 * The chain is checked by OpenSSL during the handshake (the port's TLS contexts carry the bundle as
 * `ca`, tls.ts); this module only reads the verdict and the certificates from the TLS socket, with
 * node:crypto's X509Certificate: nothing is parsed or verified by hand.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { ListenerSpec, MutualAuthentication } from '../../src/model.js';

export type MutualTlsMode = MutualAuthentication['mode'];

export interface TrustStore {
  /** The bundle as read, for the TLS contexts' `ca`. */
  pem: string;
  /** The CAs' subjects, for messages. */
  subjects: string[];
}

/** Headers a client must never set itself: only the load balancer speaks for a client certificate. */
export const MTLS_HEADER_PREFIX = 'x-amzn-mtls-';

export function modeOf(listener: Pick<ListenerSpec, 'protocol' | 'mutualAuthentication'>): MutualTlsMode {
  return listener.protocol === 'HTTPS' ? (listener.mutualAuthentication?.mode ?? 'off') : 'off';
}

/** Reads and checks the CA bundle; a problem names the file and what is wrong with it. */
export function readTrustStore(path: string): { ok: true; store: TrustStore } | { ok: false; problem: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const parsed = parseTrustStore(pem);
  return parsed.ok ? parsed : { ok: false, problem: `${path}: ${parsed.problem}` };
}

export function parseTrustStore(pem: string): { ok: true; store: TrustStore } | { ok: false; problem: string } {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, problem: 'holds no PEM certificate' };
  const subjects: string[] = [];
  for (const [index, block] of blocks.entries()) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch {
      return { ok: false, problem: `certificate ${index} cannot be parsed` };
    }
    if (!certificate.ca) return { ok: false, problem: `certificate ${index} (${rfc2253(certificate.subject)}) is not a CA certificate` };
    subjects.push(rfc2253(certificate.subject));
  }
  return { ok: true, store: { pem: blocks.join('\n'), subjects } };
}

/** Whether a connection (or a request on it) may reach a listener of this mode. */
export function clientCertificateAllowed(
  authentication: MutualAuthentication | undefined,
  socket: Pick<TLSSocket, 'authorized' | 'authorizationError' | 'getPeerCertificate'>,
  trustStore: TrustStore | undefined,
): boolean {
  if (authentication?.mode !== 'verify') return true;
  if (!trustStore || !hasPeerCertificate(socket)) return false;
  if (socket.authorized) return true;
  return authentication.ignoreClientCertificateExpiry === true && String(socket.authorizationError) === 'CERT_HAS_EXPIRED';
}

/** The headers the target gets about the client's certificate in this mode (none for `off`). */
export function clientCertificateHeaders(mode: MutualTlsMode, socket: Pick<TLSSocket, 'getPeerCertificate'>): Record<string, string> {
  if (mode === 'off' || !hasPeerCertificate(socket)) return {};
  const chain = presentedChain(socket.getPeerCertificate(true));
  const leaf = chain[0];
  if (!leaf) return {};
  if (mode === 'passthrough') return { 'x-amzn-mtls-clientcert': urlEncodePem(chain.map((certificate) => certificate.toString()).join('')) };
  return {
    'x-amzn-mtls-clientcert-serial-number': leaf.serialNumber,
    'x-amzn-mtls-clientcert-issuer': rfc2253(leaf.issuer),
    'x-amzn-mtls-clientcert-subject': rfc2253(leaf.subject),
    'x-amzn-mtls-clientcert-validity': `NotBefore=${isoSeconds(leaf.validFromDate)};NotAfter=${isoSeconds(leaf.validToDate)}`,
    'x-amzn-mtls-clientcert-leaf': urlEncodePem(leaf.toString()),
  };
}

/** Node gives `{}` for a client that sent no certificate, whatever its types say. */
function hasPeerCertificate(socket: Pick<TLSSocket, 'getPeerCertificate'>): boolean {
  const certificate: Partial<PeerCertificate> = socket.getPeerCertificate();
  return Buffer.isBuffer(certificate.raw);
}

/** The leaf and its issuers as the TLS socket links them, each once (a self-signed root links to itself). */
function presentedChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: Partial<DetailedPeerCertificate> | undefined = peer;
  while (current?.raw && current.fingerprint256 !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}

/** URL-encoding with `+`, `=` and `/` as safe characters, as the ALB encodes the PEM. */
export function urlEncodePem(pem: string): string {
  return encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/');
}

/** Node gives a name one attribute per line, most significant first; RFC 2253 writes them in reverse, comma-separated. */
function rfc2253(name: string): string {
  return name
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(',');
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
