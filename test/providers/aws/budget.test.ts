import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiBudget, type AwsService, type BucketName } from '../../../providers/aws/sdk/budget.js';
import { VirtualClock } from '../../support/virtual-clock.js';

/** Starts `count` acquisitions at once and records when each one was granted, in grant order. */
function acquireMany(budget: ApiBudget, clock: VirtualClock, service: AwsService, action: string, count: number, grants: Grant[]): void {
  for (let i = 0; i < count; i++) {
    void budget.acquire(service, action).then(() => grants.push({ action, index: i, at: clock.now() }));
  }
}

interface Grant {
  action: string;
  index: number;
  at: number;
}

describe('ApiBudget pacing', () => {
  // Published limits (ELB user guide "Request throttling for the Elastic Load Balancing API"; ACM user guide "Quotas").
  const published: { service: AwsService; action: string; capacity: number; refillPerSecond: number }[] = [
    { service: 'elbv2', action: 'DescribeTargetHealth', capacity: 40, refillPerSecond: 10 },
    { service: 'elbv2', action: 'RegisterTargets', capacity: 20, refillPerSecond: 4 },
    { service: 'elbv2', action: 'CreateRule', capacity: 20, refillPerSecond: 3 },
    { service: 'elbv2', action: 'CreateLoadBalancer', capacity: 10, refillPerSecond: 0.2 },
    { service: 'acm', action: 'ImportCertificate', capacity: 1, refillPerSecond: 1 },
  ];
  for (const { service, action, capacity, refillPerSecond } of published) {
    it(`${action}: a burst of ${capacity}, then ${refillPerSecond} per second`, async () => {
      const clock = new VirtualClock();
      const budget = new ApiBudget({ clock });
      const grants: Grant[] = [];
      acquireMany(budget, clock, service, action, capacity + 6, grants);
      await clock.advanceTo(60 * 60_000);

      assert.equal(grants.length, capacity + 6);
      assert.deepEqual(
        grants.slice(0, capacity).map((g) => g.at),
        new Array<number>(capacity).fill(0),
      );
      grants.slice(capacity).forEach((grant, k) => {
        const due = ((k + 1) * 1000) / refillPerSecond;
        assert.ok(grant.at >= due && grant.at <= due + 1, `call ${capacity + k + 1} granted at ${grant.at} ms, due at ${due} ms`);
      });
      assert.equal(budget.stats().waitsByBucket[budget.categoryOf(service, action)], 6);
    });
  }

  it('the account-wide ELBv2 bucket binds when two categories are used at once', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const grants: Grant[] = [];
    acquireMany(budget, clock, 'elbv2', 'DescribeLoadBalancers', 40, grants);
    acquireMany(budget, clock, 'elbv2', 'CreateRule', 20, grants);
    await clock.advanceTo(0);
    // Each category alone has room for all of its calls now; the shared 40 do not.
    assert.equal(grants.length, 40);

    for (const at of [500, 1000, 1500]) {
      await clock.advanceTo(at);
      assert.equal(grants.length, 40 + (at / 1000) * 10, `granted by ${at} ms`);
    }
    await clock.advanceTo(2000);
    assert.equal(grants.length, 60);
    const stats = budget.stats();
    assert.equal(stats.waitsByBucket['elbv2-account'], 20);
    assert.equal(stats.waitsByBucket['elbv2-non-mutating'], undefined);
    assert.equal(stats.acquiredByBucket['elbv2-account'], 60);
  });

  it('a share of 0.5 halves burst and sustained throughput', async () => {
    const grantedIn10s = async (share: number): Promise<number> => {
      const clock = new VirtualClock();
      const budget = new ApiBudget({ clock, share });
      const grants: Grant[] = [];
      acquireMany(budget, clock, 'elbv2', 'DescribeTags', 500, grants);
      await clock.advanceTo(10_000);
      return grants.length;
    };
    const full = await grantedIn10s(1);
    const half = await grantedIn10s(0.5);
    assert.equal(full, 40 + 10 * 10);
    assert.equal(half, full / 2);
  });

  it('a share never leaves a bucket unable to hold one token', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock, share: 0.1 });
    assert.deepEqual(budget.limitOf('acm-import-certificate'), { capacity: 1, refillPerSecond: 0.1 });
    const grants: Grant[] = [];
    acquireMany(budget, clock, 'acm', 'ImportCertificate', 2, grants);
    await clock.advanceTo(20_000);
    assert.deepEqual(
      grants.map((g) => g.at),
      [0, 10_000],
    );
  });

  it('overrides replace a published limit and are scaled by the share', () => {
    const budget = new ApiBudget({ share: 0.5, overrides: { 'elbv2-non-mutating': { capacity: 80, refillPerSecond: 20 } } });
    assert.deepEqual(budget.limitOf('elbv2-non-mutating'), { capacity: 40, refillPerSecond: 10 });
    assert.deepEqual(budget.limitOf('elbv2-mutating'), { capacity: 10, refillPerSecond: 1.5 });
  });

  it('rejects a share outside (0, 1] and an override that cannot refill', () => {
    for (const share of [0, -0.5, 1.5, Number.NaN]) {
      assert.throws(() => new ApiBudget({ share }), RangeError, `share ${share}`);
    }
    assert.throws(() => new ApiBudget({ overrides: { 'acm-other': { capacity: 5, refillPerSecond: 0 } } }), RangeError);
  });
});

describe('ApiBudget fairness', () => {
  it('serves waiters of one bucket in arrival order', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const grants: Grant[] = [];
    acquireMany(budget, clock, 'elbv2', 'RegisterTargets', 35, grants);
    await clock.advanceTo(60_000);
    assert.deepEqual(
      grants.map((g) => g.index),
      [...Array(35).keys()],
    );
  });

  it('serves calls of different categories waiting on the account bucket in arrival order', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const grants: Grant[] = [];
    acquireMany(budget, clock, 'elbv2', 'DescribeListeners', 40, grants);
    // Categories other than the exhausted non-mutating one: these calls wait only for the account bucket.
    for (const action of ['CreateRule', 'RegisterTargets', 'DeleteRule', 'DeregisterTargets']) {
      acquireMany(budget, clock, 'elbv2', action, 1, grants);
    }
    await clock.advanceTo(1000);
    assert.deepEqual(
      grants.slice(40).map((g) => [g.action, g.at]),
      [
        ['CreateRule', 100],
        ['RegisterTargets', 200],
        ['DeleteRule', 300],
        ['DeregisterTargets', 400],
      ],
    );
  });

  it('a call waiting for a slow category does not hold up other categories', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const grants: Grant[] = [];
    acquireMany(budget, clock, 'elbv2', 'CreateLoadBalancer', 11, grants);
    acquireMany(budget, clock, 'elbv2', 'DescribeLoadBalancers', 1, grants);
    await clock.advanceTo(0);
    assert.deepEqual(
      grants.map((g) => g.action),
      [...new Array<string>(10).fill('CreateLoadBalancer'), 'DescribeLoadBalancers'],
    );
    await clock.advanceTo(5000);
    assert.equal(grants.at(-1)?.action, 'CreateLoadBalancer');
  });
});

describe('ApiBudget.categoryOf', () => {
  // Every ELBv2 action the AWS provider may call, with its published category.
  const elbv2: Record<string, BucketName> = {
    DescribeLoadBalancers: 'elbv2-non-mutating',
    DescribeLoadBalancerAttributes: 'elbv2-non-mutating',
    DescribeListeners: 'elbv2-non-mutating',
    DescribeListenerAttributes: 'elbv2-non-mutating',
    DescribeListenerCertificates: 'elbv2-non-mutating',
    DescribeRules: 'elbv2-non-mutating',
    DescribeTargetGroups: 'elbv2-non-mutating',
    DescribeTargetGroupAttributes: 'elbv2-non-mutating',
    DescribeTargetHealth: 'elbv2-non-mutating',
    DescribeTags: 'elbv2-non-mutating',
    DescribeSSLPolicies: 'elbv2-non-mutating',
    CreateLoadBalancer: 'elbv2-resource-intensive',
    SetSubnets: 'elbv2-resource-intensive',
    RegisterTargets: 'elbv2-registration',
    DeregisterTargets: 'elbv2-registration',
    DeleteLoadBalancer: 'elbv2-mutating',
    ModifyLoadBalancerAttributes: 'elbv2-mutating',
    SetSecurityGroups: 'elbv2-mutating',
    SetIpAddressType: 'elbv2-mutating',
    CreateListener: 'elbv2-mutating',
    ModifyListener: 'elbv2-mutating',
    ModifyListenerAttributes: 'elbv2-mutating',
    DeleteListener: 'elbv2-mutating',
    AddListenerCertificates: 'elbv2-mutating',
    RemoveListenerCertificates: 'elbv2-mutating',
    CreateRule: 'elbv2-mutating',
    ModifyRule: 'elbv2-mutating',
    DeleteRule: 'elbv2-mutating',
    SetRulePriorities: 'elbv2-mutating',
    CreateTargetGroup: 'elbv2-mutating',
    ModifyTargetGroup: 'elbv2-mutating',
    ModifyTargetGroupAttributes: 'elbv2-mutating',
    DeleteTargetGroup: 'elbv2-mutating',
    AddTags: 'elbv2-mutating',
    RemoveTags: 'elbv2-mutating',
  };
  const others: [AwsService, string, BucketName][] = [
    ['acm', 'ImportCertificate', 'acm-import-certificate'],
    ['acm', 'DescribeCertificate', 'acm-describe-certificate'],
    ['acm', 'ListCertificates', 'acm-list-certificates'],
    ['acm', 'ListTagsForCertificate', 'acm-list-tags'],
    ['acm', 'AddTagsToCertificate', 'acm-change-tags'],
    ['acm', 'RemoveTagsFromCertificate', 'acm-change-tags'],
    ['acm', 'DeleteCertificate', 'acm-delete-certificate'],
    ['acm', 'GetCertificate', 'acm-other'],
    ['ec2', 'DescribeSubnets', 'ec2-non-mutating'],
    ['ec2', 'DescribeSecurityGroups', 'ec2-non-mutating'],
    ['ec2', 'CreateSecurityGroup', 'ec2-mutating'],
    ['ec2', 'AuthorizeSecurityGroupIngress', 'ec2-mutating'],
    ['ec2', 'CreateTags', 'ec2-mutating'],
    ['tagging', 'GetResources', 'tagging-read'],
    ['tagging', 'TagResources', 'tagging-write'],
  ];
  const budget = new ApiBudget();

  it('puts every ELBv2 action the provider calls in its published category', () => {
    for (const [action, bucket] of Object.entries(elbv2)) {
      assert.equal(budget.categoryOf('elbv2', action), bucket, action);
    }
  });

  it('maps ACM, EC2 and tagging actions to their buckets', () => {
    for (const [service, action, bucket] of others) {
      assert.equal(budget.categoryOf(service, action), bucket, `${service} ${action}`);
    }
  });
});
