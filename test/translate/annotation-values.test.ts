/**
 * Values that reach a header, a redirect or a request line are checked in translate (issue 11):
 * control characters (CR/LF above all), the ALB's lengths and grammars. Each refusal is an error
 * naming the annotation and, inside a JSON value, the member at fault.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/model.js';
import { parseIngressAnnotations, parseServiceAnnotations } from '../../src/translate/annotations.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, translateYaml } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const INGRESS = { kind: 'Ingress', namespace: 'shop', name: 'web' };

function onlyError(diagnostics: Diagnostic[]): Diagnostic {
  const errors = diagnostics.filter((entry) => entry.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(diagnostics, null, 2));
  return errors[0] as Diagnostic;
}

const redirect = (config: Record<string, unknown>): string => JSON.stringify({ type: 'redirect', redirectConfig: { statusCode: 'HTTP_301', ...config } });
const fixed = (config: Record<string, unknown>): string => JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '503', ...config } });
const condition = (value: object): string => JSON.stringify([value]);

interface Case {
  name: string;
  key: string;
  raw: string;
  problem: RegExp;
}

const REFUSED: Case[] = [
  {
    name: 'a redirect host with CR/LF',
    key: 'actions.app',
    raw: redirect({ host: 'example.com\r\nSet-Cookie: a=b' }),
    problem: /redirectConfig\.host contains the control character U\+000D/,
  },
  { name: 'a redirect host with a space', key: 'actions.app', raw: redirect({ host: 'example .com' }), problem: /redirectConfig\.host must be a hostname/ },
  { name: 'a redirect host with a slash', key: 'actions.app', raw: redirect({ host: 'evil.test/x' }), problem: /redirectConfig\.host must be a hostname/ },
  {
    name: 'a redirect host over 128 characters',
    key: 'actions.app',
    raw: redirect({ host: `${'a'.repeat(125)}.com` }),
    problem: /redirectConfig\.host must be a non-empty string of at most 128/,
  },
  {
    name: 'a redirect path with LF',
    key: 'actions.app',
    raw: redirect({ path: '/a\nb' }),
    problem: /redirectConfig\.path contains the control character U\+000A/,
  },
  { name: 'a redirect path with a space', key: 'actions.app', raw: redirect({ path: '/a b' }), problem: /redirectConfig\.path must be visible ASCII/ },
  { name: 'a redirect path with non-ASCII', key: 'actions.app', raw: redirect({ path: '/caf\u00e9' }), problem: /redirectConfig\.path must be visible ASCII/ },
  {
    name: 'a redirect query with NUL',
    key: 'actions.app',
    raw: redirect({ path: '/x', query: 'a=\u0000' }),
    problem: /redirectConfig\.query contains the control character U\+0000/,
  },
  {
    name: 'a redirect query with a leading "?"',
    key: 'actions.app',
    raw: redirect({ path: '/x', query: '?a=1' }),
    problem: /redirectConfig\.query must be visible ASCII without spaces or a leading "\?"/,
  },
  {
    name: 'a fixed-response status code outside 2XX/4XX/5XX',
    key: 'actions.app',
    raw: fixed({ statusCode: '302' }),
    problem: /statusCode must be a 2XX, 4XX or 5XX code/,
  },
  {
    name: 'a fixed-response status code with CR/LF',
    key: 'actions.app',
    raw: fixed({ statusCode: '503\r\n' }),
    problem: /statusCode must be a 2XX, 4XX or 5XX code/,
  },
  {
    name: 'a fixed-response content type with a header after it',
    key: 'actions.app',
    raw: fixed({ contentType: 'text/plain\r\nX-A: b' }),
    problem: /contentType must be text\/plain/,
  },
  {
    name: 'a fixed-response body over 1024 characters',
    key: 'actions.app',
    raw: fixed({ messageBody: 'x'.repeat(1025) }),
    problem: /messageBody must be a string of at most 1024/,
  },
  {
    name: 'a forward to a Service name that is no DNS label',
    key: 'actions.app',
    raw: JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: [{ serviceName: 'App\r\n', servicePort: 80 }] } }),
    problem: /serviceName/,
  },
  {
    name: 'an http-header value with CR/LF',
    key: 'conditions.app',
    raw: condition({ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-A', values: ['a\r\nb'] } }),
    problem: /httpHeaderConfig\.values\[0\] contains the control character U\+000D/,
  },
  {
    name: 'an http-header condition on Host',
    key: 'conditions.app',
    raw: condition({ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Host', values: ['a.test'] } }),
    problem: /httpHeaderName cannot be Host/,
  },
  {
    name: 'an http-header name over 40 characters',
    key: 'conditions.app',
    raw: condition({ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X'.repeat(41), values: ['a'] } }),
    problem: /httpHeaderName must be a non-empty string of at most 40/,
  },
  {
    name: 'a host-header value with a slash',
    key: 'conditions.app',
    raw: condition({ field: 'host-header', hostHeaderConfig: { values: ['a.test/x'] } }),
    problem: /hostHeaderConfig\.values\[0\] "a\.test\/x" has a character the ALB does not accept/,
  },
  {
    name: 'a path-pattern value with a space',
    key: 'conditions.app',
    raw: condition({ field: 'path-pattern', pathPatternConfig: { values: ['/a b'] } }),
    problem: /pathPatternConfig\.values\[0\] "\/a b" has a character/,
  },
  {
    name: 'a query-string value with a tab',
    key: 'conditions.app',
    raw: condition({ field: 'query-string', queryStringConfig: { values: [{ key: 'a', value: 'b\tc' }] } }),
    problem: /values\[0\]\.value contains the control character U\+0009/,
  },
  {
    name: 'a query-string key with "#"',
    key: 'conditions.app',
    raw: condition({ field: 'query-string', queryStringConfig: { values: [{ key: 'a#', value: 'b' }] } }),
    problem: /values\[0\]\.key "a#" has a character/,
  },
  {
    name: 'a query-string value over 128 characters',
    key: 'conditions.app',
    raw: condition({ field: 'query-string', queryStringConfig: { values: [{ value: 'v'.repeat(129) }] } }),
    problem: /at most 128/,
  },
  { name: 'a health-check path with CR/LF', key: 'healthcheck-path', raw: '/healthz\r\nHost: evil', problem: /visible ASCII/ },
  { name: 'a health-check path with a space', key: 'healthcheck-path', raw: '/health check', problem: /visible ASCII/ },
  { name: 'an ssl-policy that is no policy name', key: 'ssl-policy', raw: 'ELBSecurityPolicy-TLS13\nX', problem: /security policy name/ },
  {
    name: 'a load-balancer attribute with a control character',
    key: 'load-balancer-attributes',
    raw: 'idle_timeout.timeout_seconds=6\u00070',
    problem: /control character U\+0007/,
  },
  {
    name: 'a target-group attribute with a control character',
    key: 'target-group-attributes',
    raw: 'stickiness.type=lb\u001bcookie',
    problem: /control character U\+001B/,
  },
  { name: 'a subnet with a control character', key: 'subnets', raw: 'subnet-1,sub\u0085net-2', problem: /control character U\+0085/ },
  {
    name: 'a certificate ARN with a control character',
    key: 'certificate-arn',
    raw: 'arn:aws:acm:us-east-1:1:certificate/a\u007fb',
    problem: /control character U\+007F/,
  },
];

describe('values that reach a header, a redirect or a request line', () => {
  for (const entry of REFUSED) {
    it(`refuses ${entry.name}`, () => {
      const key = `${ALB}${entry.key}`;
      const parsed = parseIngressAnnotations({ [key]: entry.raw }, INGRESS);
      const error = onlyError(parsed.diagnostics);
      assert.deepEqual(error.object, INGRESS);
      assert.equal(error.field, `metadata.annotations["${key}"]`);
      assert.match(error.message, entry.problem);
    });
  }

  it('accepts an empty redirect query, which drops the request query (RedirectActionConfig Query is 0-128 characters), but no empty path', () => {
    const parsed = parseIngressAnnotations({ [`${ALB}actions.app`]: redirect({ path: '/home', query: '' }) }, INGRESS);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.value.actions.get('app'), { type: 'redirect', statusCode: 'HTTP_301', path: '/home', query: '' });
    const empty = onlyError(parseIngressAnnotations({ [`${ALB}actions.app`]: redirect({ path: '' }) }, INGRESS).diagnostics);
    assert.match(empty.message, /redirectConfig\.path must be a non-empty string/);
  });

  it('refuses a health-check path with CR/LF on a Service too', () => {
    const key = `${ALB}healthcheck-path`;
    const service = { kind: 'Service', namespace: 'shop', name: 'app' };
    const error = onlyError(parseServiceAnnotations({ [key]: '/ok\r\n' }, service).diagnostics);
    assert.deepEqual([error.object, error.field], [service, `metadata.annotations["${key}"]`]);
  });

  it('keeps accepting the values aws-load-balancer-controller manifests use', () => {
    const parsed = parseIngressAnnotations(
      {
        [`${ALB}actions.redirect`]: redirect({ protocol: 'HTTPS', port: '443', host: 'www.#{host}', path: '/new/#{path}', query: '#{query}&from=old' }),
        [`${ALB}actions.fixed`]: fixed({ contentType: 'text/plain', messageBody: 'line one\nline two' }),
        [`${ALB}conditions.app`]: JSON.stringify([
          { field: 'host-header', hostHeaderConfig: { values: ['*.example.com', 'a?.test'] } },
          { field: 'path-pattern', pathPatternConfig: { values: ['/api/*', '/a-b_c.d$e~f"g\'h@i:j+k;l&m'] } },
          { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'User-Agent', values: ['*Mozilla/5.0 (X11; Linux)*'] } },
          { field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '(a,b);c=d!' }] } },
        ]),
        [`${ALB}healthcheck-path`]: '/healthz?full=1',
        [`${ALB}ssl-policy`]: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        [`${ALB}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=60',
      },
      INGRESS,
    );
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.value.actions.size, 2);
  });

  it('a redirect host with CR/LF leaves that Ingress out and names the field; a healthy Ingress keeps its load balancer', () => {
    const key = `${ALB}actions.moved`;
    const translated = translateYaml(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'app' }) +
        ingressYaml({ name: 'healthy', rules: [{ host: 'ok.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] }) +
        ingressYaml({
          name: 'evil',
          annotations: { [key]: redirect({ host: 'x.test\r\nLocation: https://phish.test' }) },
          rules: [{ host: 'evil.test', paths: [{ path: '/', pathType: 'Prefix', service: 'moved', port: 'use-annotation' }] }],
        }),
    );
    const error = onlyError(translated.diagnostics);
    assert.deepEqual(error.object, { kind: 'Ingress', namespace: 'default', name: 'evil' });
    assert.equal(error.field, `metadata.annotations["${key}"]`);
    assert.match(error.message, /redirectConfig\.host contains the control character U\+000D/);
    assert.deepEqual(
      translated.specs.map((spec) => spec.stack.id),
      ['default/healthy'],
    );
  });
});
