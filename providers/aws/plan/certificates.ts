/**
 * ACM certificates imported from kubernetes.io/tls Secrets, and the references a stack's listeners
 * use for every certificate its spec names.
 *
 * One import per Secret per cluster, shared by every stack whose Ingresses name that Secret: ACM
 * limits imports (2,500 certificates, 5,000 imports a year), and one Secret is one certificate. So a
 * certificate is found by cluster and Secret, not by stack, and each stack that uses it adds a tag
 * `ingress-bridge.io/used-by/<hash of stack id>` = stack id. A stack that lets go removes its tag; the
 * last one deletes the certificate instead (its tags go with it, so a crash in between leaves a tag
 * behind, never an orphan). Cleanup runs after the listeners let go; while ACM still sees the
 * certificate attached, DeleteCertificate fails with ResourceInUseException and is retried on a later
 * reconcile (see isStillInUse). A certificate with no user tag left — two stacks let go at once — is
 * deleted by whichever stack sees it next.
 *
 * A rotated Secret (fingerprint tag differs) is reimported in place under the same ARN, so listeners
 * never lose it; ACM takes no tags on reimport, so AddTagsToCertificate records the new fingerprint
 * afterwards (a crash in between costs one more reimport, nothing else).
 *
 * Key material is never in a plan: ImportCertificate carries the Secret's name, and apply reads the
 * material from the CertificateMaterialSource when it sends the call.
 * @module
 */
import type { CertificateSpec, LoadBalancerSpec } from '../../../src/model.js';
import type { ObservedCertificate } from '../observe/certificates.js';
import type { AwsOperation, References } from './operations.js';
import { certificateRef } from './resource-ids.js';
import { CERTIFICATE_RESOURCE_PREFIX, FINGERPRINT_TAG, ownershipTags, SECRET_TAG, usedByTagKey } from './tags.js';

export function planCertificates(
  spec: LoadBalancerSpec | undefined,
  observed: readonly ObservedCertificate[],
  clusterName: string,
  stackId: string,
): { create: AwsOperation[]; cleanup: AwsOperation[]; references: References } {
  const create: AwsOperation[] = [];
  const references: References = new Map();
  const imports = importsByKey(observed);
  const kept = new Set<ObservedCertificate>();

  for (const certificate of spec?.certificates ?? []) {
    const ref = certificateRef(certificate.key);
    const { source } = certificate;
    if (source.kind === 'arn') {
      references.set(ref, source.arn);
    } else if (source.kind === 'discover') {
      const found = observed.find((candidate) => candidate.key === certificate.key && candidate.secret === undefined);
      if (found) references.set(ref, found.arn);
    } else {
      const secret = { namespace: source.namespace, name: source.name };
      const existing = imports.get(certificate.key)?.[0];
      if (existing) {
        kept.add(existing);
        references.set(ref, existing.arn);
        create.push(...keepImport(certificate, secret, existing, stackId));
      } else {
        create.push(importCertificate(certificate, secret, clusterName, stackId));
      }
    }
  }

  const cleanup = [...imports.values()]
    .flat()
    .filter((certificate) => !kept.has(certificate))
    .flatMap((certificate) => release(certificate, stackId));
  return { create, cleanup, references };
}

/**
 * Imports by key, the lowest ARN first: if a crash ever left two imports of one Secret, every stack
 * settles on the same one and lets go of the others.
 */
function importsByKey(observed: readonly ObservedCertificate[]): Map<string, ObservedCertificate[]> {
  const byKey = new Map<string, ObservedCertificate[]>();
  for (const certificate of observed) {
    if (certificate.secret === undefined) continue;
    byKey.set(certificate.key, [...(byKey.get(certificate.key) ?? []), certificate]);
  }
  for (const list of byKey.values()) list.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return byKey;
}

function importCertificate(certificate: CertificateSpec, secret: { namespace: string; name: string }, clusterName: string, stackId: string): AwsOperation {
  const tags = {
    ...ownershipTags(clusterName, stackId, `${CERTIFICATE_RESOURCE_PREFIX}${certificate.key}`),
    [SECRET_TAG]: `${secret.namespace}/${secret.name}`,
    [FINGERPRINT_TAG]: certificate.fingerprint ?? '',
    [usedByTagKey(stackId)]: stackId,
  };
  return {
    action: 'ImportCertificate',
    resource: `${CERTIFICATE_RESOURCE_PREFIX}${certificate.key}`,
    detail: {
      service: 'acm',
      input: { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      secret,
      produces: { ref: certificateRef(certificate.key), outputPath: 'CertificateArn' },
    },
  };
}

/** Reimport when the Secret changed; record the fingerprint and this stack's use in one tagging call. */
function keepImport(certificate: CertificateSpec, secret: { namespace: string; name: string }, existing: ObservedCertificate, stackId: string): AwsOperation[] {
  const resource = `${CERTIFICATE_RESOURCE_PREFIX}${certificate.key}`;
  const fingerprint = certificate.fingerprint ?? '';
  const rotated = existing.fingerprint !== fingerprint;
  const operations: AwsOperation[] = [];
  if (rotated) {
    operations.push({
      action: 'ImportCertificate',
      resource,
      detail: { service: 'acm', input: { CertificateArn: existing.arn }, secret },
    });
  }
  const tags = [
    ...(rotated ? [{ Key: FINGERPRINT_TAG, Value: fingerprint }] : []),
    ...(existing.inUse ? [] : [{ Key: usedByTagKey(stackId), Value: stackId }]),
  ];
  if (tags.length > 0) {
    operations.push({ action: 'AddTagsToCertificate', resource, detail: { service: 'acm', input: { CertificateArn: existing.arn, Tags: tags } } });
  }
  return operations;
}

/**
 * Let go of an import this stack no longer names: the last user deletes it, and a certificate nobody
 * uses any more is deleted by whoever sees it.
 */
function release(certificate: ObservedCertificate, stackId: string): AwsOperation[] {
  const users = certificate.usedBy?.length ?? 0;
  const others = users - (certificate.inUse ? 1 : 0);
  const resource = `${CERTIFICATE_RESOURCE_PREFIX}${certificate.key}`;
  if (others === 0) {
    return [{ action: 'DeleteCertificate', resource, detail: { service: 'acm', input: { CertificateArn: certificate.arn } } }];
  }
  if (!certificate.inUse) return [];
  return [
    {
      action: 'RemoveTagsFromCertificate',
      resource,
      detail: { service: 'acm', input: { CertificateArn: certificate.arn, Tags: [{ Key: usedByTagKey(stackId) }] } },
    },
  ];
}
