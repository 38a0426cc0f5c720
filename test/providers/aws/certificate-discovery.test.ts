import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { discoverCertificates, nameCoversHost } from '../../../providers/aws/observe/certificate-discovery.js';
import type { AwsClients } from '../../../providers/aws/sdk/clients.js';
import { CLUSTER_TAG } from '../../../providers/aws/plan/tags.js';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { sdkClients } from '../../support/aws-plan-runner.js';
import { discoverCertificate, stackSpec } from '../../support/aws-spec-builder.js';

const SHOP = 'group/shop';

describe('nameCoversHost', () => {
  const cases: [string, string, boolean][] = [
    ['www.example.com', 'www.example.com', true],
    ['WWW.Example.com', 'www.example.COM', true],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.www.example.com', false],
    ['*.example.com', '*.example.com', true],
    ['www.example.com', '*.example.com', false],
    ['*.example.com', 'wwwexample.com', false],
  ];
  for (const [name, host, covers] of cases) {
    it(`${name} ${covers ? 'covers' : 'does not cover'} ${host}`, () => assert.equal(nameCoversHost(name, host), covers));
  }
});

describe('certificate discovery against the AWS fake', () => {
  let fake: AwsFake;
  let clients: AwsClients;
  let clock: number;
  const now = (): number => clock;
  const day = 24 * 3600 * 1000;

  beforeEach(() => {
    fake = createAwsFake();
    fake.install();
    clients = sdkClients();
    // A minute ahead, so certificates seeded during the test are already valid.
    clock = Date.now() + 60_000;
  });
  afterEach(() => fake.restore());

  it('picks the certificate whose names cover every host, wildcards matching one label', async () => {
    const wildcard = fake.seed.certificate({ domainName: '*.example.com' });
    const shop = fake.seed.certificate({ domainName: 'shop.example.com', subjectAlternativeNames: ['shop.example.com', '*.shop.example.com'] });
    const spec = stackSpec(SHOP, {
      certificates: [discoverCertificate(['a.example.com', 'B.example.com']), discoverCertificate(['shop.example.com', 'www.shop.example.com'])],
    });
    const discovery = await discoverCertificates(clients, spec, { now });
    assert.deepEqual(discovery.problems, []);
    assert.deepEqual(discovery.found, [
      { key: 'discover:a.example.com,B.example.com', arn: wildcard },
      { key: 'discover:shop.example.com,www.shop.example.com', arn: shop },
    ]);
  });

  it('prefers the certificate that expires last, and never one ingress-bridge imported', async () => {
    fake.seed.certificate({ domainName: 'www.example.com', notAfter: new Date(clock + 30 * day) });
    const later = fake.seed.certificate({ domainName: 'www.example.com', keyAlgorithm: 'EC_prime256v1', notAfter: new Date(clock + 300 * day) });
    fake.seed.certificate({ domainName: 'www.example.com', notAfter: new Date(clock + 900 * day), tags: { [CLUSTER_TAG]: 'elsewhere' } });
    const discovery = await discoverCertificates(clients, stackSpec(SHOP, { certificates: [discoverCertificate(['www.example.com'])] }), { now });
    assert.deepEqual(
      discovery.found.map((found) => found.arn),
      [later],
    );
  });

  it('explains when no issued, unexpired certificate covers the hosts', async () => {
    fake.seed.certificate({ domainName: 'old.example.org', status: 'EXPIRED', notAfter: new Date(clock - day) });
    fake.seed.certificate({ domainName: 'old.example.org', notAfter: new Date(clock - 1) });
    fake.seed.certificate({ domainName: '*.old.example.org' });
    const spec = stackSpec(SHOP, { certificates: [discoverCertificate(['old.example.org']), discoverCertificate([])] });
    const discovery = await discoverCertificates(clients, spec, { now });
    assert.deepEqual(discovery.found, []);
    assert.deepEqual(
      discovery.problems.map((problem) => problem.key),
      ['discover:old.example.org', 'discover:'],
    );
    assert.match(discovery.problems[0]?.message ?? '', /no issued, unexpired ACM certificate covers old\.example\.org/);
    assert.match(discovery.problems[1]?.message ?? '', /names neither hosts nor a secretName/);
  });

  it('lists certificates at most once a minute', async () => {
    fake.seed.certificate({ domainName: 'www.example.com' });
    const spec = stackSpec(SHOP, { certificates: [discoverCertificate(['www.example.com'])] });
    await discoverCertificates(clients, spec, { now });
    clock += 59_000;
    await discoverCertificates(clients, spec, { now });
    assert.equal(fake.callCounts()['acm:ListCertificates'], 1);
    clock += 2_000;
    await discoverCertificates(clients, spec, { now });
    assert.equal(fake.callCounts()['acm:ListCertificates'], 2);
    assert.equal(fake.callCounts()['acm:DescribeCertificate'], undefined, 'the listing already held every name');
  });
});

describe('certificate discovery of certificates with many names', () => {
  it('describes a certificate whose listing holds only some names, at most once in ten minutes', async () => {
    const acm = mockClient(ACMClient);
    const tagging = mockClient(ResourceGroupsTaggingAPIClient);
    try {
      const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/many';
      acm.on(ListCertificatesCommand).resolves({
        CertificateSummaryList: [
          { CertificateArn: arn, DomainName: 'a.example.com', SubjectAlternativeNameSummaries: ['a.example.com'], HasAdditionalSubjectAlternativeNames: true },
        ],
      });
      acm.on(DescribeCertificateCommand).resolves({
        Certificate: { CertificateArn: arn, Status: 'ISSUED', DomainName: 'a.example.com', SubjectAlternativeNames: ['a.example.com', 'z.example.com'] },
      });
      tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
      let clock = 0;
      const now = (): number => clock;
      const spec = stackSpec(SHOP, { certificates: [discoverCertificate(['z.example.com'])] });
      const clients = sdkClients();
      assert.deepEqual(
        (await discoverCertificates(clients, spec, { now })).found.map((found) => found.arn),
        [arn],
      );
      clock += 5 * 60_000;
      assert.deepEqual(
        (await discoverCertificates(clients, spec, { now })).found.map((found) => found.arn),
        [arn],
      );
      assert.equal(acm.commandCalls(ListCertificatesCommand).length, 2);
      assert.equal(acm.commandCalls(DescribeCertificateCommand).length, 1);
      const listed = acm.commandCalls(ListCertificatesCommand)[0]?.args[0].input;
      assert.deepEqual(listed?.CertificateStatuses, ['ISSUED']);
      assert.equal(listed?.Includes?.keyTypes?.includes('EC_prime256v1'), true);
    } finally {
      acm.restore();
      tagging.restore();
    }
  });
});
