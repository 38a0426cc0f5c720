/**
 * What the local load balancer cannot execute of a spec — a WAF web ACL, Shield Advanced, Cognito
 * login, listener attributes, target groups outside the cluster, a cloud trust store — and what it
 * cannot execute as configured (OIDC without the client secret, `verify` without a CA bundle, a
 * `routing.http2.enabled` that is neither true nor false). Never
 * silent: each is a diagnostic on the load balancer's member Ingresses, reported once — on the
 * apply that brings it, not again while it stays (the previous spec had the same note). Pure.
 * @module
 */
import type { Authentication, Diagnostic, LoadBalancerSpec, Severity } from '../../src/model.js';
import type { ClientSecretSource } from '../../src/provider.js';
import { listenerAuthentications } from './admission.js';
import { http2Setting } from './alpn.js';
import type { TrustStore } from './mutual-tls.js';

export interface FeatureContext {
  trustStore: TrustStore | undefined;
  clientSecrets: ClientSecretSource | undefined;
}

interface Note {
  severity: Severity;
  field: string;
  message: string;
}

const annotation = (key: string): string => `metadata.annotations["alb.ingress.kubernetes.io/${key}"]`;

/** The notes of `desired` that `previous` (the spec served until now) did not have. */
export function featureDiagnostics(desired: LoadBalancerSpec, previous: LoadBalancerSpec | undefined, context: FeatureContext): Diagnostic[] {
  const before = new Set((previous ? notesOf(previous, context) : []).map((note) => JSON.stringify(note)));
  return notesOf(desired, context)
    .filter((note) => !before.has(JSON.stringify(note)))
    .flatMap((note) => desired.stack.members.map((member) => ({ ...note, object: { kind: 'Ingress', namespace: member.namespace, name: member.name } })));
}

function notesOf(spec: LoadBalancerSpec, context: FeatureContext): Note[] {
  const notes: Note[] = [];
  const webAcl = spec.webAcl;
  if (webAcl && webAcl.kind !== 'none') {
    const named = webAcl.kind === 'arn' ? webAcl.arn : webAcl.name;
    notes.push({
      severity: 'info',
      field: annotation(webAcl.kind === 'arn' ? 'wafv2-acl-arn' : 'wafv2-acl-name'),
      message: `the local load balancer has no WAF: web ACL ${named} is not applied, and requests reach the targets unfiltered`,
    });
  }
  const http2 = http2Setting(spec.attributes);
  if (http2.problem !== undefined) {
    notes.push({
      severity: 'error',
      field: annotation('load-balancer-attributes'),
      message: `${http2.problem}: the cloud refuses the value; the local load balancer keeps offering HTTP/2`,
    });
  }
  if (spec.shieldAdvancedProtection === true) {
    notes.push({ severity: 'info', field: annotation('shield-advanced-protection'), message: 'the local load balancer has no Shield Advanced protection' });
  }
  const authentications = spec.listeners.flatMap(listenerAuthentications);
  if (authentications.some((each) => each.type === 'cognito')) {
    notes.push({
      severity: 'info',
      field: annotation('auth-idp-cognito'),
      message:
        "the local load balancer cannot log users in through Cognito (the user pool client secret is AWS's): rules with auth-on-unauthenticated-request allow are forwarded without user claims, the others get 401",
    });
  }
  for (const ref of uniqueSecretRefs(authentications)) {
    if (context.clientSecrets?.get(ref.namespace, ref.name)) continue;
    notes.push({
      severity: 'error',
      field: annotation('auth-idp-oidc'),
      message: `the client secret of Secret ${ref.namespace}/${ref.name} is not available to the local load balancer: OIDC logins through it fail with 500`,
    });
  }
  for (const listener of spec.listeners) {
    const mutual = listener.protocol === 'HTTPS' ? listener.mutualAuthentication : undefined;
    if (mutual?.mode === 'verify' && !context.trustStore) {
      notes.push({
        severity: 'error',
        field: annotation('mutual-authentication'),
        message: `port ${listener.port} verifies client certificates, but the local load balancer has no CA bundle (set --mtls-trust-store to a PEM file): it refuses every client there`,
      });
    } else if (mutual?.mode === 'verify' && mutual.trustStoreArn !== undefined) {
      notes.push({
        severity: 'info',
        field: annotation('mutual-authentication'),
        message: `port ${listener.port}: trust store ${mutual.trustStoreArn} is in the cloud; the local load balancer verifies client certificates against its own CA bundle (--mtls-trust-store)`,
      });
    }
    if (listener.attributes && Object.keys(listener.attributes).length > 0) {
      notes.push({
        severity: 'info',
        field: annotation(`listener-attributes.${listener.protocol}-${listener.port}`),
        message: `listener attributes (${Object.keys(listener.attributes).sort().join(', ')}) are not applied by the local load balancer`,
      });
    }
  }
  if ((spec.externalTargetGroups ?? []).length > 0) {
    notes.push({
      severity: 'info',
      field: 'metadata.annotations',
      message: `the local load balancer cannot reach target groups outside the cluster (${(spec.externalTargetGroups ?? []).map((group) => group.key).join(', ')}): the requests a forward sends to them get 503`,
    });
  }
  return notes;
}

function uniqueSecretRefs(authentications: readonly Authentication[]): { namespace: string; name: string }[] {
  const refs = new Map<string, { namespace: string; name: string }>();
  for (const each of authentications) {
    if (each.type === 'oidc') refs.set(`${each.clientSecretRef.namespace}/${each.clientSecretRef.name}`, each.clientSecretRef);
  }
  return [...refs.values()];
}
