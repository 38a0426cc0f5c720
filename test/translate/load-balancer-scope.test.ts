/**
 * The `load-balancer-scope` annotation: `regional` or `global`, carried into the spec's cloud-neutral
 * `scope` (Google Cloud acts on it, docs/gcp.md). A bad value is an error naming the annotation and
 * leaves that Ingress out; in a group the oldest member decides it even when it leaves it to the
 * default, because a scope change gives the load balancer a new address.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateAll } from '../../src/translate/index.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, snapshotFromYaml, testOptions, translateYaml } from '../support/cluster.js';

const OWN = 'ingress-bridge.io/';
const BASE = INGRESS_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'app' });
const RULES = [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }];

describe('the load-balancer-scope annotation', () => {
  it('global and regional reach the spec; no annotation leaves the scope out (regional)', () => {
    for (const scope of ['global', 'regional'] as const) {
      const spec = onlySpec(translateYaml(BASE + ingressYaml({ name: 'web', annotations: { [`${OWN}load-balancer-scope`]: scope }, rules: RULES })));
      assert.equal(spec.scope, scope);
    }
    assert.equal(onlySpec(translateYaml(BASE + ingressYaml({ name: 'web', rules: RULES }))).scope, undefined);
  });

  it('a bad value is an error on that Ingress naming the annotation, and leaves it out', () => {
    const translated = translateYaml(
      BASE +
        ingressYaml({ name: 'bad', annotations: { [`${OWN}load-balancer-scope`]: 'Global' }, rules: RULES }) +
        ingressYaml({ name: 'good', rules: [{ host: 'b.test', paths: RULES[0]!.paths }] }),
    );
    const errors = translated.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.deepEqual(errors[0]!.object, { kind: 'Ingress', namespace: 'default', name: 'bad' });
    assert.equal(errors[0]!.field, `metadata.annotations["${OWN}load-balancer-scope"]`);
    assert.match(errors[0]!.message, /regional or global/);
    assert.deepEqual(
      translated.specs.map((spec) => spec.stack.id),
      ['default/good'],
      'the other Ingress keeps its load balancer',
    );
  });

  it('in a group the oldest member decides, even by leaving it to the default; a newer member is warned', () => {
    const group = { [`${OWN}group.name`]: 'shop' };
    const yaml =
      BASE +
      ingressYaml({ name: 'old', annotations: group, rules: RULES }) +
      ingressYaml({ name: 'newer', annotations: { ...group, [`${OWN}load-balancer-scope`]: 'global' }, rules: [{ host: 'b.test', paths: RULES[0]!.paths }] });
    const snapshot = snapshotFromYaml(yaml);
    snapshot.ingress('default', 'old')!.metadata!.creationTimestamp = new Date(1000);
    snapshot.ingress('default', 'newer')!.metadata!.creationTimestamp = new Date(2000);
    const result = translateAll(snapshot, testOptions()).results.find((entry) => entry.stackId === 'shop');
    assert.ok(result?.spec);
    assert.equal(result.spec.scope, undefined, 'regional, as the oldest member left it');
    assert.deepEqual(result.spec.stack.members.map((member) => member.name).sort(), ['newer', 'old'], 'the newer member keeps its rules');
    const warning = result.diagnostics.find((diagnostic) => diagnostic.object.name === 'newer' && diagnostic.severity === 'warning');
    assert.equal(warning?.field, `metadata.annotations["${OWN}load-balancer-scope"]`);
    assert.match(warning?.message ?? '', /load-balancer-scope is "global" here, but the default for the whole group: default\/old/);
  });
});
