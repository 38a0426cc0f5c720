/**
 * deploy/iam-policy.json, for the calls of issue 14, enforced by the AWS fake: a principal holding it
 * can put a web ACL on our load balancer but on no one else's, take one off ours only, create a
 * Shield protection only with our tags and delete only its own, change only our listeners'
 * attributes, and authenticate with Cognito only because it may read the app client.
 * test/providers/aws/alb-features.test.ts runs the provider through the same policy.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CreateListenerCommand, CreateRuleCommand, ModifyListenerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateProtectionCommand, DeleteProtectionCommand, type ShieldClient } from '@aws-sdk/client-shield';
import { AssociateWebACLCommand, DisassociateWebACLCommand, type WAFV2Client } from '@aws-sdk/client-wafv2';
import { CLUSTER_TAG, ownershipTags } from '../../providers/aws/plan/tags.js';
import type { AwsClients } from '../../providers/aws/sdk/clients.js';
import { seedDefaultNetwork } from '../../fakes/aws/fixtures.js';
import { type AwsFake, createAwsFake, type DeniedCall } from '../../fakes/aws/index.js';
import { sdkClients } from '../support/aws-plan-runner.js';
import { deployedIamPolicy, refusedCall, tagList } from '../support/aws-provider-world.js';

describe('deploy/iam-policy.json and the calls in front of the load balancer', () => {
  let fake: AwsFake;
  let clients: AwsClients;
  let wafv2: WAFV2Client;
  let shield: ShieldClient;
  const ours = (resource: string): Record<string, string> => ownershipTags('test', 'default/shop', resource);

  beforeEach(async () => {
    fake = createAwsFake({ iamPolicy: deployedIamPolicy() });
    fake.install();
    seedDefaultNetwork(fake);
    clients = sdkClients();
    ({ client: wafv2 } = await clients.wafv2.load());
    ({ client: shield } = await clients.shield.load());
  });
  afterEach(() => fake.restore());

  const refused = (send: () => Promise<unknown>, code: string): Promise<DeniedCall> => refusedCall(fake, send, code);

  it('a web ACL: on and off our load balancer, never on or off someone else’s', async () => {
    const acl = fake.seed.webAcl({ name: 'shop-acl' });
    const ourLb = fake.seed.loadBalancer({ name: 'ours', tags: ours('LoadBalancer') });
    const foreign = fake.seed.loadBalancer({ name: 'foreign', tags: { owner: 'someone' } });
    const fms = fake.seed.webAcl({ name: 'fms', associateWith: foreign });
    await wafv2.send(new AssociateWebACLCommand({ WebACLArn: acl, ResourceArn: ourLb }));
    assert.equal(fake.state.webAclOf(ourLb), acl);
    await wafv2.send(new DisassociateWebACLCommand({ ResourceArn: ourLb }));
    assert.equal(fake.state.webAclOf(ourLb), undefined);

    const onForeign = await refused(() => wafv2.send(new AssociateWebACLCommand({ WebACLArn: acl, ResourceArn: foreign })), 'AccessDeniedException');
    assert.deepEqual([onForeign.iamAction, onForeign.resource], ['elasticloadbalancing:SetWebAcl', foreign]);
    await refused(() => wafv2.send(new DisassociateWebACLCommand({ ResourceArn: foreign })), 'AccessDeniedException');
    assert.equal(fake.state.webAclOf(foreign), fms);
  });

  it('a Shield protection: created only with our cluster tag, deleted only when it carries it', async () => {
    const ourLb = fake.seed.loadBalancer({ name: 'ours', tags: ours('LoadBalancer') });
    const other = fake.seed.loadBalancer({ name: 'other', tags: ours('LoadBalancer') });
    const untagged = await refused(() => shield.send(new CreateProtectionCommand({ Name: 'x', ResourceArn: ourLb })), 'AccessDeniedException');
    assert.equal(untagged.iamAction, 'shield:CreateProtection');
    const theirs = await refused(
      () => shield.send(new CreateProtectionCommand({ Name: 'x', ResourceArn: ourLb, Tags: tagList({ [CLUSTER_TAG]: 'another-cluster' }) })),
      'AccessDeniedException',
    );
    assert.equal(theirs.iamAction, 'shield:CreateProtection');
    const created = await shield.send(
      new CreateProtectionCommand({ Name: 'ingress-bridge ours', ResourceArn: ourLb, Tags: tagList(ours('ShieldProtection')) }),
    );
    await shield.send(new DeleteProtectionCommand({ ProtectionId: created.ProtectionId }));

    const fms = fake.seed.shieldProtection({ resourceArn: other });
    const denied = await refused(() => shield.send(new DeleteProtectionCommand({ ProtectionId: fms })), 'AccessDeniedException');
    assert.equal(denied.iamAction, 'shield:DeleteProtection');
    assert.ok(fake.state.protectionOf(other));
  });

  it('listener attributes: only on our listeners', async () => {
    const ourLb = fake.seed.loadBalancer({ name: 'ours', tags: ours('LoadBalancer') });
    const foreignLb = fake.seed.loadBalancer({ name: 'foreign' });
    const ourListener = fake.seed.listener({ loadBalancerArn: ourLb, port: 80, tags: ours('Listener/80') });
    const foreignListener = fake.seed.listener({ loadBalancerArn: foreignLb, port: 80 });
    const attributes = [{ Key: 'routing.http.response.server.enabled', Value: 'false' }];
    await clients.elbv2.send(new ModifyListenerAttributesCommand({ ListenerArn: ourListener, Attributes: attributes }));
    await refused(() => clients.elbv2.send(new ModifyListenerAttributesCommand({ ListenerArn: foreignListener, Attributes: attributes })), 'AccessDenied');
  });

  it('authenticate-cognito needs cognito-idp:DescribeUserPoolClient on the user pool, which the policy grants', async () => {
    const ourLb = fake.seed.loadBalancer({ name: 'ours', tags: ours('LoadBalancer') });
    fake.useIamPolicy(undefined);
    const certificate = fake.seed.certificate({ domainName: 'shop.example.com' });
    const listener = await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: ourLb,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: certificate }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        Tags: tagList(ours('Listener/443')),
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
    const pool = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123';
    const rule = {
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin'] } }],
      Actions: [
        { Type: 'authenticate-cognito' as const, Order: 1, AuthenticateCognitoConfig: { UserPoolArn: pool, UserPoolClientId: 'abc', UserPoolDomain: 'shop' } },
        { Type: 'fixed-response' as const, Order: 2, FixedResponseConfig: { StatusCode: '200' } },
      ],
      Tags: tagList(ours('Rule/443')),
    };
    const policy = deployedIamPolicy() as { Statement: { Sid: string }[] };
    fake.useIamPolicy({ ...policy, Statement: policy.Statement.filter((statement) => statement.Sid !== 'ReadCognitoAppClients') });
    const denied = await refused(() => clients.elbv2.send(new CreateRuleCommand(rule)), 'AccessDenied');
    assert.deepEqual([denied.iamAction, denied.resource], ['cognito-idp:DescribeUserPoolClient', pool]);
    fake.useIamPolicy(deployedIamPolicy());
    await clients.elbv2.send(new CreateRuleCommand(rule));
  });
});
