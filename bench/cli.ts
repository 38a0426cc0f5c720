/**
 * `npm run bench -- [--size S|M|L] [--scenario LIST] [--time-scale N] [--churn-time-scale N] [--latency-ms N] [--seed N]`
 *
 * Runs the controller as shipped against the Kubernetes API fake and the AWS fake (latency, AWS's
 * token buckets, a scaled clock) and writes bench/results/bench-<size>.{md,json}. Scenarios, in the
 * order they run: cold-start, restart, edit, churn (one world, converged by the cold start), then
 * noisy-neighbour and memory (each a fresh world). `--scenario` takes a comma-separated subset; the
 * cold start always runs when a later scenario of its world needs a converged cluster.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIZES, type SizeName } from './generate.js';
import { writeResults } from './report.js';
import { DEFAULT_CHURN_TIME_SCALE, endpointChurn } from './scenarios/churn.js';
import { coldStart } from './scenarios/cold-start.js';
import type { ScenarioResult } from './scenarios/common.js';
import { editOne } from './scenarios/edit.js';
import { memory } from './scenarios/memory.js';
import { noisyNeighbour } from './scenarios/noisy-neighbour.js';
import { restart } from './scenarios/restart.js';
import { clusterSummary, createWorld, type WorldOptions } from './world.js';

/** The share a controller beside a neighbour using half the budget is told to take. */
const NEIGHBOUR_AWARE_SHARE = 0.5;

const SCENARIOS = ['cold-start', 'restart', 'edit', 'churn', 'noisy-neighbour', 'memory'] as const;
type ScenarioId = (typeof SCENARIOS)[number];

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function parse(): { world: WorldOptions; churnTimeScale: number; scenarios: Set<ScenarioId>; out: string } {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'S' },
      scenario: { type: 'string', default: SCENARIOS.join(',') },
      'time-scale': { type: 'string', default: '20' },
      'churn-time-scale': { type: 'string', default: String(DEFAULT_CHURN_TIME_SCALE) },
      'latency-ms': { type: 'string', default: '40' },
      jitter: { type: 'string', default: '0.25' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
    },
  });
  const size = values.size.toUpperCase();
  if (!(size in SIZES)) usage(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  const number = (flag: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) usage(`--${flag} must be a number of at least ${min}`);
    return value;
  };
  const scenarios = new Set(values.scenario.split(',').map((entry) => entry.trim()));
  for (const entry of scenarios) if (!(SCENARIOS as readonly string[]).includes(entry)) usage(`unknown scenario ${entry}; known: ${SCENARIOS.join(', ')}`);
  return {
    world: {
      size: size as SizeName,
      timeScale: number('time-scale', values['time-scale'], 0.001),
      latencyMs: number('latency-ms', values['latency-ms'], 0),
      jitter: Math.min(1, number('jitter', values.jitter, 0)),
      seed: number('seed', values.seed, 0),
    },
    churnTimeScale: number('churn-time-scale', values['churn-time-scale'], 0.001),
    scenarios: scenarios as Set<ScenarioId>,
    out: values.out,
  };
}

const progress = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

async function main(): Promise<void> {
  const { world: options, churnTimeScale, scenarios, out } = parse();
  const wallStart = performance.now();
  const results: ScenarioResult[] = [];
  const wants = (id: ScenarioId): boolean => scenarios.has(id);
  let baseline: { seconds: number; floorSeconds: number } | undefined;
  let cluster: Record<string, number> | undefined;

  if (wants('cold-start') || wants('restart') || wants('edit') || wants('churn') || wants('noisy-neighbour')) {
    const world = await createWorld(options);
    cluster = clusterSummary(world);
    try {
      progress(`size ${options.size}: cold start`);
      const cold = await coldStart(world);
      baseline = { seconds: cold.seconds, floorSeconds: cold.floorSeconds };
      results.push(cold.result);
      const next: [ScenarioId, string, () => Promise<ScenarioResult>][] = [
        ['restart', 'restart', () => restart(world)],
        ['edit', 'edit one Ingress', () => editOne(world)],
        ['churn', `endpoint churn (time scale ${churnTimeScale})`, () => endpointChurn(world, { timeScale: churnTimeScale })],
      ];
      for (const [id, label, run] of next) {
        if (!wants(id)) continue;
        progress(label);
        results.push(await run());
      }
    } finally {
      await world.close();
    }
  }
  if (wants('noisy-neighbour')) {
    for (const apiShare of [undefined, NEIGHBOUR_AWARE_SHARE]) {
      progress(`noisy neighbour${apiShare === undefined ? '' : `, controller at API share ${apiShare}`}`);
      const world = await createWorld(options);
      cluster ??= clusterSummary(world);
      try {
        results.push(await noisyNeighbour(world, { ...(baseline && { baseline }), ...(apiShare !== undefined && { apiShare }) }));
      } finally {
        await world.close();
      }
    }
  }
  if (wants('memory')) {
    progress('memory (controller in a child process)');
    const world = await createWorld(options);
    cluster ??= clusterSummary(world);
    try {
      results.push(await memory(world));
    } finally {
      await world.close();
    }
  }
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const run = {
    command,
    size: options.size,
    timeScale: options.timeScale,
    churnTimeScale,
    latencyMs: options.latencyMs,
    jitter: options.jitter,
    seed: options.seed,
    wallSeconds: (performance.now() - wallStart) / 1000,
    cluster: cluster ?? {},
  };
  const written = writeResults(out, run, results);
  progress(`wrote ${written.markdown} and ${written.json} in ${Math.round(run.wallSeconds)} s`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
