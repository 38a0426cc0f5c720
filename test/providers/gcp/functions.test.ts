/**
 * Lambda function backends on GCP (providers/gcp/plan/functions.ts): a path to a function alone
 * answers 503, a weighted forward keeps its Service, the error names the Ingress and the
 * backend.resource, and a spec without functions is left as it is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { FUNCTION_REFUSED, withoutFunctions } from '../../../providers/gcp/plan/functions.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml } from '../../support/cluster.js';

const example = (file: string): string => readFileSync(new URL(`../../../examples/serverless/${file}`, import.meta.url), 'utf8');

function serverlessSpec(): LoadBalancerSpec {
  return onlySpec(translateYaml(`${INGRESS_CLASS_YAML}${NODE_YAML}---\n${example('backends.yaml')}\n---\n${example('ingress.yaml')}`));
}

describe('withoutFunctions', () => {
  it('answers 503 on the function path alone, keeps the other rules, and names the Ingress and the function', () => {
    const spec = serverlessSpec();
    assert.equal(spec.functionTargetGroups?.length, 1);
    const { spec: served, diagnostics } = withoutFunctions(spec);
    assert.equal(served.functionTargetGroups, undefined);
    const rules = served.listeners.flatMap((listener) => listener.rules);
    assert.deepEqual(
      rules.map((rule) => [rule.origin.path, rule.actions.at(-1)]),
      spec.listeners
        .flatMap((listener) => listener.rules)
        .map((rule) => [rule.origin.path, rule.origin.path === '/api/upload' ? FUNCTION_REFUSED : rule.actions.at(-1)]),
    );
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(diagnostics[0]!.object, { kind: 'Ingress', namespace: 'default', name: 'serverless' });
    assert.equal(diagnostics[0]!.severity, 'error');
    assert.match(diagnostics[0]!.message, /^backend\.resource lambda\.ingress-bridge\.io\/Function upload: Lambda function backends are AWS-only/);
  });

  it('keeps the Service of a weighted forward that also names a function', () => {
    const spec = serverlessSpec();
    const fn = spec.functionTargetGroups![0]!.key;
    const service = spec.targetGroups[0]!.key;
    const weighted: LoadBalancerSpec = {
      ...spec,
      listeners: spec.listeners.map((listener) => ({
        ...listener,
        rules: listener.rules.map((rule) => ({
          ...rule,
          actions: [
            {
              type: 'forward',
              targetGroups: [
                { targetGroupKey: fn, weight: 20 },
                { targetGroupKey: service, weight: 80 },
              ],
            },
          ],
        })),
      })),
    };
    const { spec: served, diagnostics } = withoutFunctions(weighted);
    for (const rule of served.listeners.flatMap((listener) => listener.rules)) {
      assert.deepEqual(rule.actions, [{ type: 'forward', targetGroups: [{ targetGroupKey: service, weight: 80 }] }]);
    }
    assert.equal(diagnostics.length, 1, 'one error per Ingress and function, however many rules');
  });

  it('returns a spec without functions as it is', () => {
    const spec = onlySpec(
      translateYaml(
        INGRESS_CLASS_YAML +
          serviceYaml({ name: 'a' }) +
          NODE_YAML +
          ingressYaml({ name: 'web', rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }] }),
      ),
    );
    const result = withoutFunctions(spec);
    assert.equal(result.spec, spec);
    assert.deepEqual(result.diagnostics, []);
  });
});
