/**
 * regexValues (issue 11): checked at translate time against the ALB's regex grammar and compiled in
 * RE2, the linear-time engine the local provider matches with; a value either refuses is an error
 * naming the Ingress, the annotation and the value's index, never a crash on the first request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/model.js';
import { parseIngressAnnotations } from '../../src/translate/annotations.js';
import { regexValueProblem } from '../../src/translate/regex.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, translateYaml } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';

function conditionsWith(field: 'host-header' | 'path-pattern' | 'http-header', regexValues: unknown[]): string {
  const config =
    field === 'host-header'
      ? { hostHeaderConfig: { regexValues } }
      : field === 'path-pattern'
        ? { pathPatternConfig: { regexValues } }
        : { httpHeaderConfig: { httpHeaderName: 'X-Version', regexValues } };
  return JSON.stringify([{ field, ...config }]);
}

function onlyError(diagnostics: Diagnostic[]): Diagnostic {
  const errors = diagnostics.filter((entry) => entry.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(diagnostics, null, 2));
  return errors[0] as Diagnostic;
}

describe('regexValues', () => {
  it('"(" is an error naming the Ingress, the annotation and the value index', () => {
    const key = `${ALB}conditions.app`;
    const translated = translateYaml(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'app', namespace: 'shop' }) +
        ingressYaml({
          name: 'web',
          namespace: 'shop',
          annotations: { [key]: conditionsWith('path-pattern', ['^/ok$', '(']) },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }],
        }),
    );
    const error = onlyError(translated.diagnostics);
    assert.deepEqual(error.object, { kind: 'Ingress', namespace: 'shop', name: 'web' });
    assert.equal(error.field, `metadata.annotations["${key}"]`);
    assert.match(error.message, /\[0\]\.pathPatternConfig\.regexValues\[1\] "\("/);
    assert.match(error.message, /missing closing \)/);
    assert.deepEqual(translated.specs, [], 'an Ingress with a bad annotation gets no load balancer of its own');
  });

  const REFUSED: { name: string; pattern: string; problem: RegExp }[] = [
    { name: 'an unclosed group', pattern: '(', problem: /missing closing \)/ },
    { name: 'an unclosed class', pattern: '[a-', problem: /missing closing \]/ },
    { name: 'a backreference', pattern: '(a)\\1', problem: /invalid escape sequence/ },
    { name: 'a lookahead', pattern: '^/(?=admin)', problem: /not a regular expression the ALB accepts.*\(\?=/ },
    { name: 'a negative lookahead', pattern: '^/(?!admin)', problem: /\(\?!/ },
    { name: 'a lookbehind', pattern: '(?<=a)b', problem: /not a regular expression the ALB accepts/ },
    { name: 'an atomic group', pattern: '(?>a+)b', problem: /\(\?>/ },
    { name: 'a possessive quantifier', pattern: 'a++b', problem: /nested repetition/ },
    { name: 'a Unicode class', pattern: '^\\p{L}+$', problem: /Unicode character class/ },
    { name: "a repeat count over RE2's limit", pattern: '(a{500}){500}', problem: /invalid repeat count/ },
    { name: 'a control character', pattern: '^/a\r\nb$', problem: /control character U\+000D/ },
    { name: 'a value over 128 characters', pattern: `^/${'a'.repeat(127)}$`, problem: /at most 128 characters/ },
  ];
  for (const field of ['host-header', 'path-pattern', 'http-header'] as const) {
    for (const entry of REFUSED) {
      it(`refuses ${entry.name} in a ${field} condition`, () => {
        const key = `${ALB}conditions.app`;
        const parsed = parseIngressAnnotations({ [key]: conditionsWith(field, [entry.pattern]) }, { kind: 'Ingress', namespace: 'shop', name: 'web' });
        const error = onlyError(parsed.diagnostics);
        assert.equal(error.field, `metadata.annotations["${key}"]`);
        assert.match(error.message, /regexValues\[0\]/);
        assert.match(error.message, entry.problem);
        assert.equal(parsed.value.conditions.get('app'), undefined);
      });
    }
  }

  it('accepts what the ALB and RE2 both accept, including patterns that backtrack badly elsewhere', () => {
    for (const pattern of ['^/v[12]/', '.*Mobile.*', '^api\\d\\.example\\.com$', '^(a+)+$', '(?i)^/Admin', '^[^.]+\\.example\\.com(:[0-9]+)?$', '\\\\p']) {
      assert.equal(regexValueProblem(pattern), undefined, pattern);
    }
  });

  it('names which of several values is refused', () => {
    const parsed = parseIngressAnnotations(
      { [`${ALB}conditions.app`]: conditionsWith('host-header', ['^a\\.test$', '^b\\.test$', '(?=c)']) },
      { kind: 'Ingress', namespace: 'shop', name: 'web' },
    );
    assert.match(onlyError(parsed.diagnostics).message, /hostHeaderConfig\.regexValues\[2\] "\(\?=c\)"/);
  });
});
