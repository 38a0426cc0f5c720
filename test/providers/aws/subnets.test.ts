import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AwsClients } from '../../../providers/aws/sdk/clients.js';
import { resolveSubnets, type SubnetResolution } from '../../../providers/aws/observe/subnets.js';
import { type DefaultNetwork, seedDefaultNetwork } from '../../../fakes/aws/fixtures.js';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { sdkClients } from '../../support/aws-plan-runner.js';
import { CLUSTER } from '../../support/aws-spec-builder.js';

const ELB_ROLE = { 'kubernetes.io/role/elb': '1' };

function resolved(resolution: SubnetResolution): { subnetIds: string[]; vpcId: string } {
  if (!resolution.ok) assert.fail(`expected subnets, got: ${resolution.message}`);
  return { subnetIds: resolution.subnetIds, vpcId: resolution.vpcId };
}

function failure(resolution: SubnetResolution): string {
  return resolution.ok ? assert.fail(`expected no subnets, got ${resolution.subnetIds.join(', ')}`) : resolution.message;
}

describe('resolveSubnets', () => {
  let fake: AwsFake;
  let clients: AwsClients;
  let network: DefaultNetwork;
  let clock: number;
  const now = (): number => clock;

  beforeEach(() => {
    fake = createAwsFake({ maxPageSize: 2 });
    fake.install();
    clients = sdkClients();
    network = seedDefaultNetwork(fake);
    clock = 0;
  });
  afterEach(() => fake.restore());

  it('discovers the subnets tagged for the scheme, one per zone, following every page', async () => {
    assert.deepEqual(resolved(await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now })), {
      subnetIds: [...network.publicSubnetIds].sort(),
      vpcId: network.vpcId,
    });
    assert.ok((fake.callCounts()['ec2:DescribeSubnets'] ?? 0) >= 2, 'three subnets come in pages of two');
    assert.deepEqual(
      resolved(await resolveSubnets(clients, { kind: 'discover' }, 'internal', CLUSTER, { now })).subnetIds,
      [...network.internalSubnetIds].sort(),
    );
  });

  it('takes one subnet per zone: ours before untagged, then the lowest ID; a subnet tagged for no cluster is allowed', async () => {
    fake.seed.subnet({ id: 'subnet-00000000000000001', az: 'us-east-1a', vpcId: network.vpcId, tags: ELB_ROLE });
    fake.seed.subnet({ id: 'subnet-0ffffffffffffff0d', az: 'us-east-1d', vpcId: network.vpcId, tags: { 'kubernetes.io/role/elb': '' } });
    fake.seed.subnet({ id: 'subnet-0eeeeeeeeeeeeee0d', az: 'us-east-1d', vpcId: network.vpcId, tags: ELB_ROLE });
    fake.seed.subnet({ id: 'subnet-0eeeeeeeeeeeeee0e', az: 'us-east-1e', vpcId: network.vpcId, tags: { 'kubernetes.io/role/elb': 'no' } });
    const { subnetIds } = resolved(await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now }));
    assert.deepEqual(subnetIds, [...network.publicSubnetIds, 'subnet-0eeeeeeeeeeeeee0d'].sort());
  });

  it('leaves out subnets tagged only for another cluster', async () => {
    fake.seed.subnet({ id: 'subnet-0dddddddddddddd0d', az: 'us-east-1d', vpcId: network.vpcId, tags: { ...ELB_ROLE, 'kubernetes.io/cluster/other': 'owned' } });
    fake.seed.subnet({
      id: 'subnet-0dddddddddddddd0e',
      az: 'us-east-1e',
      vpcId: network.vpcId,
      tags: { ...ELB_ROLE, 'kubernetes.io/cluster/other': 'shared', [`kubernetes.io/cluster/${CLUSTER}`]: 'shared' },
    });
    const { subnetIds } = resolved(await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now }));
    assert.deepEqual(subnetIds, [...network.publicSubnetIds, 'subnet-0dddddddddddddd0e'].sort());
  });

  it('keeps to the VPC whose subnets are tagged for this cluster, and refuses to guess between others', async () => {
    fake.seed.vpc({ id: 'vpc-0000000000000000b' });
    fake.seed.subnet({ id: 'subnet-0bbbbbbbbbbbbbb0a', az: 'us-east-1a', vpcId: 'vpc-0000000000000000b', tags: ELB_ROLE });
    fake.seed.subnet({ id: 'subnet-0bbbbbbbbbbbbbb0b', az: 'us-east-1b', vpcId: 'vpc-0000000000000000b', tags: ELB_ROLE });
    assert.equal(resolved(await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now })).vpcId, network.vpcId);
    fake.seed.subnet({ id: 'subnet-0bbbbbbbbbbbbbb1a', az: 'us-east-1a', vpcId: network.vpcId, tags: { 'kubernetes.io/role/internal-elb': '1' } });
    fake.seed.subnet({ id: 'subnet-0bbbbbbbbbbbbbb1b', az: 'us-east-1a', vpcId: 'vpc-0000000000000000b', tags: { 'kubernetes.io/role/internal-elb': '1' } });
    assert.match(failure(await resolveSubnets(clients, { kind: 'discover' }, 'internal', 'lonely', { now })), /more than one VPC \(vpc-/);
  });

  it('explains, naming the tags, when the tagged subnets cover fewer than two zones', async () => {
    const excluded = failure(await resolveSubnets(clients, { kind: 'discover' }, 'internal', 'lonely', { now }));
    assert.match(excluded, /kubernetes\.io\/role\/internal-elb/);
    assert.match(excluded, /kubernetes\.io\/cluster\/lonely/);
    assert.match(excluded, /in 0 Availability Zones \(2 left out as tagged for another cluster only\)/);

    fake.seed.subnet({ id: 'subnet-0ccccccccccccc00d', az: 'us-east-1d', vpcId: network.vpcId, tags: { 'kubernetes.io/role/internal-elb': '1' } });
    const oneZone = failure(await resolveSubnets(clients, { kind: 'discover' }, 'internal', 'lonely', { now }));
    assert.match(oneZone, /in 1 Availability Zone \(2 left out/);
    assert.match(oneZone, /needs them in at least 2/);
  });

  it('resolves Name tags and IDs, and checks zones and VPC', async () => {
    const [a, b, c] = network.publicSubnetIds;
    const named = resolved(await resolveSubnets(clients, { kind: 'ids', ids: ['test-public-us-east-1a', b ?? ''] }, 'internet-facing', CLUSTER, { now }));
    assert.deepEqual(named, { subnetIds: [a, b].sort(), vpcId: network.vpcId });

    assert.match(
      failure(await resolveSubnets(clients, { kind: 'ids', ids: ['nope', c ?? ''] }, 'internet-facing', CLUSTER, { now })),
      /no subnet has the ID or Name tag nope/,
    );
    assert.match(
      failure(await resolveSubnets(clients, { kind: 'ids', ids: [a ?? '', network.internalSubnetIds[0] ?? ''] }, 'internet-facing', CLUSTER, { now })),
      /are all in us-east-1a/,
    );
    assert.match(failure(await resolveSubnets(clients, { kind: 'ids', ids: [c ?? ''] }, 'internet-facing', CLUSTER, { now })), /at least 2/);
    fake.seed.vpc({ id: 'vpc-0000000000000000b' });
    fake.seed.subnet({ id: 'subnet-0bbbbbbbbbbbbbb0d', az: 'us-east-1d', vpcId: 'vpc-0000000000000000b' });
    assert.match(
      failure(await resolveSubnets(clients, { kind: 'ids', ids: [a ?? '', 'subnet-0bbbbbbbbbbbbbb0d'] }, 'internet-facing', CLUSTER, { now })),
      /more than one VPC/,
    );
  });

  it('asks EC2 again only after five minutes, and does not remember a failure', async () => {
    await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now });
    fake.resetCalls();
    clock += 4 * 60_000;
    await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now });
    assert.deepEqual(fake.callCounts(), {});
    clock += 2 * 60_000;
    await resolveSubnets(clients, { kind: 'discover' }, 'internet-facing', CLUSTER, { now });
    assert.ok((fake.callCounts()['ec2:DescribeSubnets'] ?? 0) > 0);

    fake.resetCalls();
    failure(await resolveSubnets(clients, { kind: 'ids', ids: ['later'] }, 'internet-facing', CLUSTER, { now }));
    failure(await resolveSubnets(clients, { kind: 'ids', ids: ['later'] }, 'internet-facing', CLUSTER, { now }));
    assert.equal(fake.callCounts()['ec2:DescribeSubnets'], 2);
  });
});
