/**
 * Benchmark results: a run of some scenarios keeps the figures of the others from the results file
 * already there, each marked with the run it came from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type RunInfo, writeResults } from '../../bench/report.js';
import type { ScenarioResult } from '../../bench/scenarios/common.js';

const run = (command: string): RunInfo => ({
  command,
  size: 'S',
  timeScale: 20,
  churnTimeScale: 2,
  latencyMs: 40,
  jitter: 0.25,
  seed: 1,
  wallSeconds: 1,
  cluster: {},
});
const scenario = (id: string, value: number): ScenarioResult => ({ id, title: id, figures: [{ label: 'x', value, unit: 's' }], notes: [] });

describe('bench results', () => {
  it('carries over the scenarios a run did not measure, in the report order, marked', () => {
    const directory = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      writeResults(directory, run('npm run bench -- --scenario memory'), [scenario('memory', 1)]);
      const { json, markdown } = writeResults(directory, run('npm run bench -- --scenario churn,cold-start'), [
        scenario('churn', 2),
        scenario('cold-start', 3),
      ]);
      const document = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: ScenarioResult[] };
      assert.deepEqual(
        document.scenarios.map((entry) => [entry.id, entry.measured?.command]),
        [
          ['cold-start', undefined],
          ['churn', undefined],
          ['memory', 'npm run bench -- --scenario memory'],
        ],
      );
      assert.match(readFileSync(markdown, 'utf8'), /## memory\n\n_Carried over from `npm run bench -- --scenario memory`/);

      writeResults(directory, run('npm run bench -- --scenario memory'), [scenario('memory', 4)]);
      const remeasured = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: ScenarioResult[] };
      assert.deepEqual(
        remeasured.scenarios.map((entry) => [entry.id, entry.figures[0]?.value, entry.measured?.command]),
        [
          ['cold-start', 3, 'npm run bench -- --scenario churn,cold-start'],
          ['churn', 2, 'npm run bench -- --scenario churn,cold-start'],
          ['memory', 4, undefined],
        ],
        'a scenario measured again replaces its carried-over figures, once',
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
