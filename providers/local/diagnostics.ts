/**
 * What an apply could not do, as diagnostics on the stack's member Ingresses: a port that cannot be
 * bound, a certificate that cannot be served locally. Each is reported on the apply that brings the
 * change, not on every reconcile.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, Severity } from '../../src/model.js';
import type { CertificateMaterialSource } from '../../src/provider.js';
import { DEFAULT_SSL_POLICY, resolveSslPolicy } from './ssl-policies.js';
import { loadListenerCertificates, type CertificateContexts } from './tls.js';

function onMembers(spec: LoadBalancerSpec, entry: { severity: Severity; field: string; message: string }): Diagnostic[] {
  return spec.stack.members.map((member) => ({ ...entry, object: { kind: 'Ingress', namespace: member.namespace, name: member.name } }));
}

export function listenerDiagnostics(spec: LoadBalancerSpec, specPort: number, error: string): Diagnostic[] {
  const setting = specPort === 80 ? ' (choose another with --http-port)' : specPort === 443 ? ' (choose another with --https-port)' : '';
  return onMembers(spec, {
    severity: 'error',
    field: 'spec',
    message: `the local load balancer does not serve port ${specPort}: ${error}${setting}; the other ports keep serving`,
  });
}

/** One diagnostic per member for each certificate of the stack's HTTPS listeners that cannot be served. */
export function certificateDiagnostics(spec: LoadBalancerSpec, material: CertificateMaterialSource, contexts: CertificateContexts): Diagnostic[] {
  const reported = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const listener of spec.listeners) {
    for (const { certificate, reason } of loadListenerCertificates(spec, listener, material, contexts).problems) {
      if (reported.has(certificate.key)) continue;
      reported.add(certificate.key);
      const fromAnnotation = certificate.source.kind === 'arn';
      diagnostics.push(
        ...onMembers(spec, {
          severity: certificate.source.kind === 'secret' ? 'error' : 'warning',
          field: fromAnnotation ? 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]' : 'spec.tls',
          message: `${reason}; clients asking for its hosts get the listener's default certificate`,
        }),
      );
    }
  }
  return diagnostics;
}

/** A warning per member for each HTTPS listener whose ssl-policy the local load balancer does not know. */
export function sslPolicyDiagnostics(spec: LoadBalancerSpec): Diagnostic[] {
  return spec.listeners
    .filter((listener) => listener.protocol === 'HTTPS' && !resolveSslPolicy(listener.sslPolicy).known)
    .flatMap((listener) =>
      onMembers(spec, {
        severity: 'warning',
        field: 'metadata.annotations["alb.ingress.kubernetes.io/ssl-policy"]',
        message: `ssl-policy ${JSON.stringify(listener.sslPolicy)} of port ${listener.port} is not a predefined ELBSecurityPolicy the local load balancer knows; it serves ${DEFAULT_SSL_POLICY} instead`,
      }),
    );
}
