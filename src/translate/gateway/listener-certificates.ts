/**
 * An HTTPS listener's `tls.certificateRefs` → the certificates it serves: core TLS Secrets, in the
 * Gateway's namespace or granted by a ReferenceGrant, checked as an Ingress's are; and the
 * certificates a load balancer carries, each Secret once with the hosts of every listener using it.
 * @module
 */
import type { CertificateSpec, ListenerSpec } from '../../model.js';
import type { GatewayListener } from '../../sources/gateway-kinds.js';
import { GATEWAY_API_GROUP } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import { checkTlsSecret } from '../tls-secret.js';
import { referenceGranted } from './reference-grants.js';
import { REASON } from './status.js';

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface ListenerCertificates {
  certificates: CertificateSpec[];
  /** The first problem, for the listener's ResolvedRefs condition, and every problem's message. */
  problem?: { reason: string; message: string; all: string[] };
}

export function collectListenerCertificates(
  snapshot: SnapshotView,
  listener: GatewayListener,
  hostname: string | undefined,
  namespace: string,
  field: string,
  now: Date,
): ListenerCertificates {
  const refs = listener.tls?.certificateRefs ?? [];
  const certificates: CertificateSpec[] = [];
  const problems: { reason: string; message: string }[] = [];
  if (refs.length === 0) problems.push({ reason: REASON.invalidCertificateRef, message: 'an HTTPS listener needs tls.certificateRefs' });
  refs.forEach((ref, index) => {
    const at = `${field}.tls.certificateRefs[${index}]`;
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
      problems.push({ reason: REASON.invalidCertificateRef, message: `${at}: only core Secrets are certificate references` });
      return;
    }
    const secretNamespace = ref.namespace ?? namespace;
    const name = ref.name ?? '';
    if (
      secretNamespace !== namespace &&
      !referenceGranted(snapshot, { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace }, { group: '', kind: 'Secret', namespace: secretNamespace, name })
    ) {
      problems.push({
        reason: REASON.refNotPermitted,
        message: `${at}: Secret ${secretNamespace}/${name} is in another namespace and no ReferenceGrant there allows Gateways of ${namespace} to refer to it`,
      });
      return;
    }
    const secret = snapshot.secret(secretNamespace, name);
    if (!secret) {
      problems.push({ reason: REASON.invalidCertificateRef, message: `${at}: Secret ${secretNamespace}/${name} does not exist` });
      return;
    }
    if (secret.type !== undefined && secret.type !== TLS_SECRET_TYPE) {
      problems.push({
        reason: REASON.invalidCertificateRef,
        message: `${at}: Secret ${secretNamespace}/${name} is of type ${secret.type}, not ${TLS_SECRET_TYPE}`,
      });
      return;
    }
    const check = checkTlsSecret(secret, now);
    if (!check.ok) {
      problems.push({
        reason: REASON.invalidCertificateRef,
        message: `${at}: Secret ${secretNamespace}/${name}${check.field ? ` ${check.field}` : ''}: ${check.message}`,
      });
      return;
    }
    // The same key as an Ingress's: one import per Secret, whichever API names it.
    certificates.push({
      key: `secret:${secretNamespace}/${name}`,
      source: { kind: 'secret', namespace: secretNamespace, name },
      hosts: hostname ? [hostname] : [],
      fingerprint: check.fingerprint,
    });
  });
  const [first] = problems;
  return { certificates, ...(first && { problem: { ...first, all: problems.map((entry) => entry.message) } }) };
}

/** The certificates the spec's listeners name, each once, with the hosts of every listener that serves it. */
export function servedCertificates(certificates: readonly CertificateSpec[], listeners: readonly ListenerSpec[]): CertificateSpec[] {
  const keys = new Set(listeners.flatMap((listener) => listener.certificateKeys));
  const served = new Map<string, CertificateSpec>();
  for (const certificate of certificates) {
    if (!keys.has(certificate.key)) continue;
    const existing = served.get(certificate.key);
    if (existing) existing.hosts = [...new Set([...existing.hosts, ...certificate.hosts])];
    else served.set(certificate.key, { ...certificate, hosts: [...certificate.hosts] });
  }
  return [...served.values()];
}
