/**
 * Scenario 6 — a noisy neighbour: another caller in the same account and Region spends half of the
 * account-wide ELBv2 bucket (5 of its 10 calls/s) for the whole cold start — half of the mutating
 * (1.5/s) and registration (2/s) buckets' refill and 1.5 Describe calls/s — on a target group of its
 * own. The controller runs as shipped (API share 1: it does not know), and again told its share.
 * Everything must still converge with no reconcile ending in failure; the slowdown is the cold
 * start's time over scenario 1's.
 * @module
 */
import type { ServiceId } from '../../fakes/aws/errors.js';
import type { World } from '../world.js';
import { figure, type ScenarioResult } from './common.js';
import { measureColdStart } from './cold-start.js';

/** Calls per cloud second the neighbour sends, by the ELBv2 category bucket they draw from; 5/s in all from the account bucket. */
export const NEIGHBOUR_RATES: Readonly<Record<string, number>> = {
  'elbv2-non-mutating': 1.5,
  'elbv2-mutating': 1.5,
  'elbv2-registration': 2,
};

interface NeighbourStream {
  /** The ELBv2 category bucket its calls draw from. */
  bucket: string;
  rate: number;
  call: (index: number) => [ServiceId, string, unknown];
}

interface Neighbour {
  stop(): void;
  sent(): number;
  throttled(): number;
  /** Tokens per cloud second the neighbour actually took from each bucket since it started (throttled calls take none). */
  takenRates(): Record<string, number>;
}

function startNeighbour(world: World): Neighbour {
  const { fake, network } = world.cloud;
  const groupArn = fake.seed.targetGroup({ name: 'neighbour', vpcId: network.vpcId, targetType: 'ip', port: 80 });
  const streams: NeighbourStream[] = [
    {
      bucket: 'elbv2-non-mutating',
      rate: NEIGHBOUR_RATES['elbv2-non-mutating'] ?? 0,
      call: () => ['elbv2', 'DescribeTargetGroups', { TargetGroupArns: [groupArn] }],
    },
    {
      bucket: 'elbv2-mutating',
      rate: NEIGHBOUR_RATES['elbv2-mutating'] ?? 0,
      call: (index) => ['elbv2', 'AddTags', { ResourceArns: [groupArn], Tags: [{ Key: 'neighbour', Value: String(index) }] }],
    },
    {
      bucket: 'elbv2-registration',
      rate: NEIGHBOUR_RATES['elbv2-registration'] ?? 0,
      call: (index) => [
        'elbv2',
        index % 2 === 0 ? 'RegisterTargets' : 'DeregisterTargets',
        { TargetGroupArn: groupArn, Targets: [{ Id: '10.0.200.1', Port: 80 }] },
      ],
    },
  ];
  const { clock } = world;
  const startedAt = clock.now();
  let running = true;
  let sent = 0;
  let throttled = 0;
  const taken: Record<string, number> = {};
  for (const stream of streams) {
    void (async () => {
      // Paced against the clock, not by sleeping a fixed interval, so the rate holds whatever the event loop does.
      for (let index = 0; running; index += 1) {
        const [service, action, input] = stream.call(index);
        sent += 1;
        fake.dispatch(service, action, input).then(
          () => {
            taken[stream.bucket] = (taken[stream.bucket] ?? 0) + 1;
            taken['elbv2-account'] = (taken['elbv2-account'] ?? 0) + 1;
          },
          () => {
            throttled += 1;
          },
        );
        await clock.sleep(startedAt + ((index + 1) * 1000) / stream.rate - clock.now());
      }
    })();
  }
  const takenRates = (): Record<string, number> => {
    const elapsed = (clock.now() - startedAt) / 1000;
    return Object.fromEntries(Object.entries(taken).map(([bucket, count]) => [bucket, count / elapsed]));
  };
  return { stop: () => (running = false), sent: () => sent, throttled: () => throttled, takenRates };
}

/**
 * `apiShare` set: the controller is told its share of the budget (`--aws-api-share`), the remedy the
 * budget's documentation gives for a shared account.
 */
export async function noisyNeighbour(
  world: World,
  options: { baseline?: { seconds: number; floorSeconds: number }; apiShare?: number },
): Promise<ScenarioResult> {
  const { baseline } = options;
  const neighbour = startNeighbour(world);
  try {
    const shared = options.apiShare !== undefined;
    const measured = await measureColdStart(world, {
      id: shared ? `noisy-neighbour-share-${options.apiShare}` : 'noisy-neighbour',
      title: shared
        ? `6b. The same, with the controller at --aws-api-share ${options.apiShare}`
        : '6. Cold start beside a noisy neighbour using half the ELBv2 budget (controller as shipped, API share 1)',
      neighbour: () => neighbour.takenRates(),
      ...(shared && { apiShare: options.apiShare }),
    });
    const { result } = measured;
    result.figures.push(
      figure('slowdown against scenario 1', baseline ? measured.seconds / baseline.seconds : undefined, '×', {
        floor: baseline ? measured.floorSeconds / baseline.floorSeconds : undefined,
        note: 'floor: the ratio of the two floors (a guide, not a bound on the ratio of measured times)',
      }),
      figure('neighbour calls sent', neighbour.sent(), 'calls', { note: `${neighbour.throttled()} of them throttled` }),
    );
    const rates = Object.entries(neighbour.takenRates())
      .map(([bucket, rate]) => `${bucket} ${rate.toFixed(2)}/s`)
      .join(', ');
    result.notes.push(`floor: the cold-start floor with each bucket refilling at its rate less what the neighbour took (${rates})`);
    return result;
  } finally {
    neighbour.stop();
  }
}
