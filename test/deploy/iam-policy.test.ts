/**
 * The fake's IAM evaluator, and deploy/iam-policy.json enforced by it: the policy names every write
 * the provider can plan and no wildcard action, and a principal holding it cannot touch a load
 * balancer, target group, security group or certificate that is not ours (SDK calls straight into
 * the fake). test/aws-provider-iam.test.ts runs the provider's whole life under the same policy.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AddTagsToCertificateCommand, DeleteCertificateCommand, ImportCertificateCommand, RemoveTagsFromCertificateCommand } from '@aws-sdk/client-acm';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateTagsCommand, DeleteSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { plannableActions } from '../../providers/aws/apply/commands.js';
import type { AwsClients } from '../../providers/aws/sdk/clients.js';
import { CLUSTER_TAG, ownershipTags } from '../../providers/aws/plan/tags.js';
import { type DefaultNetwork, seedDefaultNetwork, testCertificate } from '../../fakes/aws/fixtures.js';
import { evaluate, type IamPolicy, IamPolicyError, parseIamPolicy } from '../../fakes/aws/iam.js';
import { IAM_PREFIX } from '../../fakes/aws/iam-requests.js';
import { type AwsFake, createAwsFake, type DeniedCall } from '../../fakes/aws/index.js';
import { sdkClients } from '../support/aws-plan-runner.js';
import { deployedIamPolicy, refusedCall, tagList } from '../support/aws-provider-world.js';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-shop/0123456789abcdef';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-web/0123456789abcdef';
const OWNED = { [`aws:ResourceTag/${CLUSTER_TAG}`]: ['test'] };

function policyOf(...statements: unknown[]): IamPolicy {
  return parseIamPolicy({ Version: '2012-10-17', Statement: statements });
}

function allowed(policy: IamPolicy, action: string, resource: string, context: Record<string, string[]> = {}): boolean {
  return evaluate(policy, { action, resource, context }).allowed;
}

describe('IAM evaluator', () => {
  it('allows an action on a resource a statement names, and says which statement did', () => {
    const policy = policyOf({
      Sid: 'Delete',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:DeleteLoadBalancer',
      Resource: 'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
    });
    assert.deepEqual(evaluate(policy, { action: 'elasticloadbalancing:DeleteLoadBalancer', resource: LB, context: {} }), {
      allowed: true,
      statement: 'Delete',
    });
  });

  it('denies by default an action no statement names; action names match case-insensitively, with wildcards', () => {
    const policy = policyOf({ Effect: 'Allow', Action: ['elasticloadbalancing:Describe*'], Resource: '*' });
    assert.equal(allowed(policy, 'elasticloadbalancing:DescribeTags', '*'), true);
    assert.equal(allowed(policy, 'ElasticLoadBalancing:describetags', '*'), true);
    assert.deepEqual(evaluate(policy, { action: 'elasticloadbalancing:DeleteRule', resource: '*', context: {} }), { allowed: false, reason: 'no-allow' });
    assert.equal(allowed(policy, 'ec2:DescribeSubnets', '*'), false);
  });

  it('denies a resource outside the statement, matching ARNs part by part', () => {
    const policy = policyOf({ Effect: 'Allow', Action: 'elasticloadbalancing:*', Resource: ['arn:aws:elasticloadbalancing:us-*:*:targetgroup/*/*'] });
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteTargetGroup', TG), true);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteTargetGroup', LB), false);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteTargetGroup', TG.replace('us-east-1', 'eu-west-1')), false);
    assert.equal(allowed(policyOf({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:*:targetgroup/*' }), 'elasticloadbalancing:DeleteTargetGroup', TG), false);
  });

  it('denies a create whose request lacks the cluster tag', () => {
    const policy = policyOf({
      Effect: 'Allow',
      Action: 'elasticloadbalancing:CreateLoadBalancer',
      Resource: '*',
      Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } },
    });
    assert.equal(allowed(policy, 'elasticloadbalancing:CreateLoadBalancer', LB, { [`aws:RequestTag/${CLUSTER_TAG}`]: ['test'] }), true);
    assert.equal(allowed(policy, 'elasticloadbalancing:CreateLoadBalancer', LB, { 'aws:RequestTag/team': ['shop'] }), false);
  });

  it('denies a change to a resource that carries someone else’s tag, or none', () => {
    const policy = policyOf({
      Effect: 'Allow',
      Action: 'elasticloadbalancing:DeleteLoadBalancer',
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'test' } },
    });
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteLoadBalancer', LB, OWNED), true);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteLoadBalancer', LB, { [`aws:ResourceTag/${CLUSTER_TAG}`]: ['other'] }), false);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteLoadBalancer', LB, {}), false);
  });

  it('lets an explicit Deny win over every Allow; a negated operator holds when its key is absent', () => {
    const policy = policyOf(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      {
        Sid: 'KeepOthers',
        Effect: 'Deny',
        Action: 'elasticloadbalancing:DeleteLoadBalancer',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceTag/team': 'shop' } },
      },
    );
    assert.deepEqual(evaluate(policy, { action: 'elasticloadbalancing:DeleteLoadBalancer', resource: LB, context: { 'aws:ResourceTag/team': ['web'] } }), {
      allowed: false,
      reason: 'explicit-deny',
      statement: 'KeepOthers',
    });
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteLoadBalancer', LB, {}), false);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteLoadBalancer', LB, { 'aws:ResourceTag/team': ['shop'] }), true);
    assert.equal(allowed(policy, 'elasticloadbalancing:DeleteTargetGroup', TG, { 'aws:ResourceTag/team': ['web'] }), true);
  });

  it('evaluates ForAllValues, ForAnyValue and IfExists as IAM does', () => {
    const keys = (...values: string[]): Record<string, string[]> => ({ 'aws:TagKeys': values });
    const all = policyOf({ Effect: 'Allow', Action: 'a:B', Resource: '*', Condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': [CLUSTER_TAG] } } });
    assert.equal(allowed(all, 'a:B', '*', keys('team')), true);
    assert.equal(allowed(all, 'a:B', '*', keys('team', CLUSTER_TAG)), false);
    assert.equal(allowed(all, 'a:B', '*'), true, 'ForAllValues holds for an absent key');
    const any = policyOf({ Effect: 'Allow', Action: 'a:B', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'ingress-bridge.io/*' } } });
    assert.equal(allowed(any, 'a:B', '*', keys('team', 'ingress-bridge.io/stack')), true);
    assert.equal(allowed(any, 'a:B', '*', keys('team')), false);
    assert.equal(allowed(any, 'a:B', '*'), false, 'ForAnyValue fails for an absent key');
    const ifExists = policyOf({ Effect: 'Allow', Action: 'a:B', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:ResourceTag/team': 'shop' } } });
    assert.equal(allowed(ifExists, 'a:B', '*'), true);
    assert.equal(allowed(ifExists, 'a:B', '*', { 'aws:ResourceTag/team': ['web'] }), false);
  });

  it('refuses a policy it cannot evaluate faithfully', () => {
    const statement = { Effect: 'Allow', Action: 'a:B', Resource: '*' };
    assert.throws(() => policyOf({ ...statement, Action: undefined, NotAction: 'a:B' }), IamPolicyError);
    assert.throws(() => policyOf({ ...statement, Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }), IamPolicyError);
    assert.throws(() => policyOf({ ...statement, Condition: { 'ForAllValues:Null': { 'aws:TagKeys': 'true' } } }), IamPolicyError);
    assert.throws(() => parseIamPolicy({ Version: '2008-10-17', Statement: [statement] }), IamPolicyError);
  });
});

describe('deploy/iam-policy.json', () => {
  const policy = parseIamPolicy(deployedIamPolicy());

  it('names every write the provider can plan, and no wildcard action; each statement has its own Sid', () => {
    const actions = new Set(policy.Statement.flatMap((statement) => statement.Action));
    assert.deepEqual(
      [...actions].filter((action) => /[*?]/.test(action)),
      [],
    );
    const writes = Object.entries(plannableActions()).flatMap(([service, names]) =>
      names.map((name) => `${IAM_PREFIX[service as keyof typeof IAM_PREFIX]}:${name}`),
    );
    assert.deepEqual(
      writes.filter((action) => !actions.has(action)),
      [],
    );
    const sids = policy.Statement.map((statement) => statement.Sid);
    assert.equal(new Set(sids).size, sids.length);
    assert.ok(sids.every((sid) => sid !== undefined && /^[A-Za-z0-9]+$/.test(sid)));
  });
});

describe('deploy/iam-policy.json refuses what is not ours', () => {
  let fake: AwsFake;
  let clients: AwsClients;
  let network: DefaultNetwork;
  const ours = (resource: string): Record<string, string> => ownershipTags('test', 'default/shop', resource);

  beforeEach(() => {
    fake = createAwsFake({ iamPolicy: deployedIamPolicy() });
    fake.install();
    network = seedDefaultNetwork(fake);
    clients = sdkClients();
  });
  afterEach(() => fake.restore());

  const refused = (send: () => Promise<unknown>, code: string): Promise<DeniedCall> => refusedCall(fake, send, code);

  it('a load balancer: no change, delete, listener or claim on a foreign one; ours may change but not be disowned', async () => {
    const foreign = fake.seed.loadBalancer({ name: 'foreign', tags: { owner: 'someone' } });
    const ourLb = fake.seed.loadBalancer({ name: 'ours', tags: ours('LoadBalancer') });
    const denied = await refused(() => clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: foreign })), 'AccessDenied');
    assert.deepEqual([denied.iamAction, denied.resource, denied.reason], ['elasticloadbalancing:DeleteLoadBalancer', foreign, 'no-allow']);
    assert.ok(fake.state.loadBalancers().some((lb) => lb.arn === foreign));
    const attributes = [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }];
    await refused(() => clients.elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: foreign, Attributes: attributes })), 'AccessDenied');
    const listener = { Port: 81, Protocol: 'HTTP' as const, DefaultActions: [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }] };
    await refused(
      () => clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: foreign, ...listener, Tags: tagList(ours('Listener/81')) })),
      'AccessDenied',
    );
    await refused(() => clients.elbv2.send(new AddTagsCommand({ ResourceArns: [foreign], Tags: tagList(ours('LoadBalancer')) })), 'AccessDenied');
    await clients.elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: ourLb, Attributes: attributes }));
    await clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: ourLb, ...listener, Tags: tagList(ours('Listener/81')) }));
    await refused(() => clients.elbv2.send(new RemoveTagsCommand({ ResourceArns: [ourLb], TagKeys: [CLUSTER_TAG] })), 'AccessDenied');
    await refused(() => clients.elbv2.send(new CreateLoadBalancerCommand({ Name: 'untagged', Subnets: network.publicSubnetIds })), 'AccessDenied');
    assert.ok(!fake.state.loadBalancers().some((lb) => lb.name === 'untagged'));
  });

  it('a target group: no registering or deleting on one without our cluster tag', async () => {
    const foreign = fake.seed.targetGroup({ name: 'foreign', tags: { 'ingress-bridge.io/stack': 'default/shop' } });
    const ourGroup = fake.seed.targetGroup({ name: 'ours', tags: ours('TargetGroup/default/web:80/instance') });
    const targets = [{ Id: network.instanceId, Port: 30080 }];
    const denied = await refused(() => clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: foreign, Targets: targets })), 'AccessDenied');
    assert.equal(denied.iamAction, 'elasticloadbalancing:RegisterTargets');
    await refused(() => clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: foreign })), 'AccessDenied');
    assert.deepEqual(fake.state.targets(foreign), []);
    await clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: ourGroup, Targets: targets }));
    assert.equal(fake.state.targets(ourGroup).length, 1);
  });

  it('a security group: nothing on a foreign one; backend rules only on groups tagged for this cluster, never their deletion', async () => {
    const foreign = fake.seed.securityGroup({ name: 'foreign', vpcId: network.vpcId });
    const otherCluster = fake.seed.securityGroup({ name: 'other-nodes', vpcId: network.vpcId, tags: { 'kubernetes.io/cluster/other': 'owned' } });
    const rule = (groupId: string) =>
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 30080, ToPort: 30080, UserIdGroupPairs: [{ GroupId: foreign }] }],
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: tagList(ours('SecurityGroupRule/backend')) }],
      });
    const denied = await refused(() => clients.ec2.send(rule(foreign)), 'UnauthorizedOperation');
    assert.equal(denied.resource, `arn:aws:ec2:us-east-1:123456789012:security-group/${foreign}`);
    await refused(() => clients.ec2.send(rule(otherCluster)), 'UnauthorizedOperation');
    await refused(() => clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: foreign })), 'UnauthorizedOperation');
    await refused(
      () => clients.ec2.send(new CreateTagsCommand({ Resources: [foreign], Tags: tagList(ours('SecurityGroup/frontend')) })),
      'UnauthorizedOperation',
    );
    await clients.ec2.send(rule(network.nodeSecurityGroupId));
    await refused(() => clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: network.nodeSecurityGroupId })), 'UnauthorizedOperation');
    await refused(
      () => clients.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'untagged', Description: 'untagged', VpcId: network.vpcId })),
      'UnauthorizedOperation',
    );
    assert.deepEqual(
      fake.state
        .securityGroups()
        .map((group) => group.name)
        .filter((name) => name === 'untagged'),
      [],
    );
  });

  it('a certificate: no reimport, retagging or delete of a foreign one, and no import without our tags', async () => {
    const foreign = fake.seed.certificate({ domainName: 'shop.example.com' });
    const pem = testCertificate({ commonName: 'shop.example.com' });
    const material = { Certificate: Buffer.from(pem.certificatePem), PrivateKey: Buffer.from(pem.privateKeyPem) };
    const { client: acm } = await clients.acm.load();
    const denied = await refused(() => acm.send(new DeleteCertificateCommand({ CertificateArn: foreign })), 'AccessDeniedException');
    assert.deepEqual([denied.iamAction, denied.resource], ['acm:DeleteCertificate', foreign]);
    await refused(() => acm.send(new ImportCertificateCommand({ CertificateArn: foreign, ...material })), 'AccessDeniedException');
    await refused(
      () => acm.send(new AddTagsToCertificateCommand({ CertificateArn: foreign, Tags: [{ Key: 'ingress-bridge.io/used-by/x', Value: 'default/shop' }] })),
      'AccessDeniedException',
    );
    await refused(() => acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: foreign, Tags: [{ Key: 'owner' }] })), 'AccessDeniedException');
    await refused(() => acm.send(new ImportCertificateCommand(material)), 'AccessDeniedException');
    assert.equal(fake.state.certificates().length, 1);
    assert.equal(fake.state.certificates()[0]?.importCount, 1);
  });

  it('cannot tell tagging at import from adding our cluster tag to a foreign certificate: ACM has no CreateAction key (docs/aws.md)', async () => {
    const foreign = fake.seed.certificate({ domainName: 'shop.example.com' });
    const { client: acm } = await clients.acm.load();
    await acm.send(new AddTagsToCertificateCommand({ CertificateArn: foreign, Tags: tagList(ours('Certificate/x')) }));
    assert.equal(fake.state.tagsOf(foreign)[CLUSTER_TAG], 'test');
  });
});
