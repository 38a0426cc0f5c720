/**
 * Checks that only make sense once settings from several objects meet: two groups asking for one
 * load balancer name, ownership tag keys, and health-check settings merged from Ingress and Service.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translate, translateAll } from '../../src/translate/index.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, snapshotFromYaml, testOptions, translateYaml } from '../support/cluster.js';

const BASE = INGRESS_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'web' });
const RULES = [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }];

describe('checks across objects', () => {
  it('leaves out the second group that asks for a load balancer name already taken', () => {
    const named = { 'ingress-bridge.io/load-balancer-name': 'shared-name' };
    const translated = translateYaml(
      BASE +
        ingressYaml({ name: 'first', annotations: named, rules: RULES }) +
        ingressYaml({ name: 'second', annotations: named, rules: [{ host: 'b.test', paths: RULES[0]!.paths }] }),
    );
    const spec = onlySpec(translated);
    assert.deepEqual(spec.stack.members, [{ namespace: 'default', name: 'first' }]);
    const second = translated.results.find((result) => result.stackId === 'default/second');
    assert.deepEqual(second?.leftOut, [{ namespace: 'default', name: 'second' }]);
    const error = translated.diagnostics.find((entry) => entry.object.name === 'second' && entry.severity === 'error');
    assert.equal(error?.field, 'metadata.annotations["ingress-bridge.io/load-balancer-name"]');
    assert.match(error?.message ?? '', /already used by group "default\/first"/);
  });

  it('ignores user tags under the ingress-bridge.io/ prefix, which decide ownership', () => {
    const translated = translateYaml(
      BASE + ingressYaml({ name: 'web', annotations: { 'alb.ingress.kubernetes.io/tags': 'team=a,ingress-bridge.io/cluster=other' }, rules: RULES }),
    );
    assert.deepEqual(onlySpec(translated).tags, { team: 'a' });
    const warning = translated.diagnostics.find((entry) => entry.severity === 'warning');
    assert.equal(warning?.field, 'metadata.annotations["alb.ingress.kubernetes.io/tags"]');
  });

  it('falls back to the default success codes when the Ingress codes do not suit the Service protocol version', () => {
    const yaml =
      INGRESS_CLASS_YAML +
      NODE_YAML +
      serviceYaml({ name: 'web', annotations: { 'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC' } }) +
      ingressYaml({ name: 'web', annotations: { 'alb.ingress.kubernetes.io/success-codes': '200-299' }, rules: RULES });
    const translated = translateYaml(yaml);
    assert.equal(onlySpec(translated).targetGroups[0]?.healthCheck.successCodes, '12');
    assert.ok(translated.diagnostics.some((entry) => entry.object.kind === 'Service' && /success-codes "200-299"/.test(entry.message)));
  });

  it('keeps the health-check timeout below an interval set on the other object', () => {
    const yaml =
      INGRESS_CLASS_YAML +
      NODE_YAML +
      serviceYaml({ name: 'web', annotations: { 'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10' } }) +
      ingressYaml({ name: 'web', annotations: { 'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '20' }, rules: RULES });
    const translated = translateYaml(yaml);
    const health = onlySpec(translated).targetGroups[0]?.healthCheck;
    assert.deepEqual([health?.intervalSeconds, health?.timeoutSeconds], [10, 9]);
    assert.ok(translated.diagnostics.some((entry) => /must be less than healthcheck-interval-seconds 10/.test(entry.message)));
  });
});

describe('groups held by invalid Ingresses', () => {
  const bad = { 'ingress-bridge.io/scheme': 'public' };

  it('holds the group an invalid Ingress of ours still claims, but not one of another class', () => {
    const snapshot = snapshotFromYaml(
      BASE +
        ingressYaml({ name: 'invalid', annotations: bad, rules: RULES }) +
        ingressYaml({ name: 'grouped', annotations: { ...bad, 'ingress-bridge.io/group.name': 'team' }, rules: RULES }) +
        ingressYaml({ name: 'foreign', annotations: bad, ingressClassName: 'other', rules: RULES }) +
        ingressYaml({ name: 'valid', rules: RULES }),
    );
    const dispositions = translateAll(snapshot, testOptions()).results.map((result) => [result.stackId, result.disposition]);
    assert.deepEqual(dispositions, [
      ['default/invalid', 'hold'],
      ['default/valid', 'apply'],
      ['team', 'hold'],
    ]);
    assert.equal(translate(snapshot, 'team', testOptions()).disposition, 'hold', 'one group at a time decides the same');
    assert.equal(translate(snapshot, 'default/foreign', testOptions()).disposition, 'delete', 'no Ingress of ours names it');
  });

  it('holds a group whose every member is left out, and applies one with a valid member beside an invalid Ingress', () => {
    const group = (name: string): Record<string, string> => ({ 'ingress-bridge.io/group.name': name });
    const snapshot = snapshotFromYaml(
      BASE +
        ingressYaml({
          name: 'no-service',
          annotations: group('broken'),
          rules: [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'Not_A_Name' }] }],
        }) +
        ingressYaml({ name: 'good', annotations: group('mixed'), rules: RULES }) +
        ingressYaml({ name: 'bad', annotations: { ...bad, ...group('mixed') }, rules: RULES }),
    );
    const results = translateAll(snapshot, testOptions()).results;
    assert.deepEqual(
      results.map((result) => [result.stackId, result.disposition, Boolean(result.spec)]),
      [
        ['broken', 'hold', false],
        ['mixed', 'apply', true],
      ],
    );
  });
});
