/**
 * The benchmark's floors (bench/floor.ts): fewest calls per action from a desired model, and the
 * least time AWS's token buckets allow for them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coldStartCalls, registrationLatencyFloor, restartCalls, timeFloor, totalCalls, type DesiredModel, type DesiredStack } from '../../bench/floor.js';

const stack = (overrides: Partial<DesiredStack> = {}): DesiredStack => ({
  listeners: [
    { protocol: 'HTTP', rules: 3, certificates: 0 },
    { protocol: 'HTTPS', rules: 3, certificates: 1 },
  ],
  targetGroups: [
    { targets: 10, attributes: false },
    { targets: 450, attributes: true },
  ],
  managedSecurityGroup: true,
  loadBalancerAttributes: false,
  ...overrides,
});

describe('fewest calls for a cold start', () => {
  it('creates each resource once and registers targets in batches of 200', () => {
    const model: DesiredModel = { stacks: [stack(), stack({ managedSecurityGroup: false, loadBalancerAttributes: true })], importedCertificates: 1 };
    const calls = coldStartCalls(model);
    assert.equal(calls['elbv2:CreateLoadBalancer'], 2);
    assert.equal(calls['elbv2:CreateListener'], 4);
    assert.equal(calls['elbv2:CreateRule'], 12);
    assert.equal(calls['elbv2:CreateTargetGroup'], 4);
    assert.equal(calls['elbv2:RegisterTargets'], 2 * (1 + 3));
    assert.equal(calls['elbv2:ModifyTargetGroupAttributes'], 2);
    assert.equal(calls['elbv2:ModifyLoadBalancerAttributes'], 1);
    assert.equal(calls['ec2:CreateSecurityGroup'], 1);
    assert.equal(calls['acm:ImportCertificate'], 1);
    assert.equal(calls['ec2:DescribeSubnets'], 1);
    assert.equal(calls['elbv2:AddListenerCertificates'], undefined);
  });

  it('adds listener certificates only beyond the default one', () => {
    const calls = coldStartCalls({ stacks: [stack({ listeners: [{ protocol: 'HTTPS', rules: 0, certificates: 3 }] })], importedCertificates: 3 });
    assert.equal(calls['elbv2:AddListenerCertificates'], 1);
    assert.equal(calls['elbv2:CreateRule'], undefined);
  });
});

describe('fewest reads for a restart', () => {
  it('follows the read formula of observe.ts per stack', () => {
    const calls = restartCalls({ stacks: [stack()], importedCertificates: 1 }, { certificatesInCluster: 150 });
    assert.equal(calls['elbv2:DescribeRules'], 2);
    assert.equal(calls['elbv2:DescribeListenerCertificates'], 1);
    assert.equal(calls['elbv2:DescribeTargetGroupAttributes'], 2);
    assert.equal(calls['elbv2:DescribeTargetHealth'], 2);
    // 2 listeners + 6 rules = 8 ARNs: one DescribeTags; the load balancer's and target groups' tags come with GetResources.
    assert.equal(calls['elbv2:DescribeTags'], 1);
    // One page for the stack's resources, two for 150 certificates.
    assert.equal(calls['tagging:GetResources'], 3);
    assert.equal(Object.keys(calls).filter((key) => !/:(Describe|Get)/.test(key)).length, 0);
  });
});

describe('time floor', () => {
  it('is zero waiting while every bucket holds the calls, plus the critical path', () => {
    const floor = timeFloor({ 'elbv2:CreateRule': 20 }, { latencyMs: 40, criticalPath: 3 });
    assert.equal(floor.binding, 'latency');
    assert.ok(Math.abs(floor.seconds - 0.12) < 1e-9);
  });

  it('is set by the slowest bucket beyond its capacity', () => {
    // 80 mutating calls: (80 - 20) / 3 = 20 s; 80 ELBv2 calls from the account bucket: (80 - 40) / 10 = 4 s.
    const floor = timeFloor({ 'elbv2:CreateRule': 50, 'elbv2:CreateTargetGroup': 30 }, { latencyMs: 0, criticalPath: 0 });
    assert.equal(floor.binding, 'elbv2-mutating');
    assert.equal(floor.seconds, 20);
    assert.equal(floor.byBucket['elbv2-account'], 4);
  });

  it('counts every ELBv2 call against the account-wide bucket', () => {
    const floor = timeFloor(
      { 'elbv2:DescribeRules': 30, 'elbv2:DescribeTags': 30, 'elbv2:RegisterTargets': 20, 'elbv2:CreateRule': 20 },
      { latencyMs: 0, criticalPath: 0 },
    );
    assert.equal(floor.byBucket['elbv2-account'], (100 - 40) / 10);
    assert.equal(floor.binding, 'elbv2-account');
  });

  it('slows a bucket by what a neighbour takes from it', () => {
    const alone = timeFloor({ 'elbv2:CreateRule': 80 }, { latencyMs: 0, criticalPath: 0 });
    const shared = timeFloor({ 'elbv2:CreateRule': 80 }, { latencyMs: 0, criticalPath: 0, neighbour: { 'elbv2-mutating': 1.5 } });
    assert.equal(shared.seconds, alone.seconds * 2);
  });

  it('leaves the unthrottled Tagging API out', () => {
    assert.equal(timeFloor({ 'tagging:GetResources': 10_000 }, { latencyMs: 0, criticalPath: 0 }).seconds, 0);
  });

  it('totals calls over actions', () => {
    assert.equal(totalCalls({ 'a:B': 2, 'c:D': 3 }), 5);
  });
});

describe('registration latency floor', () => {
  it('is one call while the buckets have tokens', () => {
    assert.deepEqual(registrationLatencyFloor([0, 1, 2], { latencyMs: 40 }), [0.04, 0.04, 0.04]);
  });

  it('queues arrivals beyond the registration bucket at its refill rate', () => {
    const latencies = registrationLatencyFloor(
      Array.from({ length: 24 }, () => 0),
      { latencyMs: 0 },
    );
    // 20 tokens at once, then one every 0.25 s.
    assert.equal(latencies[19], 0);
    assert.ok(Math.abs((latencies[20] ?? 0) - 0.25) < 1e-9);
    assert.ok(Math.abs((latencies[23] ?? 0) - 1) < 1e-9);
  });
});
