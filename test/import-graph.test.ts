/**
 * The import graph runs one way — sources → translate → providers → controller/commands — and has no
 * circle. A backward edge fails with its file and import, so the layout cannot drift from
 * docs/architecture.md. The allow-list of exceptions is empty, and should stay so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ImportEdge, importCircles, readImportGraph } from './support/import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EDGES = readImportGraph(ROOT, ['src', 'providers']);

/**
 * The contract every layer may use: types and pure values shared by the core and the providers, and
 * the cloud-neutral API-budget pieces (a token bucket on an injected clock, an adaptive rate) that
 * every cloud provider paces its calls with.
 */
const CONTRACT = ['src/model.ts', 'src/limits.ts', 'src/errors.ts', 'src/provider.ts', 'src/rate/token-bucket.ts', 'src/rate/adaptive-rate.ts'];

/** Layers of src/, lowest first: a module imports only its own layer and lower ones. */
const LAYERS: ReadonlyArray<readonly [string, (path: string) => boolean]> = [
  ['contract', (path) => CONTRACT.includes(path)],
  ['observability', (path) => path.startsWith('src/observability/')],
  ['sources', (path) => path.startsWith('src/sources/')],
  ['translate', (path) => path.startsWith('src/translate/')],
  ['providers', (path) => path.startsWith('providers/')],
  ['registry', (path) => path === 'src/provider-registry.ts'],
  ['controller', (path) => path.startsWith('src/controller/')],
  ['commands', (path) => path.startsWith('src/commands/') || path === 'src/config.ts'],
  ['cli', (path) => path === 'src/cli.ts'],
];

/**
 * Inside a provider: shared data below every part (kinds.ts: the resource kinds, which the SDK layer
 * and plan/ both name) ← sdk/ (cloud calls) ← observe/ ← plan/ (pure) ← apply/ ← the provider's top level.
 */
const PROVIDER_PARTS = ['shared', 'sdk', 'observe', 'plan', 'apply', 'top'] as const;

/** A provider's modules below all its parts: they import nothing of their provider. */
const SHARED = /^providers\/[^/]+\/kinds\.ts$/;

const ALLOWED: readonly string[] = [];

function layerOf(path: string): number {
  const index = LAYERS.findIndex(([, contains]) => contains(path));
  if (index < 0) throw new Error(`${path} is in no layer: add it to LAYERS`);
  return index;
}

function providerPart(path: string): { provider: string; part: string } | undefined {
  const match = /^providers\/([^/]+)\/(?:(sdk|observe|plan|apply)\/)?/.exec(path);
  if (!match) return undefined;
  return { provider: match[1]!, part: SHARED.test(path) ? 'shared' : (match[2] ?? 'top') };
}

function describeEdge(edge: ImportEdge): string {
  return `${edge.from} -> ${edge.to}`;
}

function backwardEdges(edges: readonly ImportEdge[] = EDGES): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const from = providerPart(edge.from);
    const to = providerPart(edge.to);
    if (from && !to && !CONTRACT.includes(edge.to)) problems.push(`${describeEdge(edge)}: a provider imports only ${CONTRACT.join(', ')} of the core`);
    if (from && to && from.provider !== to.provider) problems.push(`${describeEdge(edge)}: a provider never imports another`);
    if (from && to && from.provider === to.provider && from.part === 'plan' && (to.part === 'sdk' || to.part === 'apply')) {
      problems.push(`${describeEdge(edge)}: plan/ is pure — it never reaches the cloud's SDK or the executor`);
    }
    if (from && to && from.provider === to.provider && from.part === 'plan' && to.part === 'observe' && !edge.typeOnly) {
      problems.push(`${describeEdge(edge)}: plan/ reads observe/ only for the shape of what was observed (import type)`);
    }
    if (
      from &&
      to &&
      from.provider === to.provider &&
      PROVIDER_PARTS.indexOf(to.part as never) > PROVIDER_PARTS.indexOf(from.part as never) &&
      !(from.part === 'observe' && to.part === 'plan')
    ) {
      problems.push(`${describeEdge(edge)}: ${from.part}/ may not import ${to.part}/`);
    }
    if (!from && to) problems.push(`${describeEdge(edge)}: the core loads a provider by name (src/provider-registry.ts), never by import`);
    if (layerOf(edge.to) > layerOf(edge.from)) {
      problems.push(`${describeEdge(edge)}: ${LAYERS[layerOf(edge.from)]![0]} may not import ${LAYERS[layerOf(edge.to)]![0]}`);
    }
  }
  return problems.filter((problem) => !ALLOWED.some((allowed) => problem.startsWith(allowed)));
}

describe('the import graph of src/ and providers/', () => {
  it('reads every import it finds', () => {
    assert.ok(EDGES.length > 200, `only ${EDGES.length} imports read: the reader is broken`);
  });

  it('runs one way: no module imports a later layer', () => {
    assert.deepEqual(backwardEdges(), []);
  });

  it('has no import circle', () => {
    assert.deepEqual(importCircles(EDGES), []);
  });

  it('would catch a backward edge and a circle', () => {
    const fake: ImportEdge[] = [
      { from: 'src/sources/a.ts', to: 'src/translate/b.ts', dynamic: false, typeOnly: true },
      { from: 'src/translate/b.ts', to: 'src/sources/a.ts', dynamic: false, typeOnly: false },
    ];
    assert.ok(layerOf(fake[0]!.to) > layerOf(fake[0]!.from));
    assert.deepEqual(backwardEdges(fake), ['src/sources/a.ts -> src/translate/b.ts: sources may not import translate']);
    assert.deepEqual(importCircles(fake), [['src/sources/a.ts', 'src/translate/b.ts']]);
  });

  it('would catch a provider reaching past the contract, another provider, or its plan/ reaching the SDK', () => {
    const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, dynamic: false, typeOnly });
    assert.deepEqual(
      backwardEdges([
        edge('providers/aws/provider.ts', 'src/translate/index.ts'),
        edge('providers/aws/provider.ts', 'providers/local/index.ts'),
        edge('providers/aws/plan/diff.ts', 'providers/aws/sdk/clients.ts'),
        edge('providers/aws/plan/diff.ts', 'providers/aws/observe/observed.ts'),
        edge('providers/aws/sdk/clients.ts', 'providers/aws/apply/executor.ts'),
        edge('src/controller/reconcile.ts', 'providers/aws/index.ts'),
        edge('providers/gcp/kinds.ts', 'providers/gcp/sdk/compute.ts'),
      ]).map((problem) => problem.replace(/^.*?: /, '')),
      [
        'a provider imports only src/model.ts, src/limits.ts, src/errors.ts, src/provider.ts, src/rate/token-bucket.ts, src/rate/adaptive-rate.ts of the core',
        'a provider never imports another',
        "plan/ is pure — it never reaches the cloud's SDK or the executor",
        'plan/ reads observe/ only for the shape of what was observed (import type)',
        'sdk/ may not import apply/',
        'the core loads a provider by name (src/provider-registry.ts), never by import',
        'shared/ may not import sdk/',
      ],
    );
    assert.deepEqual(
      backwardEdges([edge('providers/gcp/sdk/compute.ts', 'providers/gcp/kinds.ts', true), edge('providers/gcp/plan/diff.ts', 'providers/gcp/kinds.ts')]),
      [],
    );
    assert.deepEqual(backwardEdges([edge('providers/aws/plan/diff.ts', 'providers/aws/observe/observed.ts', true)]), []);
  });
});

describe('the fakes', () => {
  it('import no production code: every relative import of fakes/ stays in fakes/', () => {
    const edges = readImportGraph(ROOT, ['fakes']);
    assert.ok(edges.length > 50, `only ${edges.length} imports read: the reader is broken`);
    assert.deepEqual(edges.filter((edge) => !edge.to.startsWith('fakes/')).map(describeEdge), []);
  });
});
