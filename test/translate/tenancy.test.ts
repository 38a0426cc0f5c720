/**
 * Tenancy in translate (issue 11): a namespace cannot join another namespace's IngressGroup unless
 * an IngressClassParams admits both; group-wide settings are decided by the oldest member, not by
 * group.order; group.order cannot let a newer member take a host and path an older one routes; a
 * host two groups route is a warning on the newer group; a load-balancer name two groups ask for
 * stays with the older group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import { translate, translateAll, type TranslateOptions } from '../../src/translate/index.js';
import type { Snapshot } from '../../src/sources/snapshot.js';
import { routeOf } from '../support/alb-evaluator.js';
import { ingressYaml, NODE_YAML, serviceYaml, snapshotFromYaml, testOptions, type IngressFixture } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';

const CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ingress-bridge}
spec: {controller: ingress-bridge.io/controller}
---
`;

/** A class whose parameters name an IngressClassParams. */
function classWithParams(name: string, params: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}}
spec:
  controller: ingress-bridge.io/controller
  parameters: {apiGroup: ingress-bridge.io, kind: IngressClassParams, name: ${params}}
---
`;
}

function paramsYaml(name: string, spec: string): string {
  return `apiVersion: ingress-bridge.io/v1
kind: IngressClassParams
metadata: {name: ${name}}
spec:
${spec}
---
`;
}

function namespaceYaml(name: string, labels: Record<string, string>): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\n---\n`;
}

interface Member extends IngressFixture {
  /** Seconds after the epoch; the creationTimestamp the API server would have set. */
  created?: number;
}

function world(members: Member[], extra = ''): Snapshot {
  const namespaces = [...new Set(members.map((member) => member.namespace ?? 'default'))];
  const services = namespaces.flatMap((namespace) => ['app', 'other'].map((name, index) => serviceYaml({ name, namespace, nodePort: 30080 + index }))).join('');
  const snapshot = snapshotFromYaml(CLASS + NODE_YAML + services + extra + members.map(ingressYaml).join(''));
  for (const member of members) {
    const ingress = snapshot.ingress(member.namespace ?? 'default', member.name);
    if (ingress?.metadata && member.created !== undefined) ingress.metadata.creationTimestamp = new Date(member.created * 1000);
  }
  return snapshot;
}

function run(snapshot: Snapshot, overrides: Partial<TranslateOptions> = {}) {
  return translateAll(snapshot, testOptions(overrides));
}

function allDiagnostics(result: ReturnType<typeof run>): Diagnostic[] {
  return [...result.diagnostics, ...result.results.flatMap((entry) => entry.diagnostics)];
}

function on(result: ReturnType<typeof run>, name: string, severity: Diagnostic['severity']): Diagnostic[] {
  return allDiagnostics(result).filter((entry) => entry.object.kind === 'Ingress' && entry.object.name === name && entry.severity === severity);
}

function specOf(result: ReturnType<typeof run>, key: string): LoadBalancerSpec {
  const spec = result.results.find((entry) => entry.stackId === key)?.spec;
  assert.ok(spec, `group ${key} has a spec: ${JSON.stringify(allDiagnostics(result))}`);
  return spec;
}

const path = (value: string, service = 'app') => ({ path: value, pathType: 'Prefix', service });

describe('cross-namespace IngressGroups', () => {
  const team = (created: number): Member => ({
    name: 'shop',
    namespace: 'team-a',
    created,
    annotations: { [`${ALB}group.name`]: 'shop', [`${ALB}inbound-cidrs`]: '10.0.0.0/8' },
    rules: [{ host: 'shop.example.com', paths: [path('/')] }],
  });
  const intruder = (created: number): Member => ({
    name: 'evil',
    namespace: 'team-b',
    created,
    annotations: {
      [`${ALB}group.name`]: 'shop',
      [`${ALB}group.order`]: '-1000',
      [`${ALB}scheme`]: 'internet-facing',
      [`${ALB}inbound-cidrs`]: '0.0.0.0/0',
    },
    rules: [{ host: 'shop.example.com', paths: [path('/', 'other')] }],
  });

  it('refuses a member of another namespace, naming it, and leaves the group as its namespace made it', () => {
    const result = run(world([team(1), intruder(2)]));
    const group = result.results.find((entry) => entry.stackId === 'shop');
    assert.deepEqual([group?.members, group?.leftOut], [[{ namespace: 'team-a', name: 'shop' }], [{ namespace: 'team-b', name: 'evil' }]]);
    const [error] = on(result, 'evil', 'error');
    assert.equal(error?.field, `metadata.annotations["${ALB}group.name"]`);
    assert.match(
      error?.message ?? '',
      /group "shop" belongs to namespace team-a .*; namespace team-b may not join it without an IngressClassParams that admits it/,
    );
    const spec = specOf(result, 'shop');
    assert.equal(spec.scheme, 'internal');
    assert.deepEqual(spec.securityGroups, { kind: 'managed', inboundCidrs: ['10.0.0.0/8'] });
    assert.equal(routeOf(spec, 'http://shop.example.com/'), 'team-a/app:80');
    assert.deepEqual(on(result, 'shop', 'error'), []);
  });

  it('gives the group to the oldest member’s namespace, whichever sorts first by name', () => {
    const result = run(world([team(5), intruder(2)]));
    const group = result.results.find((entry) => entry.stackId === 'shop');
    assert.deepEqual(group?.members, [{ namespace: 'team-b', name: 'evil' }]);
    assert.match(on(result, 'shop', 'error')[0]?.message ?? '', /belongs to namespace team-b/);
  });

  it('is refused in the per-group translation the cluster controller runs, too', () => {
    const result = translate(world([team(1), intruder(2)]), 'shop', testOptions());
    assert.deepEqual(result.members, [{ namespace: 'team-a', name: 'shop' }]);
    assert.deepEqual(result.leftOut, [{ namespace: 'team-b', name: 'evil' }]);
  });

  it('with allowCrossNamespaceGroups (a trust decision, for migrations) admits every namespace as aws-load-balancer-controller does', () => {
    const result = run(world([team(1), intruder(2)]), { allowCrossNamespaceGroups: true });
    const group = result.results.find((entry) => entry.stackId === 'shop');
    assert.deepEqual(group?.members?.map((ref) => ref.namespace).sort(), ['team-a', 'team-b']);
    // Even then, the oldest member decides the group-wide settings and keeps its host and path.
    const spec = specOf(result, 'shop');
    assert.equal(spec.scheme, 'internal');
    assert.deepEqual(spec.securityGroups, { kind: 'managed', inboundCidrs: ['10.0.0.0/8'] });
    assert.equal(routeOf(spec, 'http://shop.example.com/'), 'team-a/app:80');
    const warnings = on(result, 'evil', 'warning').map((entry) => entry.field);
    assert.ok(warnings.includes(`metadata.annotations["${ALB}inbound-cidrs"]`));
    assert.ok(warnings.includes('spec.rules[0].http.paths[0]'));
  });
});

describe('IngressClassParams', () => {
  const shared = (spec: string) =>
    classWithParams('shared', 'platform') +
    paramsYaml('platform', spec) +
    namespaceYaml('team-a', { tier: 'shared' }) +
    namespaceYaml('team-b', { tier: 'shared' }) +
    namespaceYaml('team-c', { tier: 'other' });
  const member = (name: string, namespace: string, created: number, annotations: Record<string, string> = {}): Member => ({
    name,
    namespace,
    created,
    ingressClassName: 'shared',
    annotations,
    rules: [{ host: `${name}.example.com`, paths: [path('/')] }],
  });
  const SPEC = [
    '  namespaceSelector: {matchLabels: {tier: shared}}',
    '  group: {name: platform}',
    '  scheme: internal',
    '  inboundCIDRs: [10.0.0.0/8]',
    '  tags: [{key: cost-center, value: platform}]',
  ].join('\n');

  it('admits the namespaces its namespaceSelector selects into one group it names, and forces its settings', () => {
    const result = run(
      world(
        [
          member('a', 'team-a', 1),
          member('b', 'team-b', 2, { [`${ALB}group.name`]: 'mine', [`${ALB}scheme`]: 'internet-facing', [`${ALB}tags`]: 'cost-center=me,team=b' }),
        ],
        shared(SPEC),
      ),
    );
    const spec = specOf(result, 'platform');
    assert.deepEqual(
      spec.stack.members.map((ref) => ref.namespace),
      ['team-a', 'team-b'],
    );
    assert.equal(spec.scheme, 'internal');
    assert.deepEqual(spec.securityGroups, { kind: 'managed', inboundCidrs: ['10.0.0.0/8'] });
    assert.deepEqual(spec.tags, { 'cost-center': 'platform', team: 'b' });
    assert.deepEqual(
      on(result, 'b', 'warning')
        .map((entry) => entry.field)
        .sort(),
      [`metadata.annotations["${ALB}group.name"]`, `metadata.annotations["${ALB}scheme"]`, `metadata.annotations["${ALB}tags"]`],
    );
    assert.deepEqual([...on(result, 'a', 'error'), ...on(result, 'b', 'error')], []);
  });

  it('refuses an Ingress of a namespace it does not select, with an error on the Ingress', () => {
    const result = run(world([member('a', 'team-a', 1), member('c', 'team-c', 2)], shared(SPEC)));
    assert.deepEqual(result.rejected, [{ namespace: 'team-c', name: 'c' }]);
    assert.match(on(result, 'c', 'error')[0]?.message ?? '', /namespace team-c is not selected by spec.namespaceSelector of IngressClassParams "platform"/);
  });

  it('applies to the legacy class annotation as to ingressClassName, so neither spelling steps around it', () => {
    const yaml = classWithParams('ingress-bridge', 'platform').replace('ingress-bridge}', 'ingress-bridge}') + paramsYaml('platform', SPEC);
    const snapshot = snapshotFromYaml(
      yaml +
        NODE_YAML +
        serviceYaml({ name: 'app', namespace: 'team-c' }) +
        ingressYaml({
          name: 'c',
          namespace: 'team-c',
          ingressClassName: null,
          annotations: { 'kubernetes.io/ingress.class': 'ingress-bridge' },
          rules: [{ paths: [path('/')] }],
        }),
    );
    const result = translateAll(snapshot, testOptions());
    assert.deepEqual(result.rejected, [{ namespace: 'team-c', name: 'c' }]);
  });

  it('selects by kubernetes.io/metadata.name without Namespace objects (manifest directories)', () => {
    const spec = '  namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [team-a, team-b]}]}';
    const result = run(
      world(
        [
          { ...member('a', 'team-a', 1), annotations: { [`${ALB}group.name`]: 'g' } },
          { ...member('b', 'team-b', 2), annotations: { [`${ALB}group.name`]: 'g' } },
        ],
        classWithParams('shared', 'by-name') + paramsYaml('by-name', spec),
      ),
    );
    assert.deepEqual(
      specOf(result, 'g').stack.members.map((ref) => ref.namespace),
      ['team-a', 'team-b'],
    );
  });

  it('a missing or invalid IngressClassParams admits nothing (fail closed), naming the problem', () => {
    const missing = run(world([member('a', 'team-a', 1)], classWithParams('shared', 'nowhere')));
    assert.deepEqual(missing.rejected, [{ namespace: 'team-a', name: 'a' }]);
    assert.match(on(missing, 'a', 'error')[0]?.message ?? '', /IngressClassParams "nowhere", which does not exist/);
    const invalid = run(world([member('a', 'team-a', 1)], classWithParams('shared', 'bad') + paramsYaml('bad', '  scheme: public')));
    assert.deepEqual(invalid.rejected, [{ namespace: 'team-a', name: 'a' }]);
    const onParams = allDiagnostics(invalid).filter((entry) => entry.object.kind === 'IngressClassParams');
    assert.deepEqual(
      onParams.map((entry) => [entry.object.name, entry.field, entry.severity]),
      [['bad', 'spec.scheme', 'error']],
    );
  });

  it('without a namespaceSelector it forces settings but admits no other namespace into a group', () => {
    const result = run(
      world(
        [member('a', 'team-a', 1, { [`${ALB}group.name`]: 'g' }), member('b', 'team-b', 2, { [`${ALB}group.name`]: 'g' })],
        classWithParams('shared', 'open') + paramsYaml('open', '  scheme: internet-facing'),
      ),
    );
    const group = result.results.find((entry) => entry.stackId === 'g');
    assert.deepEqual([group?.members, group?.leftOut], [[{ namespace: 'team-a', name: 'a' }], [{ namespace: 'team-b', name: 'b' }]]);
    assert.equal(specOf(result, 'g').scheme, 'internet-facing');
  });
});

describe('group-wide settings and group.order', () => {
  const old = (annotations: Record<string, string> = {}): Member => ({
    name: 'old',
    created: 1,
    annotations: {
      [`${ALB}group.name`]: 'g',
      [`${ALB}scheme`]: 'internal',
      [`${ALB}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=60',
      ...annotations,
    },
    rules: [{ host: 'a.example.com', paths: [path('/api')] }],
  });
  const newer = (annotations: Record<string, string> = {}): Member => ({
    name: 'newer',
    created: 2,
    annotations: {
      [`${ALB}group.name`]: 'g',
      [`${ALB}group.order`]: '-1000',
      [`${ALB}scheme`]: 'internet-facing',
      [`${ALB}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=4000',
      ...annotations,
    },
    rules: [{ host: 'a.example.com', paths: [path('/api', 'other'), path('/new', 'other')] }],
  });

  it('the oldest member decides each conflicting setting; group.order does not; the newer member is warned and keeps its other rules', () => {
    const result = run(world([old(), newer()]));
    const spec = specOf(result, 'g');
    assert.equal(spec.scheme, 'internal');
    assert.deepEqual(spec.attributes, { 'idle_timeout.timeout_seconds': '60' });
    const warnings = on(result, 'newer', 'warning');
    assert.ok(
      warnings.some(
        (entry) =>
          entry.field === `metadata.annotations["${ALB}scheme"]` &&
          /scheme is "internet-facing" here, but "internal" for the whole group: default\/old/.test(entry.message),
      ),
    );
    assert.ok(
      warnings.some((entry) => entry.field === `metadata.annotations["${ALB}load-balancer-attributes"]` && /idle_timeout.timeout_seconds/.test(entry.message)),
    );
    assert.deepEqual(on(result, 'old', 'warning'), []);
    assert.equal(routeOf(spec, 'http://a.example.com/new'), 'default/other:80');
  });

  it('a negative group.order cannot take a host and path an older member routes', () => {
    const result = run(world([old(), newer()]));
    const spec = specOf(result, 'g');
    assert.equal(routeOf(spec, 'http://a.example.com/api'), 'default/app:80');
    const shadowed = on(result, 'newer', 'warning').find((entry) => entry.field === 'spec.rules[0].http.paths[0]');
    assert.match(shadowed?.message ?? '', /default\/old .*older member of the group and keeps it whatever group.order says/);
  });
});

describe('two groups', () => {
  const ingress = (name: string, created: number, group: string, host: string, annotations: Record<string, string> = {}): Member => ({
    name,
    created,
    annotations: { [`${ALB}group.name`]: group, ...annotations },
    rules: [{ host, paths: [path('/')] }],
  });

  it('a host routed by two groups is a warning on the newer group’s Ingress, naming the other group', () => {
    const result = run(world([ingress('first', 1, 'zeta', 'shop.example.com'), ingress('second', 2, 'alpha', 'SHOP.example.com')]));
    const warnings = on(result, 'second', 'warning');
    assert.deepEqual(
      warnings.map((entry) => entry.field),
      ['spec.rules[0].host'],
    );
    assert.match(warnings[0]?.message ?? '', /host shop.example.com is also routed by group "zeta"/);
    assert.deepEqual(on(result, 'first', 'warning'), []);
    assert.equal(result.results.filter((entry) => entry.spec).length, 2);
  });

  it('a load-balancer name two groups ask for stays with the older group; the newer one is left out with an error', () => {
    const named = { [`${ALB}load-balancer-name`]: 'shared-lb' };
    const snapshot = world([ingress('owner', 1, 'zeta', 'a.example.com', named), ingress('squatter', 2, 'alpha', 'b.example.com', named)]);
    const result = run(snapshot);
    assert.equal(specOf(result, 'zeta').stack.name, 'shared-lb');
    const newer = result.results.find((entry) => entry.stackId === 'alpha');
    assert.deepEqual([newer?.spec, newer?.members, newer?.leftOut], [undefined, [], [{ namespace: 'default', name: 'squatter' }]]);
    assert.match(on(result, 'squatter', 'error')[0]?.message ?? '', /load balancer name "shared-lb" is already used by group "zeta", which is older/);
    assert.deepEqual(on(result, 'owner', 'error'), []);
    // The per-group translation the cluster controller runs decides the same.
    assert.equal(translate(snapshot, 'zeta', testOptions()).spec?.stack.name, 'shared-lb');
    assert.equal(translate(snapshot, 'alpha', testOptions()).spec, undefined);
  });
});
