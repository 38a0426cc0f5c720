/**
 * `plan --output mermaid`: every example's routing, parsed by Mermaid's own parser (under jsdom,
 * see test/support/mermaid.ts) and read back from Mermaid's diagram database — the path a request
 * takes (listener → host → rule → action → target group → targets), labels that survive hostile
 * values, and, with `--live` against the AWS fake, what a reconcile would add, change or remove.
 */
import './../support/mermaid.js';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderFlowchart, renderPlanMermaid } from '../../src/commands/plan-mermaid.js';
import { runPlan } from '../../src/commands/plan.js';
import type { LoadBalancerSpec, RuleSpec } from '../../src/model.js';
import { defaultTranslateOptions } from '../../src/translate/index.js';
import { createAwsWorld, reconcile, specOf, type AwsWorld } from '../support/aws-provider-world.js';
import { stackSpec, targetGroup } from '../support/aws-spec-builder.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, testOptions } from '../support/cluster.js';
import { flowchartOf, mermaidBlocks, parseMermaid, type Flowchart, type FlowVertex } from '../support/mermaid.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

const plan = (manifests: string, live = false) =>
  // Now, not the fixed test date: examples/tls holds a certificate made when the example was.
  runPlan({
    manifests,
    output: 'mermaid',
    provider: 'aws',
    // Both classes, so that examples/ingress-nginx (class nginx) is drawn too.
    translate: testOptions({ now: new Date(), ingressClass: 'ingress-bridge,nginx' }),
    ...(live ? { live: true, providerSettings: { region: 'us-east-1' } } : {}),
  });

/** The vertices one step after `from`. */
function next(chart: Flowchart, from: string): FlowVertex[] {
  return chart.edges.filter((edge) => edge.start === from).map((edge) => chart.vertices.get(edge.end) as FlowVertex);
}

function vertex(chart: Flowchart, text: RegExp): FlowVertex {
  const found = [...chart.vertices.values()].filter((candidate) => text.test(candidate.text));
  assert.equal(found.length, 1, `one vertex ${text}: ${found.map((entry) => entry.text).join(' | ')}`);
  return found[0] as FlowVertex;
}

/** Every path from the load balancer to a target count, as the labels along it. */
function requestPaths(chart: Flowchart): string[][] {
  const paths: string[][] = [];
  const walk = (id: string, trail: string[]): void => {
    const here = [...trail, chart.vertices.get(id)?.text ?? id];
    const onward = chart.edges.filter((edge) => edge.start === id && !edge.dotted);
    if (onward.length === 0) paths.push(here);
    for (const edge of onward) walk(edge.end, here);
  };
  walk('lb', []);
  return paths;
}

describe('plan --output mermaid', () => {
  it("draws every example, one flowchart per load balancer, each accepted by Mermaid's parser", async () => {
    const directories = (await readdir(EXAMPLES, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => join(EXAMPLES, entry.name));
    assert.ok(directories.length >= 6);
    for (const directory of [EXAMPLES, ...directories]) {
      const outcome = await plan(directory);
      assert.equal(outcome.hasErrors, false, `${directory}: ${outcome.stderr}`);
      const blocks = mermaidBlocks(outcome.stdout);
      assert.equal(blocks.length, outcome.specs.length, `${directory}: one diagram per stack`);
      assert.ok(blocks.length > 0, directory);
      for (const [index, block] of blocks.entries()) {
        assert.equal(await parseMermaid(block), 'flowchart-v2', `${directory} #${index}`);
        const chart = await flowchartOf(block);
        const spec = outcome.specs[index] as LoadBalancerSpec;
        assert.match(chart.vertices.get('lb')?.text ?? '', new RegExp(`^load balancer ${spec.stack.id}\n${spec.stack.name}\n`));
        // Every rule and every default action reaches an action; every forward a target group and its count.
        const rules = spec.listeners.reduce((total, listener) => total + listener.rules.length + 1, 0);
        assert.equal(requestPaths(chart).length >= rules, true, `${directory}: a path per rule`);
        for (const path of requestPaths(chart)) {
          const last = path.at(-1) ?? '';
          assert.ok(/^(\d+ targets?|no targets)$/.test(last) || /^(redirect|fixed-response)/m.test(last), `${directory}: ${path.join(' → ')}`);
        }
      }
    }
  });

  it('follows a request: listener → host → priority and path → action → target group → target count', async () => {
    const outcome = await plan(join(EXAMPLES, 'paths'));
    const chart = await flowchartOf(mermaidBlocks(outcome.stdout)[0] as string);
    const lb = `load balancer default/shop\n${outcome.specs[0]?.stack.name ?? ''}\ninternal, ipv4`;
    assert.deepEqual(requestPaths(chart), [
      [lb, 'HTTP :80', 'shop.example.com', 'priority 1\npath /foo, /foo/*', 'forward', 'target group default/foo-api:80/ip\nHTTP :9107 ip', '2 targets'],
      [lb, 'HTTP :80', 'shop.example.com', 'priority 2\npath /bar, /bar/*', 'forward', 'target group default/bar-api:80/ip\nHTTP :8080 ip', '2 targets'],
      [lb, 'HTTP :80', 'default\nno rule matched', 'fixed-response 404 "Not Found"'],
    ]);
    assert.deepEqual(chart.vertices.get('l80')?.classes, [], 'no marks without --live');
  });

  it('keeps hostile values inside their labels: quotes, brackets, #, <, &, pipes, backticks, keywords', async () => {
    const hostile = 'a"b]c[d#e<f>g&h|i`j{k}(l)m;n%%o end --> click';
    const web = targetGroup({ service: 'web', targetType: 'ip', targets: [{ id: '10.0.0.1', ip: '10.0.0.1', port: 80 }] });
    const canary = targetGroup({ service: 'canary', targetType: 'ip', targets: [] });
    const rule: RuleSpec = {
      priority: 7,
      conditions: [
        { field: 'host-header', values: ['x.example.com'] },
        { field: 'path-pattern', values: [`/${hostile}`] },
        { field: 'http-header', headerName: 'X-Env', regexValues: [`^${hostile}$`] },
        { field: 'query-string', values: [{ key: 'q', value: hostile }] },
      ],
      actions: [
        {
          type: 'forward',
          targetGroups: [
            { targetGroupKey: web.key, weight: 80 },
            { targetGroupKey: canary.key, weight: 20 },
          ],
        },
      ],
      origin: { ingress: { namespace: 'default', name: 'web' } },
    };
    const base = stackSpec('default/web', { targetGroups: [web, canary] });
    const spec: LoadBalancerSpec = {
      ...base,
      listeners: base.listeners.map((listener) => ({
        ...listener,
        rules: [rule],
        defaultAction: { type: 'fixed-response', statusCode: '503', messageBody: hostile },
      })),
    };
    const text = renderFlowchart(spec);
    assert.equal(await parseMermaid(text), 'flowchart-v2');
    const chart = await flowchartOf(text);
    assert.equal(vertex(chart, /^priority 7/).text, `priority 7\npath /${hostile}\nheader X-Env ~^${hostile}$\nquery q=${hostile}`);
    assert.equal(vertex(chart, /^fixed-response/).text, `fixed-response 503 ${JSON.stringify(hostile)}`);
    const forward = vertex(chart, /^forward$/);
    assert.deepEqual(
      chart.edges.filter((edge) => edge.start === forward.id).map((edge) => [edge.text, chart.vertices.get(edge.end)?.text.split('\n')[0]]),
      [
        ['weight 80', 'target group default/web:80/ip'],
        ['weight 20', 'target group default/canary:80/ip'],
      ],
    );
    assert.equal(next(chart, vertex(chart, /^target group default\/canary/).id)[0]?.text, 'no targets');
  });

  it('the pictures in docs/routing.md are what the command they name draws today', async () => {
    const page = await readFile(new URL('../../docs/routing.md', import.meta.url), 'utf8');
    const pictures = [...page.matchAll(/`npx ingress-bridge plan --manifests (examples\/[\w-]+) --output mermaid`:\n\n```mermaid\n([\s\S]*?)^```$/gm)];
    assert.ok(pictures.length >= 1, 'docs/routing.md shows at least one example, with the command that draws it');
    for (const [, directory, picture] of pictures) {
      // The command's defaults: cluster name and class ingress-bridge.
      const outcome = await runPlan({
        manifests: join(EXAMPLES, '..', directory as string),
        output: 'mermaid',
        provider: 'aws',
        translate: defaultTranslateOptions(),
      });
      assert.deepEqual(mermaidBlocks(outcome.stdout), [picture], `${directory}: run the command and paste its output into docs/routing.md`);
      assert.equal(await parseMermaid(picture as string), 'flowchart-v2');
    }
  });

  it('says there is nothing to draw when no Ingress is ours', () => {
    assert.match(renderPlanMermaid([]), /^No load balancer to draw/);
  });
});

describe('plan --live --output mermaid, against the AWS fake', () => {
  let world: AwsWorld;
  let dir = '';
  const IP = { 'ingress-bridge.io/target-type': 'ip' };
  const WEB = { path: '/', pathType: 'Prefix' as const, service: 'web' };
  const API = { path: '/api', pathType: 'Prefix' as const, service: 'api' };
  const ingress = (paths: (typeof WEB)[]): string => ingressYaml({ name: 'web', annotations: IP, rules: [{ host: 'a.test', paths }] });
  const services = serviceYaml({ name: 'web' }) + serviceYaml({ name: 'api', endpoints: ['10.0.0.7'] });
  const planLive = async (yaml: string): Promise<{ markdown: string; chart: Flowchart }> => {
    await writeFile(join(dir, 'all.yaml'), INGRESS_CLASS_YAML + NODE_YAML + services + yaml);
    const outcome = await plan(dir, true);
    const [block] = mermaidBlocks(outcome.stdout);
    assert.ok(block, outcome.stdout);
    assert.equal(await parseMermaid(block), 'flowchart-v2');
    return { markdown: outcome.stdout, chart: await flowchartOf(block) };
  };
  const classOf = (chart: Flowchart, text: RegExp): string[] => vertex(chart, text).classes;

  before(async () => {
    world = createAwsWorld();
    dir = await mkdtemp(join(tmpdir(), 'plan-mermaid-'));
    await copyFile(join(EXAMPLES, 'node.yaml'), join(dir, 'node.yaml'));
  });
  after(async () => {
    world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('marks everything added when the load balancer does not exist yet', async () => {
    const { markdown, chart } = await planLive(ingress([WEB]));
    assert.match(markdown, /A reconcile would make \d+ change\(s\)/);
    assert.ok(chart.vertices.size > 0);
    for (const node of chart.vertices.values()) assert.deepEqual(node.classes, ['added'], node.text);
  });

  it('marks the rule and target group a new path adds, and the listener whose rules move', async () => {
    await reconcile(world.newProvider(), 'default/web', specOf(ingress([WEB]) + services));
    const { chart } = await planLive(ingress([API, WEB]));
    assert.deepEqual(classOf(chart, /^priority 1\npath \/api/), ['added']);
    assert.deepEqual(classOf(chart, /^target group default\/api/), ['added']);
    assert.deepEqual(classOf(chart, /^HTTP :80/), ['changed'], 'the / rule moves from priority 1 to 2');
    assert.deepEqual(classOf(chart, /^priority 2\npath \/\*$/), [], 'the / rule itself is unchanged');
    assert.deepEqual(classOf(chart, /^load balancer/), []);
  });

  it('draws what a reconcile removes as dashed ghosts, and an unchanged stack unmarked', async () => {
    await reconcile(world.newProvider(), 'default/web', specOf(ingress([API, WEB]) + services));
    const inStep = await planLive(ingress([API, WEB]));
    assert.match(inStep.markdown, /In step: a reconcile would change nothing\./);
    assert.ok(inStep.chart.vertices.size > 0);
    for (const node of inStep.chart.vertices.values()) assert.deepEqual(node.classes, [], node.text);

    const { chart } = await planLive(ingress([API]));
    const rule = vertex(chart, /^rule 2 on :80\nremoved$/);
    const group = vertex(chart, /^target group default\/web:80\/ip\nremoved$/);
    for (const ghost of [rule, group]) {
      assert.deepEqual(ghost.classes, ['removed']);
      assert.ok(
        chart.edges.some((edge) => edge.end === ghost.id && edge.dotted),
        `${ghost.text} hangs by a dotted edge`,
      );
    }
    assert.deepEqual(classOf(chart, /^priority 1\npath \/api/), []);
  });
});
