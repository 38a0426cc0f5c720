/**
 * A Gateway API backendRef `{group: lambda.ingress-bridge.io, kind: Function, name}`: the same
 * function target group an Ingress `backend.resource` gets (function-backends.ts), weighted beside
 * Services, and the route status the specification gives a reference that does or does not resolve.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { functionTargetGroupName } from '../../../src/translate/function-backends.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { NODE_YAML, serviceYaml, testOptions } from '../../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, routeConditions, translateGatewayYaml } from '../../support/gateway.js';

const HTTP = '{name: http, port: 80, protocol: HTTP}';
const BASE = GATEWAY_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'a' });

function route(body: string, options: { kind?: string; annotations?: Record<string, string>; namespace?: string } = {}): string {
  const annotations = options.annotations ? `, annotations: ${JSON.stringify(options.annotations)}` : '';
  return `apiVersion: gateway.networking.k8s.io/v1
kind: ${options.kind ?? 'HTTPRoute'}
metadata: {name: r, namespace: ${options.namespace ?? 'default'}${annotations}}
spec:
  parentRefs: [{name: web, namespace: default}]
  rules:
${body}
---
`;
}

const fn = (name: string, extra = ''): string => `{group: lambda.ingress-bridge.io, kind: Function, name: ${name}${extra}}`;

function translate(body: string, options: Parameters<typeof route>[1] & { gatewayAnnotations?: Record<string, string> } = {}) {
  return translateGatewayYaml(BASE + gatewayYaml('web', [HTTP], { annotations: options.gatewayAnnotations ?? {} }) + route(body, options));
}

describe('HTTPRoute backendRef of kind Function', () => {
  it('routes a path to the function beside a Service, with the function target group in the spec', () => {
    const translated = translate(
      [`  - matches: [{path: {type: PathPrefix, value: /upload}}]\n    backendRefs: [${fn('upload')}]`, '  - backendRefs: [{name: a, port: 80}]'].join('\n'),
    );
    assert.deepEqual(routeConditions(translated.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    const spec = gatewaySpec(translated);
    assert.equal(routeOf(spec, 'http://x.test/upload/1'), 'function:upload');
    assert.equal(routeOf(spec, 'http://x.test/other'), 'default/a:80');
    const stackId = 'gateway:default/web';
    assert.deepEqual(spec.functionTargetGroups, [
      {
        key: 'function:upload',
        name: functionTargetGroupName(testOptions().clusterName, stackId, 'function:upload', 'upload'),
        function: { name: 'upload' },
        multiValueHeaders: false,
        tags: {},
      },
    ]);
    assert.deepEqual(
      spec.targetGroups.map((group) => group.key),
      ['default/a:80/instance'],
    );
  });

  it('weights split traffic between a Service and a function; weight 0 leaves the function out', () => {
    const spec = gatewaySpec(translate(`  - backendRefs: [{name: a, port: 80, weight: 3}, ${fn('upload', ', weight: 1')}]`));
    assert.deepEqual(spec.listeners[0]?.rules[0]?.actions[0], {
      type: 'forward',
      targetGroups: [
        { targetGroupKey: 'default/a:80/instance', weight: 3 },
        { targetGroupKey: 'function:upload', weight: 1 },
      ],
    });
    const zero = gatewaySpec(translate(`  - backendRefs: [{name: a, port: 80}, ${fn('upload', ', weight: 0')}]`));
    assert.equal(zero.functionTargetGroups, undefined);
    assert.deepEqual(zero.listeners[0]?.rules[0]?.actions[0], { type: 'forward', targetGroups: [{ targetGroupKey: 'default/a:80/instance', weight: 1 }] });
  });

  it('the route’s annotation maps the reference name to an ARN with a qualifier; multi-value headers come from the Gateway', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:image-resizer';
    const translated = translate(`  - backendRefs: [${fn('resizer')}]`, {
      annotations: { 'lambda.ingress-bridge.io/resizer': `${arn}:live` },
      gatewayAnnotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=true' },
    });
    const [group] = gatewaySpec(translated).functionTargetGroups ?? [];
    assert.equal(group?.key, `function:${arn}:live`);
    assert.deepEqual(group?.function, { name: 'image-resizer', arn, qualifier: 'live' });
    assert.equal(group?.multiValueHeaders, true);
  });

  it('a multi-value setting that is neither true nor false is a warning on the Gateway that wrote it; headers stay single-valued', () => {
    const translated = translate(`  - backendRefs: [${fn('upload')}]`, {
      gatewayAnnotations: { 'ingress-bridge.io/target-group-attributes': 'lambda.multi_value_headers.enabled=maybe' },
    });
    assert.equal(gatewaySpec(translated).functionTargetGroups?.[0]?.multiValueHeaders, false);
    const warning = translated.diagnostics.find((entry) => entry.message.includes('lambda.multi_value_headers.enabled'));
    assert.deepEqual(
      [warning?.severity, warning?.object.kind, warning?.object.name, warning?.field],
      ['warning', 'Gateway', 'web', 'metadata.annotations["ingress-bridge.io/target-group-attributes"]'],
    );
  });

  it('a name no Lambda function can have is BackendNotFound, named by its field; the rule answers 500', () => {
    const translated = translate(`  - backendRefs: [${fn('"bad.name"')}]`);
    assert.deepEqual(routeConditions(translated.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound']);
    assert.equal(routeOf(gatewaySpec(translated), 'http://x.test/'), '500');
    const errors = translated.diagnostics.filter((entry) => entry.object.name === 'r' && entry.severity === 'error');
    assert.deepEqual(
      errors.map((entry) => [entry.object.kind, entry.field]),
      [['HTTPRoute', 'spec.rules[0].backendRefs[0].name']],
    );
    const annotated = translate(`  - backendRefs: [${fn('resizer')}]`, { annotations: { 'lambda.ingress-bridge.io/resizer': 'arn:aws:s3:::bucket' } });
    assert.deepEqual(routeConditions(annotated.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound']);
    assert.equal(
      annotated.diagnostics.find((entry) => entry.object.name === 'r' && entry.severity === 'error')?.field,
      'metadata.annotations["lambda.ingress-bridge.io/resizer"]',
    );
  });

  it('another kind in the group is InvalidKind; the valid Service takes the whole share', () => {
    const translated = translate(`  - backendRefs: [{group: lambda.ingress-bridge.io, kind: Layer, name: x}, {name: a, port: 80}]`);
    assert.deepEqual(routeConditions(translated.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/InvalidKind']);
    assert.equal(routeOf(gatewaySpec(translated), 'http://x.test/'), 'default/a:80');
  });

  it('a namespace other than the route’s is UnsupportedValue (a function is not namespaced); the route’s own is accepted', () => {
    const other = translate(`  - backendRefs: [${fn('upload', ', namespace: backends')}]`);
    assert.deepEqual(routeConditions(other.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/UnsupportedValue']);
    assert.equal(routeOf(gatewaySpec(other), 'http://x.test/'), '500');
    const own = translate(`  - backendRefs: [${fn('upload', ', namespace: default')}]`);
    assert.deepEqual(routeConditions(own.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    assert.equal(routeOf(gatewaySpec(own), 'http://x.test/'), 'function:upload');
  });

  it('a GRPCRoute cannot reach a function: UnsupportedValue, and no function target group', () => {
    const translated = translate(`  - backendRefs: [${fn('upload')}]`, { kind: 'GRPCRoute' });
    assert.deepEqual(routeConditions(translated.status, 'r', { kind: 'GRPCRoute' }), ['Accepted=True/Accepted', 'ResolvedRefs=False/UnsupportedValue']);
    assert.equal(gatewaySpec(translated).functionTargetGroups, undefined);
  });
});
