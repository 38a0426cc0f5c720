/**
 * Function backends (issue 15): `backend.resource` of apiGroup lambda.ingress-bridge.io, kind
 * Function → a function target group carried by the same forward actions as Services. Tables from
 * Ingress YAML to spec, and bad references named by field, costing only their own path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, LoadBalancerSpec } from '../../src/model.js';
import { parseFunctionIdentifier } from '../../src/translate/function-backends.js';
import { routeOf } from '../support/alb-evaluator.js';
import { DEFAULT_ALB_LIMITS } from '../../src/limits.js';
import { INGRESS_CLASS_YAML, NODE_YAML, onlySpec, serviceYaml, testOptions, translateYaml, type Translated } from '../support/cluster.js';

const BASE = INGRESS_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'web' });

interface Resource {
  apiGroup?: string;
  kind: string;
  name: string;
}

const FUNCTION = (name: string): Resource => ({ apiGroup: 'lambda.ingress-bridge.io', kind: 'Function', name });

function ingress(options: { name?: string; annotations?: Record<string, string>; upload?: Resource; defaultBackend?: Resource }): string {
  const annotations = Object.entries(options.annotations ?? {})
    .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join('\n');
  const resource = (entry: Resource, indent: string): string =>
    `${indent}resource: {${entry.apiGroup === undefined ? '' : `apiGroup: ${JSON.stringify(entry.apiGroup)}, `}kind: ${JSON.stringify(entry.kind)}, name: ${JSON.stringify(entry.name)}}`;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${options.name ?? 'shop'}
  namespace: default
${annotations ? `  annotations:\n${annotations}\n` : ''}spec:
  ingressClassName: ingress-bridge
${options.defaultBackend ? `  defaultBackend:\n${resource(options.defaultBackend, '    ')}\n` : ''}  rules:
  - host: shop.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
${
  options.upload
    ? `      - path: /api/upload
        pathType: Prefix
        backend:
${resource(options.upload, '          ')}
`
    : ''
}---
`;
}

function translated(...ingresses: string[]): Translated {
  return translateYaml(BASE + ingresses.join(''));
}

function uploadAction(spec: LoadBalancerSpec): Action | undefined {
  return spec.listeners[0]?.rules.find((rule) => rule.origin.path === '/api/upload')?.actions[0];
}

describe('function backends: translate', () => {
  it('a Function reference becomes a function target group beside the Service on one host, forwarded to with weight 1', () => {
    const result = translated(ingress({ upload: FUNCTION('upload') }));
    const spec = onlySpec(result);
    assert.deepEqual(
      result.diagnostics.filter((entry) => entry.severity !== 'info'),
      [],
    );
    assert.equal(spec.functionTargetGroups?.length, 1);
    const group = spec.functionTargetGroups?.[0];
    assert.equal(group?.key, 'function:upload');
    assert.deepEqual(group?.function, { name: 'upload' });
    assert.equal(group?.multiValueHeaders, false);
    assert.ok(group && group.name.length <= 32 && group.name.startsWith('k8s-fn-upload-'), group?.name);
    assert.deepEqual(uploadAction(spec), { type: 'forward', targetGroups: [{ targetGroupKey: 'function:upload', weight: 1 }] });
    // Service target groups are untouched, and the function is not one of them.
    assert.deepEqual(
      spec.targetGroups.map((entry) => entry.key),
      ['default/web:80/instance'],
    );
    assert.equal(routeOf(spec, 'http://shop.test/api/upload/x'), 'function:upload');
    assert.equal(routeOf(spec, 'http://shop.test/api'), 'default/web:80');
  });

  const identifiers: [string, string, object][] = [
    ['a name', 'thumbnails', { name: 'thumbnails' }],
    ['a name and alias', 'thumbnails:live', { name: 'thumbnails', qualifier: 'live' }],
    ['a name and version', 'thumbnails:7', { name: 'thumbnails', qualifier: '7' }],
    [
      'an ARN',
      'arn:aws:lambda:eu-west-1:123456789012:function:Thumb_Nails',
      { name: 'Thumb_Nails', arn: 'arn:aws:lambda:eu-west-1:123456789012:function:Thumb_Nails' },
    ],
    [
      'an ARN with alias',
      'arn:aws:lambda:eu-west-1:123456789012:function:thumbs:prod',
      { name: 'thumbs', arn: 'arn:aws:lambda:eu-west-1:123456789012:function:thumbs', qualifier: 'prod' },
    ],
    [
      'a GovCloud ARN',
      'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f',
      { name: 'f', arn: 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f' },
    ],
  ];
  for (const [what, value, expected] of identifiers) {
    it(`the annotation lambda.ingress-bridge.io/<name> maps the reference to ${what}`, () => {
      const spec = onlySpec(translated(ingress({ upload: FUNCTION('upload'), annotations: { 'lambda.ingress-bridge.io/upload': value } })));
      assert.deepEqual(spec.functionTargetGroups?.[0]?.function, expected);
      const key = spec.functionTargetGroups?.[0]?.key;
      assert.deepEqual(uploadAction(spec), { type: 'forward', targetGroups: [{ targetGroupKey: key, weight: 1 }] });
    });
  }

  it('lambda.multi_value_headers.enabled in target-group-attributes turns multi-value headers on', () => {
    const spec = onlySpec(
      translated(
        ingress({ upload: FUNCTION('upload'), annotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=true' } }),
      ),
    );
    assert.equal(spec.functionTargetGroups?.[0]?.multiValueHeaders, true);
  });

  it('a function as the defaultBackend becomes the listener default action', () => {
    const spec = onlySpec(translated(ingress({ defaultBackend: FUNCTION('fallback') })));
    assert.deepEqual(spec.listeners[0]?.defaultAction, { type: 'forward', targetGroups: [{ targetGroupKey: 'function:fallback', weight: 1 }] });
    assert.equal(routeOf(spec, 'http://other.test/'), 'function:fallback');
  });

  it('two Ingresses of a group naming one function share one target group', () => {
    const group = { 'ingress-bridge.io/group.name': 'shop' };
    const second = ingress({ name: 'b', annotations: group, upload: FUNCTION('upload') }).replace('shop.test', 'b.shop.test');
    const spec = onlySpec(translated(ingress({ annotations: group, upload: FUNCTION('upload') }), second));
    assert.deepEqual(
      spec.functionTargetGroups?.map((entry) => entry.key),
      ['function:upload'],
    );
  });

  it('an Ingress without function backends has no functionTargetGroups at all', () => {
    assert.equal('functionTargetGroups' in onlySpec(translated(ingress({}))), false);
  });
});

describe('function backends: bad references cost only their path', () => {
  const cases: [string, Parameters<typeof ingress>[0], string, RegExp][] = [
    [
      'an unknown apiGroup',
      { upload: { apiGroup: 'example.com', kind: 'Function', name: 'upload' } },
      'spec.rules[0].http.paths[1].backend.resource.apiGroup',
      /example\.com/,
    ],
    [
      'no apiGroup (the core group)',
      { upload: { kind: 'Function', name: 'upload' } },
      'spec.rules[0].http.paths[1].backend.resource.apiGroup',
      /lambda\.ingress-bridge\.io/,
    ],
    [
      'an unknown kind',
      { upload: { apiGroup: 'lambda.ingress-bridge.io', kind: 'Bucket', name: 'upload' } },
      'spec.rules[0].http.paths[1].backend.resource.kind',
      /Bucket/,
    ],
    ['a name Lambda refuses', { upload: FUNCTION('a.b') }, 'spec.rules[0].http.paths[1].backend.resource.name', /not a Lambda function name/],
    [
      'an invalid ARN in the annotation',
      { upload: FUNCTION('upload'), annotations: { 'lambda.ingress-bridge.io/upload': 'arn:aws:s3:::bucket' } },
      'metadata.annotations["lambda.ingress-bridge.io/upload"]',
      /not a Lambda function ARN/,
    ],
    [
      'a $LATEST qualifier',
      { upload: FUNCTION('upload'), annotations: { 'lambda.ingress-bridge.io/upload': 'upload:$LATEST' } },
      'metadata.annotations["lambda.ingress-bridge.io/upload"]',
      /neither a version number nor an alias/,
    ],
    [
      'an ARN with an empty qualifier',
      { upload: FUNCTION('upload'), annotations: { 'lambda.ingress-bridge.io/upload': 'arn:aws:lambda:eu-west-1:123456789012:function:f:' } },
      'metadata.annotations["lambda.ingress-bridge.io/upload"]',
      /qualifier/,
    ],
  ];
  for (const [what, fixture, field, message] of cases) {
    it(`${what}: an error on ${field}, 503 on that path, the Service path served`, () => {
      const result = translated(ingress(fixture), ingress({ name: 'other', upload: FUNCTION('other') }).replace('shop.test', 'other.test'));
      const errors = result.diagnostics.filter((entry) => entry.severity === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.deepEqual(errors[0]?.object, { kind: 'Ingress', namespace: 'default', name: 'shop' });
      assert.equal(errors[0]?.field, field);
      assert.match(errors[0]?.message ?? '', message);
      const spec = result.specs.find((entry) => entry.stack.id === 'default/shop');
      assert.ok(spec, 'the Ingress keeps its load balancer');
      assert.equal(routeOf(spec, 'http://shop.test/api/upload'), '503');
      assert.equal(routeOf(spec, 'http://shop.test/'), 'default/web:80');
      assert.equal(spec.functionTargetGroups, undefined);
      // Another Ingress's function is served as ever.
      const other = result.specs.find((entry) => entry.stack.id === 'default/other');
      assert.equal(other && routeOf(other, 'http://other.test/api/upload'), 'function:other');
    });
  }

  it('a non-boolean multi-value setting is a warning and leaves multi-value headers off', () => {
    const result = translated(
      ingress({ upload: FUNCTION('upload'), annotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=yes' } }),
    );
    const warning = result.diagnostics.find((entry) => entry.severity === 'warning' && entry.message.includes('multi_value_headers'));
    assert.equal(warning?.field, 'metadata.annotations["ingress-bridge.io/target-group-attributes"]');
    assert.equal(onlySpec(result).functionTargetGroups?.[0]?.multiValueHeaders, false);
  });
});

describe('parseFunctionIdentifier', () => {
  const refused = ['', 'a/b', 'name:alias:extra', 'x'.repeat(65), 'arn:aws:lambda:eu-west-1:12345:function:f', 'arn:aws:lambda:eu-west-1:123456789012:layer:f'];
  for (const text of refused) {
    it(`refuses ${JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text)}`, () => {
      assert.equal(parseFunctionIdentifier(text).ok, false);
    });
  }
});

describe('function target groups count toward the target groups per load balancer', () => {
  // One group: "first" forwards to the Service web and the function upload, "second" to the function thumbnails.
  const member = (name: string, host: string, paths: string): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
  annotations: {alb.ingress.kubernetes.io/group.name: shop}
spec:
  ingressClassName: ingress-bridge
  rules:
  - host: ${host}
    http:
      paths:
${paths}---
`;
  const fn = (path: string, name: string): string =>
    `      - {path: ${path}, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: ${name}}}}\n`;
  const YAML =
    BASE +
    member('first', 'a.test', `      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n${fn('/upload', 'upload')}`) +
    member('second', 'b.test', fn('/thumbnails', 'thumbnails'));
  const cases: [number, string[], string[]][] = [
    [3, ['first', 'second'], []],
    // 3 target groups, one of them second's function's: second is left out, first's two fit.
    [2, ['first'], ['second: the group needs 3 target groups']],
    // first alone still needs 2 (a Service's and a function's).
    [1, [], ['second: the group needs 3 target groups', 'first: the group needs 2 target groups']],
  ];
  for (const [limit, admitted, errors] of cases) {
    it(`a limit of ${limit}: ${admitted.length > 0 ? admitted.join(' and ') : 'no member'} admitted`, () => {
      const result = translateYaml(YAML, testOptions({ limits: { ...DEFAULT_ALB_LIMITS, targetGroupsPerLoadBalancer: limit } }));
      assert.deepEqual(
        result.results.flatMap((entry) => entry.members.map((ref) => ref.name)),
        admitted,
      );
      assert.deepEqual(
        result.diagnostics
          .filter((entry) => entry.severity === 'error')
          .map((entry) => `${entry.object.name}: ${/the group needs \d+ target groups/.exec(entry.message)?.[0] ?? entry.message}`),
        errors,
      );
      const spec = result.specs[0];
      assert.equal((spec?.targetGroups.length ?? 0) + (spec?.functionTargetGroups?.length ?? 0), [0, 2, 3][admitted.length]);
    });
  }
});

describe('a function in an actions.<name> forward: weighted beside a Service', () => {
  const split = (targetGroups: unknown[], extra: Record<string, string> = {}): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: default
  annotations:
${Object.entries({ 'alb.ingress.kubernetes.io/actions.split': JSON.stringify({ type: 'forward', forwardConfig: { targetGroups } }), ...extra })
  .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
  .join('\n')}
spec:
  ingressClassName: ingress-bridge
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: split, port: {name: use-annotation}}}}
---
`;
  const WEB = { serviceName: 'web', servicePort: 80, weight: 20 };
  const cases: [string, unknown[], Record<string, string>, [string, number][] | '503', string[]][] = [
    [
      'a function and a Service, by weight',
      [{ functionName: 'upload', weight: 80 }, WEB],
      {},
      [
        ['function:upload', 80],
        ['web', 20],
      ],
      [],
    ],
    [
      'the reference name resolved through lambda.ingress-bridge.io/<name>, as for backend.resource',
      [
        { functionName: 'up', weight: 1 },
        { ...WEB, weight: 3 },
      ],
      { 'lambda.ingress-bridge.io/up': 'upload:live' },
      [
        ['function:upload:live', 1],
        ['web', 3],
      ],
      [],
    ],
    ['a function alone, its weight left out', [{ functionName: 'upload' }], {}, [['function:upload', 1]], []],
    ['a name that is no function: 503, an error on the annotation', [{ functionName: 'not a function', weight: 1 }, WEB], {}, '503', ['actions.split']],
    [
      'a function and a Service in one entry: the annotation is refused',
      [{ functionName: 'upload', serviceName: 'web', servicePort: 80, weight: 1 }],
      {},
      '503',
      ['actions.split'],
    ],
    [
      'the same function twice: refused',
      [
        { functionName: 'upload', weight: 1 },
        { functionName: 'upload', weight: 2 },
      ],
      {},
      '503',
      ['actions.split'],
    ],
  ];
  for (const [what, targetGroups, extra, expected, errorFields] of cases) {
    it(what, () => {
      const result = translated(split(targetGroups, extra));
      const spec = result.specs[0];
      const action = spec?.listeners[0]?.rules.find((rule) => rule.origin.path === '/api')?.actions[0];
      const errors = result.diagnostics.filter((entry) => entry.severity === 'error');
      assert.deepEqual(
        errors.map((entry) => errorFields.find((field) => entry.field.includes(field)) ?? entry.field),
        errorFields,
        JSON.stringify(errors),
      );
      if (expected === '503') {
        assert.ok(action === undefined || (action.type === 'fixed-response' && action.statusCode === '503'), JSON.stringify(action));
        assert.equal(spec?.functionTargetGroups, undefined);
        return;
      }
      assert.equal(action?.type, 'forward');
      const webKey = spec?.targetGroups[0]?.key ?? '';
      assert.deepEqual(
        action?.type === 'forward' && action.targetGroups.map((group) => [group.targetGroupKey === webKey ? 'web' : group.targetGroupKey, group.weight]),
        expected,
      );
      assert.deepEqual(
        spec?.functionTargetGroups?.map((group) => group.key),
        expected.filter(([key]) => key.startsWith('function:')).map(([key]) => key),
      );
    });
  }
});
