/**
 * Certificates for TLS entries that name no Secret: an issued ACM certificate whose domain name and
 * subject alternative names cover every host of the entry (`*.example.com` covers exactly one more
 * label). The newest-expiring one wins, then the lowest ARN, so the choice is stable.
 *
 * As in aws-load-balancer-controller (pkg/certs/cert_discovery.go), the account's issued certificates
 * are listed at most once a minute (every key type: ListCertificates otherwise returns RSA-2048 and
 * RSA-1024 only) and a certificate's full name list, when the listing does not already hold it, is
 * described at most once in ten minutes. Certificates ingress-bridge imported (of any cluster) are
 * left out: their life follows a Secret, and a listener holding one would keep it from being deleted.
 * @module
 */
import type { CertificateDetail, CertificateSummary, KeyAlgorithm } from '@aws-sdk/client-acm';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import type { CertificateSpec, LoadBalancerSpec } from '../../../src/model.js';
import type { ObservedCertificate } from './certificates.js';
import { isCertificateNotFound } from '../sdk/errors.js';
import type { AwsClients } from '../sdk/clients.js';
import { cachePerOwner, type Now } from './lookup-cache.js';
import { CLUSTER_TAG } from '../plan/tags.js';

export interface CertificateDiscoveryProblem {
  /** The spec's certificate key. */
  key: string;
  hosts: string[];
  message: string;
}

export interface CertificateDiscovery {
  /** One per discovered certificate, keyed like the spec: append to what observeCertificates found. */
  found: ObservedCertificate[];
  problems: CertificateDiscoveryProblem[];
}

interface IssuedCertificate {
  arn: string;
  names: string[];
  /** False when the listing holds only some of the names (DescribeCertificate has them all). */
  complete: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

const KEY_TYPES: KeyAlgorithm[] = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'];
const inventoryCache = cachePerOwner<IssuedCertificate[]>(60_000);
const namesCache = cachePerOwner<IssuedCertificate | undefined>(10 * 60_000);

export async function discoverCertificates(
  clients: AwsClients,
  spec: LoadBalancerSpec | undefined,
  options: { now?: Now } = {},
): Promise<CertificateDiscovery> {
  const wanted = (spec?.certificates ?? []).filter((certificate) => certificate.source.kind === 'discover');
  const discovery: CertificateDiscovery = { found: [], problems: [] };
  if (wanted.length === 0) return discovery;
  const now = (options.now ?? Date.now)();
  const inventory = await inventoryCache(clients).get('issued', () => listIssued(clients), options);
  for (const certificate of wanted) {
    const arn = await findCovering(clients, certificate, inventory, now, options);
    if (arn !== undefined) discovery.found.push({ key: certificate.key, arn });
    else discovery.problems.push({ key: certificate.key, hosts: [...certificate.hosts], message: notFoundMessage(certificate, inventory.length) });
  }
  return discovery;
}

/** `*.example.com` covers `www.example.com`, not `example.com` or `a.www.example.com`. */
export function nameCoversHost(name: string, host: string): boolean {
  const certificateName = name.toLowerCase();
  const hostName = host.toLowerCase();
  if (certificateName === hostName) return true;
  if (!certificateName.startsWith('*.') || hostName.startsWith('*.')) return false;
  const firstDot = hostName.indexOf('.');
  return firstDot > 0 && hostName.slice(firstDot) === certificateName.slice(1);
}

function coversAll(names: readonly string[], hosts: readonly string[]): boolean {
  return hosts.every((host) => names.some((name) => nameCoversHost(name, host)));
}

async function findCovering(
  clients: AwsClients,
  certificate: CertificateSpec,
  inventory: readonly IssuedCertificate[],
  now: number,
  options: { now?: Now },
): Promise<string | undefined> {
  if (certificate.hosts.length === 0) return undefined;
  const covering: IssuedCertificate[] = [];
  for (const listed of inventory) {
    if (!validAt(listed, now)) continue;
    const full =
      listed.complete || coversAll(listed.names, certificate.hosts)
        ? listed
        : await namesCache(clients).get(listed.arn, () => describe(clients, listed.arn), options);
    if (full && validAt(full, now) && coversAll(full.names, certificate.hosts)) covering.push(full);
  }
  covering.sort((a, b) => (b.notAfter?.getTime() ?? 0) - (a.notAfter?.getTime() ?? 0) || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return covering[0]?.arn;
}

function validAt(certificate: IssuedCertificate, now: number): boolean {
  return (
    (certificate.notAfter === undefined || certificate.notAfter.getTime() > now) &&
    (certificate.notBefore === undefined || certificate.notBefore.getTime() <= now)
  );
}

function notFoundMessage(certificate: CertificateSpec, looked: number): string {
  if (certificate.hosts.length === 0) {
    return 'the tls entry names neither hosts nor a secretName, so there is no certificate to look for: name its hosts, or a Secret';
  }
  return (
    `no issued, unexpired ACM certificate covers ${certificate.hosts.join(', ')} (${looked} issued certificate${looked === 1 ? '' : 's'} looked at, ` +
    'those ingress-bridge imported left out): request or import one, name one with the certificate-arn annotation, or give the tls entry a secretName'
  );
}

async function listIssued(clients: AwsClients): Promise<IssuedCertificate[]> {
  const imported = await importedByIngressBridge(clients);
  const issued: IssuedCertificate[] = [];
  const acm = await clients.acm.load();
  const pages = acm.sdk.paginateListCertificates({ client: acm.client }, { CertificateStatuses: ['ISSUED'], Includes: { keyTypes: KEY_TYPES } });
  for await (const page of pages) {
    for (const summary of page.CertificateSummaryList ?? []) {
      if (summary.CertificateArn && !imported.has(summary.CertificateArn)) issued.push(fromSummary(summary, summary.CertificateArn));
    }
  }
  return issued;
}

async function importedByIngressBridge(clients: AwsClients): Promise<Set<string>> {
  const arns = new Set<string>();
  const pages = paginateGetResources({ client: clients.tagging }, { ResourceTypeFilters: ['acm:certificate'], TagFilters: [{ Key: CLUSTER_TAG }] });
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) if (mapping.ResourceARN) arns.add(mapping.ResourceARN);
  }
  return arns;
}

function fromSummary(summary: CertificateSummary, arn: string): IssuedCertificate {
  const alternatives = summary.SubjectAlternativeNameSummaries;
  return {
    arn,
    names: [...(summary.DomainName ? [summary.DomainName] : []), ...(alternatives ?? [])],
    complete: alternatives !== undefined && summary.HasAdditionalSubjectAlternativeNames !== true,
    ...(summary.NotBefore && { notBefore: summary.NotBefore }),
    ...(summary.NotAfter && { notAfter: summary.NotAfter }),
  };
}

async function describe(clients: AwsClients, arn: string): Promise<IssuedCertificate | undefined> {
  let detail: CertificateDetail | undefined;
  const acm = await clients.acm.load();
  try {
    ({ Certificate: detail } = await acm.client.send(new acm.sdk.DescribeCertificateCommand({ CertificateArn: arn })));
  } catch (error) {
    // Deleted since it was listed: no longer a candidate.
    if (isCertificateNotFound(error)) return undefined;
    throw error;
  }
  if (!detail || detail.Status !== 'ISSUED') return undefined;
  return {
    arn,
    names: [...(detail.DomainName ? [detail.DomainName] : []), ...(detail.SubjectAlternativeNames ?? [])],
    complete: true,
    ...(detail.NotBefore && { notBefore: detail.NotBefore }),
    ...(detail.NotAfter && { notAfter: detail.NotAfter }),
  };
}
