/**
 * The AWS fake through the real ELBv2 client: load balancers, listeners, target groups, targets
 * and tags answer and fail the way AWS does. Rules, ACM/EC2/tagging and fault injection have
 * their own files (test/fakes/aws/).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenerCertificatesCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  DuplicateListenerException,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { seedDefaultNetwork, type DefaultNetwork } from '../../../fakes/aws/fixtures.js';

const elbv2 = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
let fake: AwsFake;
let net: DefaultNetwork;
let now = 0;

function start(options: Parameters<typeof createAwsFake>[0] = {}): void {
  fake = createAwsFake({ clock: { now: () => now }, ...options });
  fake.install();
  net = seedDefaultNetwork(fake);
}

async function createAlb(name: string, extra: { Scheme?: 'internal' | 'internet-facing' } = {}): Promise<string> {
  const subnets = extra.Scheme === 'internal' ? net.internalSubnetIds : net.publicSubnetIds;
  const out = await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, ...extra }));
  return out.LoadBalancers?.[0]?.LoadBalancerArn ?? assert.fail('no load balancer ARN');
}

async function createTargetGroup(name: string, targetType: 'instance' | 'ip' = 'instance', port = 80): Promise<string> {
  const out = await elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: port, VpcId: net.vpcId, TargetType: targetType }));
  return out.TargetGroups?.[0]?.TargetGroupArn ?? assert.fail('no target group ARN');
}

const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
const forwardTo = (targetGroupArn: string): Action[] => [{ Type: 'forward', TargetGroupArn: targetGroupArn }];

async function createListener(lbArn: string, port: number, actions: Action[]): Promise<string> {
  const out = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: port, Protocol: 'HTTP', DefaultActions: actions }));
  return out.Listeners?.[0]?.ListenerArn ?? assert.fail('no listener ARN');
}

beforeEach(() => {
  now = 0;
  start();
});
afterEach(() => fake.restore());

describe('load balancers', () => {
  it('uses the real ARN and DNS formats, internal- prefixed for internal schemes', async () => {
    const arn = await createAlb('k8s-web');
    assert.match(arn, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/k8s-web\/[0-9a-f]{16}$/);
    const internal = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-int', Subnets: net.internalSubnetIds, Scheme: 'internal' }));
    assert.match(internal.LoadBalancers?.[0]?.DNSName ?? '', /^internal-k8s-int-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    const described = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['k8s-web'] }));
    assert.equal(described.LoadBalancers?.[0]?.LoadBalancerArn, arn);
    assert.equal(described.LoadBalancers?.[0]?.State?.Code, 'active');
  });

  it('returns the existing load balancer for the same name and settings, else DuplicateLoadBalancerName', async () => {
    const arn = await createAlb('k8s-web');
    assert.equal(await createAlb('k8s-web'), arn);
    await assert.rejects(elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: net.publicSubnetIds.slice(0, 2) })), {
      name: 'DuplicateLoadBalancerNameException',
    });
    assert.equal(fake.state.loadBalancers().length, 1);
  });

  it('rejects names longer than 32 characters, with edge hyphens, or starting with internal-', async () => {
    for (const name of ['a'.repeat(33), '-web', 'web-', 'internal-web', 'web_1']) {
      await assert.rejects(createAlb(name), { name: 'ValidationError' }, name);
    }
    assert.equal(await createAlb('a'.repeat(32)).then(() => 'ok'), 'ok');
  });

  it('needs existing subnets in at least two distinct Availability Zones', async () => {
    const send = (subnets: string[]) => elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-web', Subnets: subnets }));
    await assert.rejects(send([net.publicSubnetIds[0] ?? '']), { name: 'ValidationError' });
    const sameZone = [net.publicSubnetIds[0] ?? '', net.internalSubnetIds[0] ?? ''];
    await assert.rejects(send(sameZone), { name: 'InvalidConfigurationRequestException' });
    await assert.rejects(send([...net.publicSubnetIds, 'subnet-0fffffffffffffff0']), { name: 'SubnetNotFoundException' });
  });

  it('deletes its listeners and rules with it, succeeds again when gone, and honours deletion protection', async () => {
    const lbArn = await createAlb('k8s-web');
    const listenerArn = await createListener(lbArn, 80, notFound);
    await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }));
    await assert.rejects(elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })), { name: 'OperationNotPermittedException' });
    await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(fake.state.listeners(lbArn), []);
    assert.deepEqual(fake.state.rules(listenerArn), []);
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
  });

  it('lists every attribute with defaults and rejects unknown keys or bad values', async () => {
    const lbArn = await createAlb('k8s-web');
    await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] }));
    const { Attributes = [] } = await elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }));
    const values = Object.fromEntries(Attributes.map((a) => [a.Key ?? '', a.Value] as const));
    assert.equal(values['idle_timeout.timeout_seconds'], '120');
    assert.equal(values['routing.http2.enabled'], 'true');
    const modify = (Key: string, Value: string) =>
      elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key, Value }] }));
    await assert.rejects(modify('no.such.key', '1'), { name: 'ValidationError' });
    await assert.rejects(modify('idle_timeout.timeout_seconds', '0'), { name: 'ValidationError' });
  });
});

describe('listeners', () => {
  it('rejects a second listener on the same port and HTTPS without a usable certificate', async () => {
    const lbArn = await createAlb('k8s-web');
    await createListener(lbArn, 80, notFound);
    await assert.rejects(createListener(lbArn, 80, notFound), { name: 'DuplicateListenerException' });
    const https = (certificateArn?: string) =>
      elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Port: 443,
          Protocol: 'HTTPS',
          ...(certificateArn === undefined ? {} : { Certificates: [{ CertificateArn: certificateArn }] }),
          DefaultActions: notFound,
        }),
      );
    await assert.rejects(https(), { name: 'ValidationError' });
    await assert.rejects(https('arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-a000-000000000000'), {
      name: 'CertificateNotFoundException',
    });
    await assert.rejects(https(fake.seed.certificate({ domainName: 'a.test', status: 'PENDING_VALIDATION' })), { name: 'CertificateNotFoundException' });
    const issued = await https(fake.seed.certificate({ domainName: 'a.test' }));
    assert.equal(issued.Listeners?.[0]?.SslPolicy, 'ELBSecurityPolicy-2016-08');
  });

  it('rejects a missing target group and a target group already used by another load balancer', async () => {
    const first = await createAlb('k8s-one');
    const second = await createAlb('k8s-two');
    const tgArn = await createTargetGroup('k8s-tg');
    await assert.rejects(createListener(first, 80, forwardTo(tgArn.replace(/[0-9a-f]{16}$/, '0'.repeat(16)))), { name: 'TargetGroupNotFoundException' });
    await createListener(first, 80, forwardTo(tgArn));
    await assert.rejects(createListener(second, 80, forwardTo(tgArn)), { name: 'TargetGroupAssociationLimitException' });
    await createListener(first, 8080, forwardTo(tgArn));
  });

  it('limits additional certificates per listener and keeps the default one', async () => {
    fake.restore();
    start({ certificatesPerListener: 2 });
    const lbArn = await createAlb('k8s-web');
    const [main, a, b, c] = ['main.test', 'a.test', 'b.test', 'c.test'].map((domainName) => fake.seed.certificate({ domainName }));
    const created = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: main }],
        DefaultActions: notFound,
      }),
    );
    const ListenerArn = created.Listeners?.[0]?.ListenerArn ?? '';
    await elbv2.send(new AddListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: a }, { CertificateArn: b }] }));
    const add = new AddListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: c }] });
    await assert.rejects(elbv2.send(add), { name: 'TooManyCertificatesException' });
    const removeDefault = new RemoveListenerCertificatesCommand({ ListenerArn, Certificates: [{ CertificateArn: main }] });
    await assert.rejects(elbv2.send(removeDefault), { name: 'OperationNotPermittedException' });
    const { Certificates = [] } = await elbv2.send(new DescribeListenerCertificatesCommand({ ListenerArn }));
    assert.deepEqual(
      Certificates.map((cert) => [cert.CertificateArn, cert.IsDefault]),
      [
        [main, true],
        [a, false],
        [b, false],
      ],
    );
  });
});

describe('target groups and targets', () => {
  it('returns the existing group for identical settings, else DuplicateTargetGroupName', async () => {
    const arn = await createTargetGroup('k8s-tg');
    assert.equal(await createTargetGroup('k8s-tg'), arn);
    await assert.rejects(createTargetGroup('k8s-tg', 'instance', 8080), { name: 'DuplicateTargetGroupNameException' });
  });

  it('refuses to delete a group a listener forwards to, and allows it once the listener is gone', async () => {
    const lbArn = await createAlb('k8s-web');
    const tgArn = await createTargetGroup('k8s-tg');
    const listenerArn = await createListener(lbArn, 80, forwardTo(tgArn));
    await assert.rejects(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })), { name: 'ResourceInUseException' });
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    assert.deepEqual(fake.state.targetGroups(), []);
  });

  it('checks target ids against the target type and the fake EC2 state', async () => {
    const instances = await createTargetGroup('k8s-instances');
    const ips = await createTargetGroup('k8s-ips', 'ip');
    const register = (TargetGroupArn: string, Id: string) => elbv2.send(new RegisterTargetsCommand({ TargetGroupArn, Targets: [{ Id, Port: 30080 }] }));
    await assert.rejects(register(instances, '10.0.10.10'), { name: 'ValidationError' });
    await assert.rejects(register(instances, 'i-0bbbbbbbbbbbbbbbb'), { name: 'InvalidTargetException' });
    await assert.rejects(register(ips, '8.8.8.8'), { name: 'InvalidTargetException' });
    await register(instances, net.instanceId);
    await register(instances, net.instanceId);
    await register(ips, '10.0.10.20');
    assert.equal(fake.state.targets(instances).length, 1);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: ips, Targets: [{ Id: '10.0.99.99', Port: 1 }] }));
  });

  it('limits targets per group', async () => {
    fake.restore();
    start({ targetsPerTargetGroup: 2 });
    const ips = await createTargetGroup('k8s-ips', 'ip');
    const Targets = ['10.0.10.20', '10.0.10.21', '10.0.10.22'].map((Id) => ({ Id, Port: 8080 }));
    await assert.rejects(elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: ips, Targets })), { name: 'TooManyTargetsException' });
    assert.deepEqual(fake.state.targets(ips), []);
  });

  it('reports unused, then initial, then healthy, then draining until the drain time passes', async () => {
    fake.restore();
    start({ targetsHealthyAfterDescribes: 1, drainingMs: 300_000 });
    const tgArn = await createTargetGroup('k8s-ips', 'ip');
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.0.10.20', Port: 8080 }] }));
    const states = async () => {
      const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      return (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
    };
    assert.deepEqual(await states(), ['unused']);
    await createListener(await createAlb('k8s-web'), 80, forwardTo(tgArn));
    assert.deepEqual(await states(), ['initial']);
    assert.deepEqual(await states(), ['healthy']);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.0.10.20', Port: 8080 }] }));
    assert.deepEqual(await states(), ['draining']);
    now += 300_000;
    assert.deepEqual(await states(), []);
  });
});

describe('ELBv2 tags', () => {
  it('adds, describes and removes tags, and checks keys and limits', async () => {
    const lbArn = await createAlb('k8s-web');
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [lbArn],
        Tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'env', Value: 'test' },
        ],
      }),
    );
    await elbv2.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ['env'] }));
    const { TagDescriptions = [] } = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [lbArn] }));
    assert.deepEqual(TagDescriptions[0]?.Tags, [{ Key: 'team', Value: 'web' }]);
    const duplicateKeys = [
      { Key: 'a', Value: '1' },
      { Key: 'a', Value: '2' },
    ];
    await assert.rejects(elbv2.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: duplicateKeys })), { name: 'DuplicateTagKeysException' });
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await assert.rejects(elbv2.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: many })), { name: 'TooManyTagsException' });
    assert.deepEqual(fake.state.tagsOf(lbArn), { team: 'web' });
  });

  it('takes at most 20 ARNs per DescribeTags and names the missing resource kind', async () => {
    const lbArn = await createAlb('k8s-web');
    await assert.rejects(elbv2.send(new DescribeTagsCommand({ ResourceArns: Array.from({ length: 21 }, () => lbArn) })), { name: 'ValidationError' });
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await assert.rejects(elbv2.send(new DescribeTagsCommand({ ResourceArns: [lbArn] })), { name: 'LoadBalancerNotFoundException' });
  });

  it('rejects with the SDK exception classes, or its base class named by the wire code', async () => {
    const invalid = await createAlb('-bad').catch((caught: unknown) => caught);
    assert.ok(invalid instanceof ElasticLoadBalancingV2ServiceException);
    assert.equal(invalid.name, 'ValidationError');
    assert.equal(invalid.$fault, 'client');
    assert.equal(invalid.$metadata.httpStatusCode, 400);
    const lbArn = await createAlb('k8s-web');
    await createListener(lbArn, 80, notFound);
    const duplicate = await createListener(lbArn, 80, notFound).catch((caught: unknown) => caught);
    assert.ok(duplicate instanceof DuplicateListenerException);
  });
});
