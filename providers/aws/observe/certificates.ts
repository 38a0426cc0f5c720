/**
 * Observe half of ACM certificates imported from kubernetes.io/tls Secrets: every certificate this
 * cluster imported, read by tags (the plan half is plan/certificates.ts).
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
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { isCertificateNotFound } from '../sdk/errors.js';
import type { AwsClients } from '../sdk/clients.js';
import { CERTIFICATE_RESOURCE_PREFIX, CLUSTER_TAG, FINGERPRINT_TAG, RESOURCE_TAG, SECRET_TAG, USED_BY_TAG_PREFIX, usedByTagKey } from '../plan/tags.js';

export interface ObservedCertificate {
  /** The spec's certificate key: `secret:<namespace>/<name>` for an import, the spec key for a discovered one. */
  key: string;
  arn: string;
  fingerprint?: string;
  /** `<namespace>/<name>` of the Secret an imported certificate came from. */
  secret?: string;
  /** This stack's user tag is on the certificate. */
  inUse?: boolean;
  /** Every stack whose user tag is on the certificate (imports only). */
  usedBy?: string[];
}

/** A tag as both the tagging API and ACM return it. */
interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

/**
 * Every certificate this cluster imported (any stack's: a stack may adopt one another stack
 * imported). The tagging index is eventually consistent, so `knownArns` — certificates apply just
 * imported — are read directly when the index does not list them yet; otherwise a reconcile right
 * after an import would import the Secret again.
 */
export async function observeCertificates(
  clients: AwsClients,
  clusterName: string,
  stackId: string,
  options: { knownArns?: readonly string[] } = {},
): Promise<ObservedCertificate[]> {
  const observed: ObservedCertificate[] = [];
  const pages = paginateGetResources(
    { client: clients.tagging },
    {
      ResourceTypeFilters: ['acm:certificate'],
      TagFilters: [{ Key: CLUSTER_TAG, Values: [clusterName] }, { Key: SECRET_TAG }],
    },
  );
  const add = (arn: string, tags: readonly Tag[]): void => {
    const certificate = observedCertificate(arn, tags, clusterName, stackId);
    if (certificate) observed.push(certificate);
  };
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) add(mapping.ResourceARN ?? '', mapping.Tags ?? []);
  }
  for (const arn of options.knownArns ?? []) {
    if (!observed.some((certificate) => certificate.arn === arn)) add(arn, await certificateTags(clients, arn));
  }
  return observed;
}

/** The certificate as this stack sees it, from its tags; undefined when it is not one this cluster imported. */
export function observedCertificate(arn: string, tagList: readonly Tag[], clusterName: string, stackId: string): ObservedCertificate | undefined {
  const tags = new Map(tagList.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const resource = tags.get(RESOURCE_TAG);
  if (!arn || tags.get(CLUSTER_TAG) !== clusterName || !tags.has(SECRET_TAG) || !resource?.startsWith(CERTIFICATE_RESOURCE_PREFIX)) return undefined;
  const userKeys = [...tags.keys()].filter((key) => key.startsWith(USED_BY_TAG_PREFIX));
  return {
    key: resource.slice(CERTIFICATE_RESOURCE_PREFIX.length),
    arn,
    ...(tags.has(FINGERPRINT_TAG) && { fingerprint: tags.get(FINGERPRINT_TAG) }),
    secret: tags.get(SECRET_TAG),
    inUse: userKeys.includes(usedByTagKey(stackId)),
    usedBy: userKeys.map((key) => tags.get(key) ?? ''),
  };
}

/** A certificate's tags, or none when it is gone. */
async function certificateTags(clients: AwsClients, arn: string): Promise<Tag[]> {
  try {
    const acm = await clients.acm.load();
    return (await acm.client.send(new acm.sdk.ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags ?? [];
  } catch (error) {
    if (isCertificateNotFound(error)) return [];
    throw error;
  }
}
