/**
 * An Ingress's certificates: each spec.tls entry with a Secret (validated here, so a bad Secret is a
 * diagnostic on the Ingress and never reaches the cloud), entries without one (the provider looks
 * for an issued certificate covering the hosts), and certificate-arn annotations.
 * @module
 */
import type { CertificateSpec, Diagnostic } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import { ingressDiagnostic } from './diagnostics.js';
import type { GroupMember } from './groups.js';
import { parseHost } from './hosts.js';
import { checkTlsSecret, hostsNotCovered } from './tls-secret.js';

export interface MemberCertificates {
  certificates: CertificateSpec[];
}

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export function collectCertificates(snapshot: SnapshotView, member: GroupMember, now: Date): MemberCertificates & { diagnostics: Diagnostic[] } {
  const { ingress, ref } = member;
  const byKey = new Map<string, CertificateSpec>();
  const diagnostics: Diagnostic[] = [];
  const add = (certificate: CertificateSpec): void => {
    const existing = byKey.get(certificate.key);
    if (existing) existing.hosts = [...new Set([...existing.hosts, ...certificate.hosts])];
    else byKey.set(certificate.key, certificate);
  };

  (ingress.spec?.tls ?? []).forEach((entry, index) => {
    const field = `spec.tls[${index}]`;
    const hosts: string[] = [];
    (entry.hosts ?? []).forEach((raw, hostIndex) => {
      const parsed = parseHost(raw);
      if (parsed.ok && parsed.host) hosts.push(parsed.host);
      else if (!parsed.ok)
        diagnostics.push(ingressDiagnostic(ingress, `${field}.hosts[${hostIndex}]`, 'error', `${parsed.message}; the host is left out of the certificate`));
    });
    if (!entry.secretName) {
      add({ key: `discover:${hosts.join(',')}`, source: { kind: 'discover' }, hosts });
      return;
    }
    const secretName = `${ref.namespace}/${entry.secretName}`;
    const secret = snapshot.secret(ref.namespace, entry.secretName);
    const problem = (message: string, secretField?: string): void => {
      diagnostics.push(
        ingressDiagnostic(
          ingress,
          `${field}.secretName`,
          'error',
          `Secret ${secretName}${secretField ? ` ${secretField}` : ''}: ${message}; its hosts get no certificate from it`,
        ),
      );
    };
    if (!secret) {
      problem('does not exist');
      return;
    }
    if (secret.type !== undefined && secret.type !== TLS_SECRET_TYPE) {
      diagnostics.push(
        ingressDiagnostic(
          ingress,
          `${field}.secretName`,
          'warning',
          `Secret ${secretName} is of type ${secret.type}, not ${TLS_SECRET_TYPE}; its tls.crt and tls.key are used`,
        ),
      );
    }
    const check = checkTlsSecret(secret, now);
    if (!check.ok) {
      problem(check.message, check.field);
      return;
    }
    const uncovered = hostsNotCovered(check.leaf, hosts);
    if (uncovered.length > 0) {
      diagnostics.push(
        ingressDiagnostic(
          ingress,
          `${field}.hosts`,
          'warning',
          `the certificate in Secret ${secretName} does not cover ${uncovered.join(', ')}; clients will reject it for those hosts`,
        ),
      );
    }
    add({ key: `secret:${secretName}`, source: { kind: 'secret', namespace: ref.namespace, name: entry.secretName }, hosts, fingerprint: check.fingerprint });
  });

  for (const arn of member.annotations.certificateArns) add({ key: `arn:${arn}`, source: { kind: 'arn', arn }, hosts: [] });
  return { certificates: [...byKey.values()], diagnostics };
}
