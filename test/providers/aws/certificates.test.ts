import assert from 'node:assert/strict';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { CreateListenerCommand, CreateLoadBalancerCommand, DeleteListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { discoverCertificates } from '../../../providers/aws/observe/certificate-discovery.js';
import { observeCertificates, type ObservedCertificate } from '../../../providers/aws/observe/certificates.js';
import { planCertificates } from '../../../providers/aws/plan/certificates.js';
import { isStillInUse } from '../../../providers/aws/sdk/errors.js';
import type { AwsClients } from '../../../providers/aws/sdk/clients.js';
import type { AwsOperation } from '../../../providers/aws/plan/operations.js';
import { CLUSTER_TAG, FINGERPRINT_TAG, RESOURCE_TAG, SECRET_TAG, STACK_TAG, usedByTagKey } from '../../../providers/aws/plan/tags.js';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { CertificateMaterial } from '../../../src/provider.js';
import { seedDefaultNetwork, testCertificate, type TestCertificate } from '../../../fakes/aws/fixtures.js';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { materialSource, runOperations, sdkClients } from '../../support/aws-plan-runner.js';
import { CLUSTER, discoverCertificate, secretCertificate, stackSpec } from '../../support/aws-spec-builder.js';

const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/aaaa';
const SHOP = 'group/shop';
const BLOG = 'group/blog';

function tagsOf(operation: AwsOperation | undefined): Record<string, string> {
  const tags = operation?.detail.input['Tags'] as { Key: string; Value: string }[] | undefined;
  return Object.fromEntries((tags ?? []).map(({ Key, Value }) => [Key, Value]));
}

function imported(overrides: Partial<ObservedCertificate> = {}): ObservedCertificate {
  return { key: 'secret:default/web-tls', arn: ARN, fingerprint: 'f1', secret: 'default/web-tls', inUse: true, usedBy: [SHOP], ...overrides };
}

describe('planCertificates', () => {
  it('imports a Secret with ownership, Secret, fingerprint and user tags, naming the Secret instead of carrying material', () => {
    const spec = stackSpec(SHOP, { certificates: [secretCertificate('default', 'web-tls', 'f1')] });
    const plan = planCertificates(spec, [], CLUSTER, SHOP);
    assert.deepEqual(
      plan.create.map((operation) => operation.action),
      ['ImportCertificate'],
    );
    const [operation] = plan.create;
    assert.deepEqual(tagsOf(operation), {
      [CLUSTER_TAG]: CLUSTER,
      [STACK_TAG]: SHOP,
      [RESOURCE_TAG]: 'Certificate/secret:default/web-tls',
      [SECRET_TAG]: 'default/web-tls',
      [FINGERPRINT_TAG]: 'f1',
      [usedByTagKey(SHOP)]: SHOP,
    });
    assert.deepEqual(operation?.detail.secret, { namespace: 'default', name: 'web-tls' });
    assert.deepEqual(operation?.detail.produces, { ref: '${Certificate:secret:default/web-tls}', outputPath: 'CertificateArn' });
    assert.deepEqual(Object.keys(operation?.detail.input ?? {}), ['Tags']);
    assert.deepEqual(plan.cleanup, []);
    assert.equal(plan.references.size, 0);
  });

  it('changes nothing for an unchanged Secret and references its ARN', () => {
    const spec = stackSpec(SHOP, { certificates: [secretCertificate('default', 'web-tls', 'f1')] });
    const plan = planCertificates(spec, [imported()], CLUSTER, SHOP);
    assert.deepEqual([...plan.create, ...plan.cleanup], []);
    assert.equal(plan.references.get('${Certificate:secret:default/web-tls}'), ARN);
  });

  it('reimports a rotated Secret under the same ARN, then records the new fingerprint', () => {
    const spec = stackSpec(SHOP, { certificates: [secretCertificate('default', 'web-tls', 'f2')] });
    const plan = planCertificates(spec, [imported()], CLUSTER, SHOP);
    assert.deepEqual(
      plan.create.map((operation) => operation.action),
      ['ImportCertificate', 'AddTagsToCertificate'],
    );
    assert.deepEqual(plan.create[0]?.detail.input, { CertificateArn: ARN });
    assert.deepEqual(plan.create[0]?.detail.secret, { namespace: 'default', name: 'web-tls' });
    assert.equal(plan.create[0]?.detail.produces, undefined);
    assert.deepEqual(plan.create[1]?.detail.input, { CertificateArn: ARN, Tags: [{ Key: FINGERPRINT_TAG, Value: 'f2' }] });
    assert.equal(plan.references.get('${Certificate:secret:default/web-tls}'), ARN);
    assert.deepEqual(plan.cleanup, []);
  });

  it('adopts a certificate another stack imported from the same Secret, with one tagging call', () => {
    const spec = stackSpec(BLOG, { certificates: [secretCertificate('default', 'web-tls', 'f1')] });
    const plan = planCertificates(spec, [imported({ inUse: false })], CLUSTER, BLOG);
    assert.deepEqual(
      plan.create.map((operation) => operation.action),
      ['AddTagsToCertificate'],
    );
    assert.deepEqual(plan.create[0]?.detail.input, { CertificateArn: ARN, Tags: [{ Key: usedByTagKey(BLOG), Value: BLOG }] });
    assert.equal(plan.references.get('${Certificate:secret:default/web-tls}'), ARN);
  });

  it('lets go of a shared certificate by removing its own user tag only, and deletes it as the last user', () => {
    const shared = imported({ usedBy: [SHOP, BLOG] });
    const first = planCertificates(undefined, [shared], CLUSTER, SHOP);
    assert.deepEqual(first.create, []);
    assert.deepEqual(
      first.cleanup.map((operation) => [operation.action, operation.detail.input]),
      [['RemoveTagsFromCertificate', { CertificateArn: ARN, Tags: [{ Key: usedByTagKey(SHOP) }] }]],
    );
    const last = planCertificates(undefined, [imported({ usedBy: [BLOG] })], CLUSTER, BLOG);
    assert.deepEqual(
      last.cleanup.map((operation) => [operation.action, operation.detail.input]),
      [['DeleteCertificate', { CertificateArn: ARN }]],
    );
  });

  it('leaves alone a certificate only other stacks use, and deletes one that nobody uses any more', () => {
    const spec = stackSpec(SHOP);
    assert.deepEqual(planCertificates(spec, [imported({ inUse: false, usedBy: [BLOG] })], CLUSTER, SHOP).cleanup, []);
    const orphan = planCertificates(spec, [imported({ inUse: false, usedBy: [] })], CLUSTER, SHOP);
    assert.deepEqual(
      orphan.cleanup.map((operation) => operation.action),
      ['DeleteCertificate'],
    );
  });

  it('settles on the lowest ARN when a Secret was imported twice, and lets go of the other', () => {
    const spec = stackSpec(SHOP, { certificates: [secretCertificate('default', 'web-tls', 'f1')] });
    const duplicate = imported({ arn: `${ARN}-b` });
    const plan = planCertificates(spec, [duplicate, imported()], CLUSTER, SHOP);
    assert.equal(plan.references.get('${Certificate:secret:default/web-tls}'), ARN);
    assert.deepEqual(
      plan.cleanup.map((operation) => [operation.action, operation.detail.input]),
      [['DeleteCertificate', { CertificateArn: `${ARN}-b` }]],
    );
  });

  it('references a certificate given by ARN as it is, and a discovered one by what discovery found', () => {
    const given = 'arn:aws:acm:us-east-1:123456789012:certificate/given';
    const discover = discoverCertificate(['shop.example.com']);
    const spec = stackSpec(SHOP, { certificates: [{ key: `arn:${given}`, source: { kind: 'arn', arn: given }, hosts: [] }, discover] });
    const plan = planCertificates(spec, [{ key: discover.key, arn: 'arn:found' }], CLUSTER, SHOP);
    assert.deepEqual(plan.create, []);
    assert.deepEqual(Object.fromEntries(plan.references), {
      [`\${Certificate:arn:${given}}`]: given,
      [`\${Certificate:${discover.key}}`]: 'arn:found',
    });
  });

  it('treats DeleteCertificate refused as in use as "retry later", and nothing else', () => {
    const inUse = Object.assign(new Error('certificate is in use'), { name: 'ResourceInUseException' });
    assert.equal(isStillInUse({ action: 'DeleteCertificate' }, inUse), true);
    assert.equal(isStillInUse({ action: 'ImportCertificate' }, inUse), false);
    assert.equal(isStillInUse({ action: 'DeleteCertificate' }, new Error('boom')), false);
  });
});

describe('certificates against the AWS fake', () => {
  const WEB_TLS = 'secret:default/web-tls';
  const WEB_REF = `\${Certificate:${WEB_TLS}}`;
  let fake: AwsFake;
  let clients: AwsClients;
  let first: TestCertificate;
  let rotated: TestCertificate;
  let secrets: Map<string, CertificateMaterial>;
  const renderedPlans: string[] = [];

  const material = (certificate: TestCertificate): CertificateMaterial => ({
    certificatePem: certificate.certificatePem,
    chainPem: '',
    privateKeyPem: certificate.privateKeyPem,
  });
  const webSpec = (stackId: string, fingerprint = 'v1'): LoadBalancerSpec =>
    stackSpec(stackId, { certificates: [secretCertificate('default', 'web-tls', fingerprint)] });

  async function reconcile(stackId: string, spec: LoadBalancerSpec | undefined) {
    const observed = await observeCertificates(clients, CLUSTER, stackId);
    const discovery = await discoverCertificates(clients, spec);
    const plan = planCertificates(spec, [...observed, ...discovery.found], CLUSTER, stackId);
    renderedPlans.push(JSON.stringify({ create: plan.create, cleanup: plan.cleanup, references: [...plan.references] }));
    const references = new Map(plan.references);
    const created = await runOperations(plan.create, { clients, references, material: materialSource(secrets) });
    const cleaned = await runOperations(plan.cleanup, { clients, references });
    renderedPlans.push(JSON.stringify([created.outcomes, cleaned.outcomes]));
    return { plan, references, created, cleaned };
  }

  async function attachToListener(certificateArn: string): Promise<string> {
    const network = seedDefaultNetwork(fake);
    const { LoadBalancers } = await clients.elbv2.send(new CreateLoadBalancerCommand({ Name: 'holder', Subnets: network.publicSubnetIds.slice(0, 2) }));
    const { Listeners } = await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: certificateArn }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    return Listeners?.[0]?.ListenerArn ?? assert.fail('no listener');
  }

  before(() => {
    first = testCertificate({ commonName: 'www.example.com' });
    rotated = testCertificate({ commonName: 'www.example.com', altNames: ['www.example.com', 'example.com'] });
  });
  beforeEach(() => {
    fake = createAwsFake();
    fake.install();
    clients = sdkClients();
    secrets = new Map([['default/web-tls', material(first)]]);
  });
  afterEach(() => fake.restore());

  it('imports a Secret once with its tags, and an unchanged reconcile makes no ACM change', async () => {
    const { created, references } = await reconcile(SHOP, webSpec(SHOP));
    assert.equal(created.failure, undefined);
    const [certificate, ...others] = fake.state.certificates();
    assert.equal(others.length, 0);
    assert.equal(certificate?.domainName, 'www.example.com');
    assert.equal(references.get(WEB_REF), certificate?.arn);
    assert.deepEqual(fake.state.tagsOf(certificate?.arn ?? ''), {
      [CLUSTER_TAG]: CLUSTER,
      [STACK_TAG]: SHOP,
      [RESOURCE_TAG]: `Certificate/${WEB_TLS}`,
      [SECRET_TAG]: 'default/web-tls',
      [FINGERPRINT_TAG]: 'v1',
      [usedByTagKey(SHOP)]: SHOP,
    });

    fake.resetCalls();
    const again = await reconcile(SHOP, webSpec(SHOP));
    assert.deepEqual(fake.mutatingCalls(), []);
    assert.deepEqual(fake.callCounts(), { 'tagging:GetResources': 1 });
    assert.equal(again.references.get(WEB_REF), certificate?.arn);
  });

  it('reimports a rotated Secret under the same ARN and records the new fingerprint', async () => {
    await reconcile(SHOP, webSpec(SHOP));
    const [before] = fake.state.certificates();
    secrets.set('default/web-tls', material(rotated));
    const { plan } = await reconcile(SHOP, webSpec(SHOP, 'v2'));
    assert.deepEqual(
      plan.create.map((operation) => operation.action),
      ['ImportCertificate', 'AddTagsToCertificate'],
    );
    const [after, ...others] = fake.state.certificates();
    assert.equal(others.length, 0);
    assert.equal(after?.arn, before?.arn);
    assert.equal(after?.importCount, 2);
    assert.deepEqual(after?.subjectAlternativeNames, ['www.example.com', 'example.com']);
    assert.equal(fake.state.tagsOf(after?.arn ?? '')[FINGERPRINT_TAG], 'v2');
    fake.resetCalls();
    await reconcile(SHOP, webSpec(SHOP, 'v2'));
    assert.deepEqual(fake.mutatingCalls(), []);
  });

  it('imports a Secret shared by two stacks once, and deletes it only after both let go and the listener detached it', async () => {
    await reconcile(SHOP, webSpec(SHOP));
    await reconcile(BLOG, webSpec(BLOG));
    const [shared, ...others] = fake.state.certificates();
    const arn = shared?.arn ?? assert.fail('not imported');
    assert.equal(others.length, 0);
    assert.equal(fake.callCounts()['acm:ImportCertificate'], 1);
    assert.equal(fake.state.tagsOf(arn)[usedByTagKey(BLOG)], BLOG);
    const listenerArn = await attachToListener(arn);

    const blogGone = await reconcile(BLOG, undefined);
    assert.deepEqual(
      blogGone.plan.cleanup.map((operation) => operation.action),
      ['RemoveTagsFromCertificate'],
    );
    assert.equal(fake.state.tagsOf(arn)[usedByTagKey(BLOG)], undefined);
    assert.equal(fake.state.certificates().length, 1);

    const shopGone = await reconcile(SHOP, undefined);
    assert.deepEqual(
      shopGone.plan.cleanup.map((operation) => operation.action),
      ['DeleteCertificate'],
    );
    assert.equal(shopGone.cleaned.failure, undefined, 'ResourceInUse is "retry later", not a failure');
    assert.equal(fake.callCounts()['acm:DeleteCertificate'], 1);
    assert.equal(fake.state.certificates().length, 1);
    assert.equal(fake.state.tagsOf(arn)[usedByTagKey(SHOP)], SHOP, 'the user tag stays until the delete succeeds');

    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await reconcile(SHOP, undefined);
    assert.deepEqual(fake.state.certificates(), []);
  });

  it('sees a certificate apply just imported even before the tagging index lists it', async () => {
    const { references } = await reconcile(SHOP, webSpec(SHOP));
    const arn = references.get(WEB_REF) ?? assert.fail('not imported');
    const unindexed = await observeCertificates(clients, 'another-view', SHOP, { knownArns: [arn] });
    assert.deepEqual(unindexed, [], 'a known ARN of another cluster is not ours');
    const known = await observeCertificates(clients, CLUSTER, SHOP, { knownArns: [arn, `${arn.slice(0, -4)}0000`] });
    assert.deepEqual(
      known.map((certificate) => [certificate.arn, certificate.inUse]),
      [[arn, true]],
    );
  });

  it('never puts key material in a plan, an outcome or an error', async () => {
    await reconcile(SHOP, webSpec(SHOP));
    secrets.set('default/web-tls', { ...material(rotated), privateKeyPem: first.privateKeyPem });
    const mismatched = await reconcile(SHOP, webSpec(SHOP, 'v2'));
    assert.ok(mismatched.created.failure, 'a key that does not match its certificate is refused');
    secrets.clear();
    const missing = await reconcile(BLOG, stackSpec(BLOG, { certificates: [secretCertificate('default', 'gone', 'v1')] }));
    assert.match(missing.created.failure?.error ?? '', /default\/gone/);
    for (const rendered of renderedPlans) {
      assert.doesNotMatch(rendered, /BEGIN|PRIVATE KEY|CERTIFICATE-----/);
      assert.ok(!rendered.includes(first.privateKeyPem.split('\n')[1] ?? '-'), 'no line of the key');
    }
  });
});
