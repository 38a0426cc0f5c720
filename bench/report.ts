/**
 * Results as JSON (every figure) and markdown (the same, for people), with the commit and the
 * machine they were measured on, under bench/results/.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from './scenarios/common.js';

export interface RunInfo {
  command: string;
  size: string;
  timeScale: number;
  /** The endpoint churn's own time scale (its figures are cloud milliseconds). */
  churnTimeScale: number;
  latencyMs: number;
  jitter: number;
  seed: number;
  wallSeconds: number;
  cluster: Record<string, number>;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The commit measured, marked `+dirty` when the work tree had changes. */
export function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The order scenarios are reported in, whichever run measured them. */
const SCENARIO_ORDER = ['cold-start', 'restart', 'edit', 'churn', 'noisy-neighbour', 'noisy-neighbour-share-0.5', 'memory'];

/**
 * Writes this run's results. Scenarios this run did not measure are carried over from the results
 * file already there (each marked with the run it came from), so a run of one scenario (`--scenario
 * churn`) updates its figures without dropping the others'.
 */
export function writeResults(directory: string, run: RunInfo, scenarios: readonly ScenarioResult[]): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const json = join(directory, `bench-${run.size}.json`);
  const markdown = join(directory, `bench-${run.size}.md`);
  const measured = new Set(scenarios.map((scenario) => scenario.id));
  const carried = previousScenarios(json).filter((scenario) => !measured.has(scenario.id));
  const rank = (id: string): number => (SCENARIO_ORDER.includes(id) ? SCENARIO_ORDER.indexOf(id) : SCENARIO_ORDER.length);
  const all = [...scenarios, ...carried].sort((a, b) => rank(a.id) - rank(b.id));
  const document = { commit: commit(), measuredAt: new Date().toISOString(), machine: machine(), run, scenarios: all };
  writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(document));
  return { json, markdown };
}

function previousScenarios(path: string): ScenarioResult[] {
  if (!existsSync(path)) return [];
  const previous = JSON.parse(readFileSync(path, 'utf8')) as { commit?: string; measuredAt?: string; run?: { command?: string }; scenarios?: ScenarioResult[] };
  const from = { command: previous.run?.command ?? 'unknown', commit: previous.commit ?? 'unknown', measuredAt: previous.measuredAt ?? 'unknown' };
  return (previous.scenarios ?? []).map((scenario) => ({ ...scenario, measured: scenario.measured ?? from }));
}

const cell = (value: number | string | undefined): string =>
  value === undefined ? '—' : typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : value;

export function renderMarkdown(document: { commit: string; measuredAt: string; machine: Machine; run: RunInfo; scenarios: readonly ScenarioResult[] }): string {
  const { run, machine: host } = document;
  const lines = [
    `# Benchmark, size ${run.size}`,
    '',
    `\`${run.command}\` — commit ${document.commit}, ${document.measuredAt}`,
    '',
    `Machine: ${host.cores} cores (${host.cpu}), ${host.memoryGiB} GiB, Node ${host.node}, ${host.platform}. ` +
      `Time scale ${run.timeScale} (1 cloud s = ${1000 / run.timeScale} ms wall; the endpoint churn at ${run.churnTimeScale}), latency ${run.latencyMs} ms ±${run.jitter * 100}%, seed ${run.seed}; ` +
      `the run took ${Math.round(run.wallSeconds)} s wall. Every time below is in cloud seconds.`,
    '',
    `Cluster: ${Object.entries(run.cluster)
      .map(([key, value]) => `${value.toLocaleString('en-US')} ${key}`)
      .join(', ')}.`,
  ];
  for (const scenario of document.scenarios) {
    lines.push('', `## ${scenario.title}`);
    if (scenario.measured)
      lines.push('', `_Carried over from \`${scenario.measured.command}\` — commit ${scenario.measured.commit}, ${scenario.measured.measuredAt}._`);
    lines.push('', '| figure | measured | floor | ÷ floor | note |', '| --- | ---: | ---: | ---: | --- |');
    for (const entry of scenario.figures) {
      lines.push(`| ${entry.label} | ${cell(entry.value)} ${entry.unit} | ${cell(entry.floor)} | ${cell(entry.ratio)} | ${entry.note ?? ''} |`);
    }
    if (scenario.actions && scenario.actions.length > 0) {
      lines.push('', '| action | calls | fewest | throttled |', '| --- | ---: | ---: | ---: |');
      for (const row of scenario.actions) lines.push(`| ${row.action} | ${cell(row.measured)} | ${cell(row.floor)} | ${cell(row.throttled)} |`);
    }
    for (const note of scenario.notes) lines.push('', note);
  }
  return `${lines.join('\n')}\n`;
}
