/**
 * Each Ingress is translated inside its own error boundary (DESIGN.md section 8, issue 11): an
 * exception nobody expected is an error diagnostic naming that Ingress; the other members of its
 * group keep their rules, and nothing is thrown to the group, the other groups or the process.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngressRef } from '../../src/model.js';
import { translateWithinBoundary } from '../../src/translate/boundary.js';
import { groupIngresses, type IngressGroup } from '../../src/translate/groups.js';
import { translateAll } from '../../src/translate/index.js';
import type { GroupTranslation } from '../../src/translate/result.js';
import { routeOf } from '../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, snapshotFromYaml, testOptions } from '../support/cluster.js';

const GROUP = { 'alb.ingress.kubernetes.io/group.name': 'shop' };

function groupSnapshot() {
  return snapshotFromYaml(
    INGRESS_CLASS_YAML +
      NODE_YAML +
      serviceYaml({ name: 'app' }) +
      serviceYaml({ name: 'other', nodePort: 30081 }) +
      ingressYaml({ name: 'good', annotations: GROUP, rules: [{ host: 'good.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] }) +
      ingressYaml({ name: 'broken', annotations: GROUP, rules: [{ host: 'broken.test', paths: [{ path: '/', pathType: 'Prefix', service: 'other' }] }] }) +
      ingressYaml({ name: 'alone', rules: [{ host: 'alone.test', paths: [{ path: '/', pathType: 'Prefix', service: 'other' }] }] }),
  );
}

describe('the per-Ingress error boundary', () => {
  it("turns an exception in one member into an error on it; the group's other member and other groups keep their rules", () => {
    const snapshot = groupSnapshot();
    const broken = snapshot.ingress('default', 'broken');
    const rule = broken?.spec?.rules?.[0];
    assert.ok(rule);
    // A value shape translate never expects: reading the rule's paths throws.
    Object.defineProperty(rule, 'http', {
      get: () => {
        throw new TypeError('hostile shape');
      },
    });

    const all = translateAll(snapshot, testOptions());
    const shop = all.results.find((result) => result.stackId === 'shop');
    assert.ok(shop?.spec, JSON.stringify(shop?.diagnostics));
    assert.equal(routeOf(shop.spec, 'http://good.test/x'), 'default/app:80');
    assert.equal(routeOf(shop.spec, 'http://broken.test/x'), '404');
    assert.deepEqual(shop.members, [{ namespace: 'default', name: 'good' }]);
    assert.deepEqual(shop.leftOut, [{ namespace: 'default', name: 'broken' }]);

    const errors = shop.diagnostics.filter((entry) => entry.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(shop.diagnostics));
    assert.deepEqual(errors[0]?.object, { kind: 'Ingress', namespace: 'default', name: 'broken' });
    assert.match(errors[0]?.message ?? '', /could not be translated \(TypeError: hostile shape\)/);

    const alone = all.results.find((result) => result.stackId === 'default/alone');
    assert.equal(routeOf(alone?.spec ?? assert.fail('no spec for default/alone'), 'http://alone.test/'), 'default/other:80');
  });
});

describe('the group error boundary', () => {
  const ref = (name: string): IngressRef => ({ namespace: 'default', name });
  const members = groupIngresses(groupSnapshot(), testOptions()).groups.get('shop')?.members ?? [];
  const byName = (name: string) => members.find((entry) => entry.ref.name === name) ?? assert.fail(name);
  const group: IngressGroup = { key: 'shop', members: [byName('good'), byName('broken')] };
  const fine = (part: IngressGroup): GroupTranslation => ({ stackId: part.key, diagnostics: [], members: part.members.map((entry) => entry.ref), leftOut: [] });

  it('leaves out the member that fails on its own and translates the others without it', () => {
    const result = translateWithinBoundary(group, (part) => {
      if (part.members.some((entry) => entry.ref.name === 'broken')) throw new RangeError('defect');
      return fine(part);
    });
    assert.deepEqual(result.members, [ref('good')]);
    assert.deepEqual(result.leftOut, [ref('broken')]);
    assert.deepEqual(
      result.diagnostics.map((entry) => [entry.severity, entry.object.name]),
      [['error', 'broken']],
    );
    assert.match(result.diagnostics[0]?.message ?? '', /RangeError: defect/);
  });

  it('when only the combination fails, leaves every member out with no spec, which keeps the existing load balancer', () => {
    const result = translateWithinBoundary(group, (part) => {
      if (part.members.length > 1) throw new Error('members clash in a way nobody foresaw');
      return fine(part);
    });
    assert.equal(result.spec, undefined);
    assert.deepEqual(result.members, []);
    assert.deepEqual(result.leftOut, [ref('good'), ref('broken')]);
    assert.deepEqual(
      result.diagnostics.map((entry) => entry.object.name),
      ['good', 'broken'],
    );
  });

  it('is transparent when nothing throws', () => {
    assert.deepEqual(translateWithinBoundary(group, fine), fine(group));
  });
});
