/**
 * deploy/iam-policy.json pins the cluster tag to the cluster's own name: two clusters share one
 * account, and the role of cluster `test` (the policy instantiated for it) is refused every write on
 * the load balancer, listener, rule, target group, security group and certificate of cluster
 * `other`, on its web ACL association and Shield protection — including taking them over by
 * retagging them — while its own stack converges with no
 * call refused. A policy that only required the tag key to exist (`Null`) allowed all of these.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { plannableActions } from '../../../providers/aws/apply/commands.js';
import { AwsProvider } from '../../../providers/aws/provider.js';
import { CLUSTER_TAG } from '../../../providers/aws/plan/tags.js';
import { ApiBudget } from '../../../providers/aws/sdk/budget.js';
import { createAwsClients } from '../../../providers/aws/sdk/clients.js';
import { type AwsFake, createAwsFake } from '../../../fakes/aws/index.js';
import { type DefaultNetwork, seedDefaultNetwork, testCertificate } from '../../../fakes/aws/fixtures.js';
import { deployedIamPolicy, reconcile, tlsSecret } from '../../support/aws-provider-world.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, testOptions, translateYaml } from '../../support/cluster.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const OURS = 'test';
const OTHER = 'other';

type Service = 'elbv2' | 'acm' | 'ec2' | 'wafv2' | 'shield' | 'lambda';
interface Attempt {
  service: Service;
  action: string;
  input: Record<string, unknown>;
}

/** Their first target group's ARN, which their statement admits. */
function theirs0(fake: AwsFake): string {
  return fake.state.targetGroups()[0]?.arn ?? '';
}

const DENIED_CODE: Record<Service, string> = {
  elbv2: 'AccessDenied',
  acm: 'AccessDeniedException',
  ec2: 'UnauthorizedOperation',
  wafv2: 'AccessDeniedException',
  shield: 'AccessDeniedException',
  lambda: 'AccessDeniedException',
};

function tags(cluster: string, resource: string): { Key: string; Value: string }[] {
  return [
    { Key: CLUSTER_TAG, Value: cluster },
    { Key: 'ingress-bridge.io/stack', Value: 'default/shop' },
    { Key: 'ingress-bridge.io/resource', Value: resource },
  ];
}

describe('deploy/iam-policy.json: one cluster’s role cannot touch another cluster’s resources in the same account', () => {
  let fake: AwsFake;
  let network: DefaultNetwork;
  const material = {} as Record<string, { certificatePem: string; chainPem: string; privateKeyPem: string }>;
  const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const providerOf = (clusterName: string): AwsProvider =>
    new AwsProvider({
      clusterName,
      clients,
      certificates: { get: (namespace, name) => material[`${namespace}/${name}`] },
      retry: { maxAttempts: 3, sleep: async () => {} },
    });

  function shopSpec(clusterName: string): LoadBalancerSpec {
    const secret = tlsSecret('default', 'shop-tls', 'shop.example.com');
    Object.assign(material, secret.material);
    const yaml =
      serviceYaml({ name: 'web' }) +
      serviceYaml({ name: 'api', nodePort: 30081 }) +
      secret.yaml +
      ingressYaml({
        name: 'shop',
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/subnets': network.publicSubnetIds.join(','),
          'alb.ingress.kubernetes.io/wafv2-acl-arn': webAcl,
          'alb.ingress.kubernetes.io/shield-advanced-protection': 'true',
        },
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.example.com',
            paths: [
              { path: '/', pathType: 'Prefix', service: 'web' },
              { path: '/api', pathType: 'Prefix', service: 'api' },
            ],
          },
        ],
      });
    return onlySpec(translateYaml(INGRESS_CLASS_YAML + NODE_YAML + yaml, testOptions({ clusterName, now: new Date() })));
  }

  /** Every resource of one cluster: `kind` → ids, with their tags as they are now. */
  function inventory(cluster: string): Record<string, string[]> {
    const of = (id: string): boolean => fake.state.tagsOf(id)[CLUSTER_TAG] === cluster;
    const lbs = fake.state.loadBalancers().filter((lb) => of(lb.arn));
    const listeners = lbs.flatMap((lb) => fake.state.listeners(lb.arn)).filter((listener) => of(listener.arn));
    return {
      lb: lbs.map((lb) => lb.arn),
      listener: listeners.map((listener) => listener.arn),
      rule: listeners
        .flatMap((listener) => fake.state.rules(listener.arn))
        .filter((rule) => of(rule.arn))
        .map((rule) => rule.arn),
      tg: fake.state
        .targetGroups()
        .filter((group) => of(group.arn))
        .map((group) => group.arn),
      sg: fake.state
        .securityGroups()
        .filter((group) => of(group.id))
        .map((group) => group.id),
      certificate: fake.state
        .certificates()
        .filter((certificate) => of(certificate.arn))
        .map((certificate) => certificate.arn),
      protection: lbs.flatMap((lb) => fake.state.protectionOf(lb.arn)?.id ?? []),
      association: lbs.flatMap((lb) => fake.state.webAclOf(lb.arn) ?? []),
    };
  }

  let theirs: Record<string, string[]>;
  let webAcl: string;
  let before_: string;
  const results: { attempt: Attempt; error?: string }[] = [];

  before(async () => {
    fake = createAwsFake({ targetsHealthyAfterDescribes: 0, iamPolicy: deployedIamPolicy(OTHER) });
    fake.install();
    network = seedDefaultNetwork(fake);
    webAcl = fake.seed.webAcl({ name: 'shop-acl' });
    // Cluster `other` builds its stack with its own role, and lets its load balancers invoke its function.
    await reconcile(providerOf(OTHER), 'default/shop', shopSpec(OTHER));
    fake.seed.lambdaFunction({ name: 'their-function', tags: { [CLUSTER_TAG]: OTHER } });
    const elbInvokes = { FunctionName: 'their-function', Action: 'lambda:InvokeFunction', Principal: 'elasticloadbalancing.amazonaws.com' };
    await fake.dispatch('lambda', 'AddPermission', { ...elbInvokes, StatementId: 'ingress-bridge-theirs', SourceArn: theirs0(fake) });
    theirs = inventory(OTHER);
    before_ = JSON.stringify(
      Object.values(theirs)
        .flat()
        .map((id) => [id, fake.state.tagsOf(id)]),
    );

    // From here on, every call is made by cluster `test`'s role.
    fake.useIamPolicy(deployedIamPolicy(OURS));
    const [lb = '', tg = '', listener = '', rule = '', sg = '', certificate = '', protection = ''] = [
      theirs.lb,
      theirs.tg,
      theirs.listener,
      theirs.rule,
      theirs.sg,
      theirs.certificate,
      theirs.protection,
    ].map((ids) => ids?.[0] ?? '');
    const pem = testCertificate({ commonName: 'shop.example.com' });
    const fixed = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
    const attempts: Attempt[] = [
      {
        service: 'elbv2',
        action: 'ModifyLoadBalancerAttributes',
        input: { LoadBalancerArn: lb, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] },
      },
      { service: 'elbv2', action: 'SetSecurityGroups', input: { LoadBalancerArn: lb, SecurityGroups: [network.nodeSecurityGroupId] } },
      { service: 'elbv2', action: 'SetSubnets', input: { LoadBalancerArn: lb, Subnets: network.publicSubnetIds.slice(0, 2) } },
      { service: 'elbv2', action: 'SetIpAddressType', input: { LoadBalancerArn: lb, IpAddressType: 'dualstack' } },
      { service: 'elbv2', action: 'DeleteLoadBalancer', input: { LoadBalancerArn: lb } },
      {
        service: 'elbv2',
        action: 'CreateListener',
        input: { LoadBalancerArn: lb, Port: 81, Protocol: 'HTTP', DefaultActions: fixed, Tags: tags(OURS, 'Listener/81') },
      },
      { service: 'elbv2', action: 'ModifyListener', input: { ListenerArn: listener, DefaultActions: fixed } },
      { service: 'elbv2', action: 'AddListenerCertificates', input: { ListenerArn: listener, Certificates: [{ CertificateArn: certificate }] } },
      { service: 'elbv2', action: 'RemoveListenerCertificates', input: { ListenerArn: listener, Certificates: [{ CertificateArn: certificate }] } },
      { service: 'elbv2', action: 'DeleteListener', input: { ListenerArn: listener } },
      {
        service: 'elbv2',
        action: 'ModifyListenerAttributes',
        input: { ListenerArn: listener, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'false' }] },
      },
      { service: 'wafv2', action: 'AssociateWebACL', input: { WebACLArn: webAcl, ResourceArn: lb } },
      { service: 'wafv2', action: 'DisassociateWebACL', input: { ResourceArn: lb } },
      { service: 'shield', action: 'DeleteProtection', input: { ProtectionId: protection } },
      { service: 'shield', action: 'CreateProtection', input: { Name: 'imposter', ResourceArn: lb, Tags: tags(OTHER, 'ShieldProtection') } },
      {
        service: 'elbv2',
        action: 'CreateRule',
        input: { ListenerArn: listener, Priority: 40, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: fixed, Tags: tags(OURS, 'Rule/x') },
      },
      { service: 'elbv2', action: 'ModifyRule', input: { RuleArn: rule, Actions: fixed } },
      { service: 'elbv2', action: 'SetRulePriorities', input: { RulePriorities: [{ RuleArn: rule, Priority: 41 }] } },
      { service: 'elbv2', action: 'DeleteRule', input: { RuleArn: rule } },
      { service: 'elbv2', action: 'ModifyTargetGroup', input: { TargetGroupArn: tg, HealthCheckPath: '/steal' } },
      {
        service: 'elbv2',
        action: 'ModifyTargetGroupAttributes',
        input: { TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] },
      },
      { service: 'elbv2', action: 'RegisterTargets', input: { TargetGroupArn: tg, Targets: [{ Id: network.instanceId, Port: 31000 }] } },
      { service: 'elbv2', action: 'DeregisterTargets', input: { TargetGroupArn: tg, Targets: [{ Id: network.instanceId, Port: 30080 }] } },
      { service: 'elbv2', action: 'DeleteTargetGroup', input: { TargetGroupArn: tg } },
      // Taking each one over: our cluster's tag, and anything else.
      ...[lb, listener, rule, tg].flatMap((arn): Attempt[] => [
        { service: 'elbv2', action: 'AddTags', input: { ResourceArns: [arn], Tags: [{ Key: CLUSTER_TAG, Value: OURS }] } },
        { service: 'elbv2', action: 'AddTags', input: { ResourceArns: [arn], Tags: [{ Key: 'team', Value: 'x' }] } },
        { service: 'elbv2', action: 'RemoveTags', input: { ResourceArns: [arn], TagKeys: ['ingress-bridge.io/stack'] } },
      ]),
      // Creating resources labelled as the other cluster's.
      { service: 'elbv2', action: 'CreateLoadBalancer', input: { Name: 'imposter', Subnets: network.publicSubnetIds, Tags: tags(OTHER, 'LoadBalancer') } },
      {
        service: 'elbv2',
        action: 'CreateTargetGroup',
        input: { Name: 'imposter', Protocol: 'HTTP', Port: 80, VpcId: network.vpcId, Tags: tags(OTHER, 'TargetGroup/x') },
      },
      {
        service: 'ec2',
        action: 'CreateSecurityGroup',
        input: {
          GroupName: 'imposter',
          Description: 'x',
          VpcId: network.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(OTHER, 'SecurityGroup/frontend') }],
        },
      },
      {
        service: 'acm',
        action: 'ImportCertificate',
        input: { Certificate: Buffer.from(pem.certificatePem), PrivateKey: Buffer.from(pem.privateKeyPem), Tags: tags(OTHER, 'Certificate/x') },
      },
      {
        service: 'ec2',
        action: 'AuthorizeSecurityGroupIngress',
        input: { GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
      },
      {
        service: 'ec2',
        action: 'RevokeSecurityGroupIngress',
        input: { GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
      },
      { service: 'ec2', action: 'CreateTags', input: { Resources: [sg], Tags: [{ Key: CLUSTER_TAG, Value: OURS }] } },
      { service: 'ec2', action: 'CreateTags', input: { Resources: [sg], Tags: [{ Key: 'team', Value: 'x' }] } },
      { service: 'ec2', action: 'DeleteTags', input: { Resources: [sg], Tags: [{ Key: 'ingress-bridge.io/stack' }] } },
      { service: 'ec2', action: 'DeleteSecurityGroup', input: { GroupId: sg } },
      {
        service: 'acm',
        action: 'ImportCertificate',
        input: { CertificateArn: certificate, Certificate: Buffer.from(pem.certificatePem), PrivateKey: Buffer.from(pem.privateKeyPem) },
      },
      { service: 'acm', action: 'AddTagsToCertificate', input: { CertificateArn: certificate, Tags: [{ Key: CLUSTER_TAG, Value: OURS }] } },
      {
        service: 'acm',
        action: 'AddTagsToCertificate',
        input: { CertificateArn: certificate, Tags: [{ Key: 'ingress-bridge.io/used-by/x', Value: 'default/shop' }] },
      },
      { service: 'acm', action: 'RemoveTagsFromCertificate', input: { CertificateArn: certificate, Tags: [{ Key: 'ingress-bridge.io/stack' }] } },
      { service: 'acm', action: 'DeleteCertificate', input: { CertificateArn: certificate } },
      {
        service: 'lambda',
        action: 'AddPermission',
        input: { ...elbInvokes, StatementId: 'ingress-bridge-ours', SourceArn: tg },
      },
      { service: 'lambda', action: 'RemovePermission', input: { FunctionName: 'their-function', StatementId: 'ingress-bridge-theirs' } },
    ];
    for (const attempt of attempts) {
      try {
        await fake.dispatch(attempt.service, attempt.action, attempt.input);
        results.push({ attempt });
      } catch (error) {
        results.push({ attempt, error: error instanceof Error ? error.name : String(error) });
      }
    }
  });

  it('cluster other’s stack has every kind of resource the test needs', () => {
    for (const [kind, ids] of Object.entries(theirs)) assert.ok(ids.length > 0, `cluster other has a ${kind}`);
  });

  it('refuses every write on them, and every create in their name, with the service’s access-denied error', () => {
    const wrong = results
      .filter(({ attempt, error }) => error !== DENIED_CODE[attempt.service])
      .map(({ attempt, error }) => `${attempt.service}:${attempt.action} ${JSON.stringify(attempt.input).slice(0, 80)} → ${error ?? 'allowed'}`);
    assert.deepEqual(wrong, []);
    assert.equal(fake.deniedCalls().length, results.length);
  });

  it('tries every write the provider can plan', () => {
    const tried = new Set(results.map(({ attempt }) => `${attempt.service}:${attempt.action}`));
    const plannable = Object.entries(plannableActions()).flatMap(([service, actions]) => actions.map((action) => `${service}:${action}`));
    assert.deepEqual(
      plannable.filter((action) => !tried.has(action)),
      [],
    );
  });

  it('leaves their resources and tags as they were', () => {
    assert.deepEqual(inventory(OTHER), theirs);
    assert.equal(
      JSON.stringify(
        Object.values(theirs)
          .flat()
          .map((id) => [id, fake.state.tagsOf(id)]),
      ),
      before_,
    );
  });

  it('lets cluster test build, change and delete its own stack of the same name with no call refused', async () => {
    fake.resetCalls();
    const ours = providerOf(OURS);
    await reconcile(ours, 'default/shop', shopSpec(OURS));
    const built = inventory(OURS);
    for (const [kind, ids] of Object.entries(built)) assert.ok(ids.length > 0, `cluster test has a ${kind}`);
    await ours.delete({ id: 'default/shop' });
    assert.deepEqual(fake.deniedCalls(), []);
    assert.deepEqual(Object.values(inventory(OURS)).flat(), []);
    assert.deepEqual(inventory(OTHER), theirs);
  });
});
