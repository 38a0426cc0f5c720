/**
 * The cloud side of a benchmark world: the stateful AWS fake with AWS's published token buckets on,
 * the cluster's network and one EC2 instance per Node, and `send`, the one door every request of the
 * controller comes through: it waits the call's latency (half before the fake sees the request, half
 * for the answer to come back), lets the fake answer or throttle, and logs the call in cloud time.
 * @module
 */
import type { AwsService } from '../providers/aws/sdk/budget.js';
import { createAwsFake, type AwsFake } from '../fakes/aws/index.js';
import { seedDefaultNetwork, type DefaultNetwork } from '../fakes/aws/fixtures.js';
import type { CloudClock } from './clock.js';
import type { GeneratedNode } from './generate.js';
import { seededRandom } from './random.js';

/** One request as the cloud saw it; times in cloud ms. */
export interface CloudCall {
  service: AwsService;
  action: string;
  startedAt: number;
  endedAt: number;
  error?: string;
  /** Target ids of a RegisterTargets or DeregisterTargets call. */
  targets?: string[];
  /** Path-pattern values of a CreateRule or ModifyRule call. */
  paths?: string[];
}

export interface CloudOptions {
  clock: CloudClock;
  clusterName: string;
  nodes: readonly GeneratedNode[];
  /** Mean round-trip latency per call, cloud ms. */
  latencyMs: number;
  /** Latency varies uniformly within ±jitter of the mean (a fraction). */
  jitter: number;
  seed: number;
}

export type CloudSend = (service: AwsService, action: string, input: unknown) => Promise<object>;

export interface BenchCloud {
  readonly fake: AwsFake;
  readonly network: DefaultNetwork;
  readonly calls: CloudCall[];
  readonly send: CloudSend;
  /** Calls that started at or after `since` (cloud ms). */
  callsSince(since: number): CloudCall[];
}

export function createBenchCloud(options: CloudOptions): BenchCloud {
  const { clock } = options;
  const fake = createAwsFake({ clock, targetsHealthyAfterDescribes: 0, idSeed: `bench-${options.seed}` });
  const network = seedDefaultNetwork(fake, { clusterName: options.clusterName });
  const clusterTag = `kubernetes.io/cluster/${options.clusterName}`;
  for (const [index, node] of options.nodes.entries()) {
    fake.seed.instance({
      id: node.instanceId,
      securityGroupIds: [network.nodeSecurityGroupId],
      subnetId: network.internalSubnetIds[index % network.internalSubnetIds.length] ?? '',
      privateIp: node.ip,
      tags: { Name: node.name, [clusterTag]: 'owned' },
    });
  }
  fake.tokenBuckets(true);
  const random = seededRandom(options.seed);
  const latency = (): number => options.latencyMs * (1 + options.jitter * (2 * random() - 1));
  const calls: CloudCall[] = [];

  const send: CloudSend = async (service, action, input) => {
    const roundTrip = latency();
    const call: CloudCall = { service, action, startedAt: clock.now(), endedAt: 0, ...detailOf(action, input) };
    calls.push(call);
    await clock.sleep(roundTrip / 2);
    try {
      const output = await fake.dispatch(service, action, input);
      await clock.sleep(roundTrip / 2);
      return output;
    } catch (error) {
      call.error = error instanceof Error ? error.name : String(error);
      await clock.sleep(roundTrip / 2);
      throw error;
    } finally {
      call.endedAt = clock.now();
    }
  };

  return {
    fake,
    network,
    calls,
    send,
    callsSince: (since) => calls.filter((call) => call.startedAt >= since),
  };
}

/** What the scenarios need from a call's input, kept small: at L the log holds tens of thousands of calls. */
function detailOf(action: string, input: unknown): Pick<CloudCall, 'targets' | 'paths'> {
  const fields = (input ?? {}) as {
    Targets?: { Id?: string }[];
    Conditions?: { Field?: string; Values?: string[]; PathPatternConfig?: { Values?: string[] } }[];
  };
  if (action === 'RegisterTargets' || action === 'DeregisterTargets') return { targets: (fields.Targets ?? []).map((target) => target.Id ?? '') };
  if (action === 'CreateRule' || action === 'ModifyRule') {
    const paths = (fields.Conditions ?? [])
      .filter((condition) => condition.Field === 'path-pattern')
      .flatMap((condition) => condition.PathPatternConfig?.Values ?? condition.Values ?? []);
    return { paths };
  }
  return {};
}
