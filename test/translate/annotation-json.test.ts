/**
 * JSON annotations are bounded in depth and size (issue 11): an `actions.*` value nested 5,000 deep
 * used to throw a RangeError out of translation, stopping `plan`, `run` and every other group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/model.js';
import { parseIngressAnnotations } from '../../src/translate/annotations.js';
import { MAX_JSON_DEPTH, MAX_JSON_LENGTH } from '../../src/translate/annotation-values.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, translateYaml } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const INGRESS = { kind: 'Ingress', namespace: 'shop', name: 'web' };
const nested = (depth: number, inner = '1'): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

function onlyError(diagnostics: Diagnostic[]): Diagnostic {
  const errors = diagnostics.filter((entry) => entry.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(diagnostics, null, 2).slice(0, 2000));
  return errors[0] as Diagnostic;
}

const DEEP: { key: string; raw: string }[] = [
  { key: 'actions.app', raw: `{"type":${nested(5000)}}` },
  { key: 'actions.app', raw: `{"type":"redirect","redirectConfig":{"statusCode":"HTTP_301","host":${nested(10000)}}}` },
  { key: 'actions.app', raw: `{"type":"fixed-response","fixedResponseConfig":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}` },
  { key: 'conditions.app', raw: `[{"field":${nested(5000)}}]` },
  { key: 'listen-ports', raw: nested(5000) },
];

describe('JSON annotation values', () => {
  for (const [index, entry] of DEEP.entries()) {
    it(`nested thousands deep are an error, not a RangeError (${entry.key} #${index})`, () => {
      const key = `${ALB}${entry.key}`;
      const parsed = parseIngressAnnotations({ [key]: entry.raw }, INGRESS);
      const error = onlyError(parsed.diagnostics);
      assert.deepEqual([error.object, error.field], [INGRESS, `metadata.annotations["${key}"]`]);
      assert.match(error.message, new RegExp(`nested at most ${MAX_JSON_DEPTH} levels deep`));
    });
  }

  it('count brackets inside strings as text, not nesting', () => {
    const raw = JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '200', messageBody: `${'[{'.repeat(300)}"\\` } });
    const parsed = parseIngressAnnotations({ [`${ALB}actions.app`]: raw }, INGRESS);
    assert.deepEqual(parsed.diagnostics, []);
  });

  it('accept nesting up to the limit, so the error is about depth alone', () => {
    const parsed = parseIngressAnnotations({ [`${ALB}actions.app`]: `{"type":${nested(MAX_JSON_DEPTH - 1)}}` }, INGRESS);
    assert.match(onlyError(parsed.diagnostics).message, /type must be fixed-response, redirect or forward/);
  });

  it(`over ${MAX_JSON_LENGTH} characters are an error`, () => {
    const raw = JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '200', messageBody: 'x'.repeat(MAX_JSON_LENGTH) } });
    const parsed = parseIngressAnnotations({ [`${ALB}actions.app`]: raw }, INGRESS);
    assert.match(onlyError(parsed.diagnostics).message, new RegExp(`JSON of at most ${MAX_JSON_LENGTH} characters, got ${raw.length}`));
  });

  it('an Ingress with a 5,000-deep action is left out and named; the other Ingress keeps its load balancer', () => {
    const key = `${ALB}actions.deep`;
    const translated = translateYaml(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'app' }) +
        ingressYaml({ name: 'healthy', rules: [{ host: 'ok.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] }) +
        ingressYaml({
          name: 'deep',
          annotations: { [key]: `{"type":${nested(5000)}}` },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'deep', port: 'use-annotation' }] }],
        }),
    );
    const error = onlyError(translated.diagnostics);
    assert.deepEqual([error.object, error.field], [{ kind: 'Ingress', namespace: 'default', name: 'deep' }, `metadata.annotations["${key}"]`]);
    assert.deepEqual(
      translated.specs.map((spec) => spec.stack.id),
      ['default/healthy'],
    );
  });
});
