/**
 * The AWS fake's ACM through the real ACM client, with real certificates made by openssl: import
 * checks, reimport in place, listing with ACM's default key-type filter, tags, and deletion while
 * a listener uses the certificate.
 */
import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  ResourceInUseException,
} from '@aws-sdk/client-acm';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DeleteListenerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { seedDefaultNetwork, testCertificate, type TestCertificate } from '../../../fakes/aws/fixtures.js';

const acm = new ACMClient({ region: 'us-east-1' });
const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
let fake: AwsFake;
let ec: TestCertificate;
let rsa: TestCertificate;
let ca: TestCertificate;
let issued: TestCertificate;

interface ImportExtras {
  CertificateArn?: string;
  chain?: string;
  tags?: Record<string, string>;
}

async function importCertificate(material: TestCertificate, extra: ImportExtras = {}): Promise<string> {
  const out = await acm.send(
    new ImportCertificateCommand({
      Certificate: bytes(material.certificatePem),
      PrivateKey: bytes(material.privateKeyPem),
      ...(extra.chain === undefined ? {} : { CertificateChain: bytes(extra.chain) }),
      ...(extra.CertificateArn === undefined ? {} : { CertificateArn: extra.CertificateArn }),
      ...(extra.tags === undefined ? {} : { Tags: Object.entries(extra.tags).map(([Key, Value]) => ({ Key, Value })) }),
    }),
  );
  return out.CertificateArn ?? assert.fail('no certificate ARN');
}

before(() => {
  ec = testCertificate({ commonName: 'web.test', altNames: ['web.test', 'www.web.test'] });
  rsa = testCertificate({ commonName: 'rsa.test', keyType: 'rsa' });
  ca = testCertificate({ commonName: 'Test CA' });
  issued = testCertificate({ commonName: 'leaf.test', issuer: ca });
});
beforeEach(() => {
  fake = createAwsFake();
  fake.install();
});
afterEach(() => fake.restore());

describe('ImportCertificate', () => {
  it('records the domain, names, expiry and key type, with an ACM-format ARN', async () => {
    const arn = await importCertificate(ec, { tags: { owner: 'test' } });
    assert.match(arn, /^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.equal(Certificate?.DomainName, 'web.test');
    assert.deepEqual(Certificate?.SubjectAlternativeNames, ['web.test', 'www.web.test']);
    assert.equal(Certificate?.KeyAlgorithm, 'EC_prime256v1');
    assert.equal(Certificate?.Status, 'ISSUED');
    assert.equal(Certificate?.Type, 'IMPORTED');
    assert.ok(Certificate?.NotAfter instanceof Date && Certificate.NotAfter.getTime() > Date.now());
    assert.deepEqual(fake.state.tagsOf(arn), { owner: 'test' });
  });

  it('reimports in place under the same ARN, counting imports, and refuses tags on reimport', async () => {
    const arn = await importCertificate(ec);
    const renewed = testCertificate({ commonName: 'web.test', altNames: ['web.test', 'api.web.test'] });
    assert.equal(await importCertificate(renewed, { CertificateArn: arn }), arn);
    assert.equal(fake.state.certificates()[0]?.importCount, 2);
    assert.deepEqual(fake.state.certificates()[0]?.subjectAlternativeNames, ['web.test', 'api.web.test']);
    await assert.rejects(importCertificate(renewed, { CertificateArn: arn, tags: { a: 'b' } }), { name: 'ValidationException' });
    await assert.rejects(importCertificate(rsa, { CertificateArn: arn }), { name: 'ValidationException' });
  });

  it('rejects material ACM would reject', async () => {
    const cases: [string, TestCertificate][] = [
      ['a key of another certificate', { certificatePem: ec.certificatePem, privateKeyPem: rsa.privateKeyPem }],
      ['no certificate block', { certificatePem: 'not a certificate', privateKeyPem: ec.privateKeyPem }],
      ['no private key block', { certificatePem: ec.certificatePem, privateKeyPem: 'not a key' }],
      ['two certificates in the certificate field', { certificatePem: ec.certificatePem + rsa.certificatePem, privateKeyPem: ec.privateKeyPem }],
      ['a CA-issued certificate without its chain', issued],
    ];
    for (const [label, material] of cases) {
      await assert.rejects(importCertificate(material), { name: 'ValidationException' }, label);
    }
    assert.deepEqual(fake.state.certificates(), []);
    await importCertificate(issued, { chain: ca.certificatePem });
  });
});

describe('certificates in use and listed', () => {
  it('lists only RSA_1024/RSA_2048 by default, other key types on request, in pages', async () => {
    const ecArn = await importCertificate(ec);
    const rsaArn = await importCertificate(rsa);
    const listed = await acm.send(new ListCertificatesCommand({}));
    assert.deepEqual(
      listed.CertificateSummaryList?.map((summary) => summary.CertificateArn),
      [rsaArn],
    );
    const first = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048'] }, MaxItems: 1 }));
    assert.deepEqual(
      first.CertificateSummaryList?.map((summary) => summary.CertificateArn),
      [ecArn],
    );
    const second = await acm.send(
      new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048'] }, MaxItems: 1, NextToken: first.NextToken }),
    );
    assert.deepEqual(
      second.CertificateSummaryList?.map((summary) => summary.CertificateArn),
      [rsaArn],
    );
    assert.equal(second.NextToken, undefined);
  });

  it('refuses to delete a certificate a listener uses, and deletes it once detached', async () => {
    const net = seedDefaultNetwork(fake);
    const arn = await importCertificate(ec);
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: net.publicSubnetIds }));
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: arn }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.deepEqual(Certificate?.InUseBy, [lb.LoadBalancers?.[0]?.LoadBalancerArn]);
    const refused = await acm.send(new DeleteCertificateCommand({ CertificateArn: arn })).catch((caught: unknown) => caught);
    assert.ok(refused instanceof ResourceInUseException);
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: listener.Listeners?.[0]?.ListenerArn }));
    await acm.send(new DeleteCertificateCommand({ CertificateArn: arn }));
    await assert.rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: arn })), { name: 'ResourceNotFoundException' });
  });

  it('adds, lists and removes tags; a removal with a Value needs the value to match', async () => {
    const arn = await importCertificate(ec);
    await acm.send(
      new AddTagsToCertificateCommand({
        CertificateArn: arn,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'a', Value: 'other' }, { Key: 'b' }] }));
    const { Tags } = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    assert.deepEqual(Tags, [{ Key: 'a', Value: '1' }]);
    await assert.rejects(acm.send(new AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'aws:x', Value: '1' }] })), {
      name: 'InvalidTagException',
    });
  });
});
