/**
 * ACM, for imported certificates: import and reimport in place (same ARN, no tags allowed),
 * describe, list (ACM's default key-type filter included; at most 100 names per certificate, as
 * ListCertificates gives them), tags, and delete unless a listener uses the certificate.
 * @module
 */
import type {
  AddTagsToCertificateRequest,
  CertificateDetail,
  CertificateSummary,
  DeleteCertificateRequest,
  DescribeCertificateRequest,
  ImportCertificateRequest,
  KeyAlgorithm,
  ListCertificatesRequest,
  ListTagsForCertificateRequest,
  RemoveTagsFromCertificateRequest,
  Tag,
} from '@aws-sdk/client-acm';
import { blobText, checkImportedMaterial } from './acm-certificate.js';
import { certificateArn, isCertificateArn } from './arns.js';
import { acmError } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import { handler, setTags, type CertificateRecord, type FakeState, type Handler } from './state.js';

const TAGS_PER_CERTIFICATE = 50;
/** ListCertificates gives at most this many subject alternative names; DescribeCertificate has them all. */
const LISTED_NAMES = 100;
/** ListCertificates without Includes.keyTypes returns only these, as ACM documents. */
const DEFAULT_LISTED_KEY_TYPES: readonly KeyAlgorithm[] = ['RSA_1024', 'RSA_2048'];

function requireCertificate(state: FakeState, arn: string | undefined): CertificateRecord {
  if (arn === undefined || !isCertificateArn(arn)) throw acmError('InvalidArnException', `The certificate ARN '${arn ?? ''}' is not valid`);
  const certificate = state.certificates.get(arn);
  if (certificate === undefined) throw acmError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
  return certificate;
}

/** The load balancers whose listeners use a certificate (default or additional). */
function inUseBy(state: FakeState, arn: string): string[] {
  const users = new Set<string>();
  for (const listener of state.listeners.values()) {
    if (listener.defaultCertificateArn === arn || listener.extraCertificateArns.includes(arn)) users.add(listener.loadBalancerArn);
  }
  return [...users];
}

function checkTags(state: FakeState, arn: string | undefined, tags: readonly Tag[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const tag of tags) {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > 128 || (tag.Value ?? '').length > 256) {
      throw acmError('InvalidParameterException', `Tag '${key}' has a key or value of an invalid length`);
    }
    if (key.toLowerCase().startsWith('aws:')) throw acmError('InvalidTagException', `Tag keys starting with 'aws:' are reserved`);
    pairs.push([key, tag.Value ?? '']);
  }
  const keys = new Set([...(state.tags.get(arn ?? '')?.keys() ?? []), ...pairs.map(([key]) => key)]);
  if (keys.size > TAGS_PER_CERTIFICATE) throw acmError('TooManyTagsException', `A certificate can have at most ${TAGS_PER_CERTIFICATE} tags`);
  return pairs;
}

function importCertificate(state: FakeState, input: ImportCertificateRequest): object {
  const existing = input.CertificateArn === undefined ? undefined : requireCertificate(state, input.CertificateArn);
  if (existing !== undefined && input.Tags !== undefined) throw acmError('ValidationException', 'Tagging is not permitted on re-import.');
  const material = checkImportedMaterial({
    certificate: blobText(input.Certificate),
    privateKey: blobText(input.PrivateKey),
    chain: blobText(input.CertificateChain),
    now: new Date(),
  });
  if (existing !== undefined) {
    if (existing.keyAlgorithm !== material.keyAlgorithm) {
      throw acmError('ValidationException', `The key type and size cannot change on reimport (${existing.keyAlgorithm} to ${material.keyAlgorithm})`);
    }
    const { chainPem, ...rest } = material;
    Object.assign(existing, rest, { chainPem, importedAt: new Date(), importCount: existing.importCount + 1 });
    return { CertificateArn: existing.arn };
  }
  const arn = certificateArn(state, state.ids.uuid());
  const tags = checkTags(state, arn, input.Tags ?? []);
  const now = new Date();
  state.certificates.set(arn, { arn, ...material, status: 'ISSUED', createdAt: now, importedAt: now, importCount: 1 });
  if (tags.length > 0) setTags(state, arn, tags);
  return { CertificateArn: arn };
}

function describeCertificate(state: FakeState, input: DescribeCertificateRequest): object {
  const certificate = requireCertificate(state, input.CertificateArn);
  const detail: CertificateDetail = {
    CertificateArn: certificate.arn,
    DomainName: certificate.domainName,
    SubjectAlternativeNames: [...certificate.subjectAlternativeNames],
    Serial: certificate.serial,
    Subject: certificate.subject,
    Issuer: certificate.issuer,
    CreatedAt: new Date(certificate.createdAt),
    ImportedAt: new Date(certificate.importedAt),
    Status: certificate.status,
    NotBefore: new Date(certificate.notBefore),
    NotAfter: new Date(certificate.notAfter),
    KeyAlgorithm: certificate.keyAlgorithm,
    InUseBy: inUseBy(state, certificate.arn),
    Type: 'IMPORTED',
    RenewalEligibility: 'INELIGIBLE',
  };
  return { Certificate: detail };
}

function summaryOf(state: FakeState, certificate: CertificateRecord): CertificateSummary {
  return {
    CertificateArn: certificate.arn,
    DomainName: certificate.domainName,
    SubjectAlternativeNameSummaries: certificate.subjectAlternativeNames.slice(0, LISTED_NAMES),
    HasAdditionalSubjectAlternativeNames: certificate.subjectAlternativeNames.length > LISTED_NAMES,
    Status: certificate.status,
    Type: 'IMPORTED',
    KeyAlgorithm: certificate.keyAlgorithm,
    InUse: inUseBy(state, certificate.arn).length > 0,
    RenewalEligibility: 'INELIGIBLE',
    NotBefore: new Date(certificate.notBefore),
    NotAfter: new Date(certificate.notAfter),
    CreatedAt: new Date(certificate.createdAt),
    ImportedAt: new Date(certificate.importedAt),
  };
}

function listCertificates(state: FakeState, input: ListCertificatesRequest): object {
  const requested = checkPageSize(input.MaxItems, { min: 1, max: 1000, field: 'MaxItems' }, (message) => acmError('ValidationException', message));
  const keyTypes = input.Includes?.keyTypes ?? DEFAULT_LISTED_KEY_TYPES;
  const statuses = input.CertificateStatuses;
  const matching = [...state.certificates.values()].filter(
    (certificate) => keyTypes.includes(certificate.keyAlgorithm) && (statuses === undefined || statuses.includes(certificate.status)),
  );
  const page = pageOf(state, matching, {
    api: 'ListCertificates',
    token: input.NextToken,
    requested,
    defaultSize: 1000,
    invalidToken: (message) => acmError('InvalidParameterException', message),
  });
  return { CertificateSummaryList: page.items.map((certificate) => summaryOf(state, certificate)), ...(page.next ? { NextToken: page.next } : {}) };
}

function listTagsForCertificate(state: FakeState, input: ListTagsForCertificateRequest): object {
  const certificate = requireCertificate(state, input.CertificateArn);
  return { Tags: [...(state.tags.get(certificate.arn) ?? [])].map(([Key, Value]) => ({ Key, Value })) };
}

function addTagsToCertificate(state: FakeState, input: AddTagsToCertificateRequest): object {
  const certificate = requireCertificate(state, input.CertificateArn);
  if ((input.Tags?.length ?? 0) === 0) throw acmError('InvalidParameterException', 'At least one tag must be specified');
  setTags(state, certificate.arn, checkTags(state, certificate.arn, input.Tags ?? []));
  return {};
}

/** A tag given with a Value is removed only when the value matches, as ACM documents. */
function removeTagsFromCertificate(state: FakeState, input: RemoveTagsFromCertificateRequest): object {
  const certificate = requireCertificate(state, input.CertificateArn);
  const tags = state.tags.get(certificate.arn);
  for (const tag of input.Tags ?? []) {
    if (tag.Value === undefined || tags?.get(tag.Key ?? '') === tag.Value) tags?.delete(tag.Key ?? '');
  }
  return {};
}

function deleteCertificate(state: FakeState, input: DeleteCertificateRequest): object {
  const certificate = requireCertificate(state, input.CertificateArn);
  const users = inUseBy(state, certificate.arn);
  if (users.length > 0) throw acmError('ResourceInUseException', `Certificate ${certificate.arn} is in use by ${users.join(', ')}`);
  state.certificates.delete(certificate.arn);
  state.tags.delete(certificate.arn);
  return {};
}

export const acmHandlers: Readonly<Record<string, Handler>> = {
  ImportCertificate: handler(importCertificate),
  DescribeCertificate: handler(describeCertificate),
  ListCertificates: handler(listCertificates),
  ListTagsForCertificate: handler(listTagsForCertificate),
  AddTagsToCertificate: handler(addTagsToCertificate),
  RemoveTagsFromCertificate: handler(removeTagsFromCertificate),
  DeleteCertificate: handler(deleteCertificate),
};
