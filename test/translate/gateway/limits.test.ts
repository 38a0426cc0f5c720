/**
 * The load balancer's quotas for a Gateway, checked in translate as for an IngressGroup: target
 * groups (a Function's counted as a Service's) and rules. Over one, the Gateway is refused
 * (Accepted: False/Invalid), with an error on the Gateway naming the routes that bring the most
 * target groups, and has no spec: its load balancer is kept as it is. Another Gateway is served.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALB_LIMITS, type AlbLimits } from '../../../src/limits.js';
import { serviceYaml, testOptions } from '../../support/cluster.js';
import { conditionSummary, GATEWAY_CLASS_YAML, gatewayYaml, translateGatewayYaml } from '../../support/gateway.js';

const HTTP = '{name: http, port: 80, protocol: HTTP}';
const SERVICES = ['a', 'b', 'c', 'd'].map((name) => serviceYaml({ name })).join('');

/** An HTTPRoute on Gateway `gateway`, one rule per backendRef (written as YAML flow mappings). */
function route(name: string, gateway: string, backends: string[]): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ${gateway}}]
  rules:
${backends.map((backend, index) => `  - matches: [{path: {type: PathPrefix, value: /${name}${index}}}]\n    backendRefs: [${backend}]`).join('\n')}
---
`;
}

const service = (name: string): string => `{name: ${name}, port: 80}`;
const fn = (name: string): string => `{group: lambda.ingress-bridge.io, kind: Function, name: ${name}}`;

function translate(routes: string, limits: Partial<AlbLimits>) {
  const yaml = GATEWAY_CLASS_YAML + SERVICES + gatewayYaml('web', [HTTP]) + gatewayYaml('small', [HTTP]) + route('other', 'small', [service('a')]) + routes;
  return translateGatewayYaml(yaml, testOptions({ limits: { ...DEFAULT_ALB_LIMITS, ...limits } }));
}

const accepted = (translated: ReturnType<typeof translate>, name: string): string[] =>
  conditionSummary(translated.status.gateways.find((entry) => entry.ref.name === name)?.conditions ?? []).filter((entry) => entry.startsWith('Accepted'));

describe("a Gateway's load-balancer quotas", () => {
  it('up to the target-group limit the Gateway is served, a target group reached by two routes counted once', () => {
    const translated = translate(route('api', 'web', [service('a'), service('b')]) + route('shop', 'web', [service('b'), service('c')]), {
      targetGroupsPerLoadBalancer: 3,
    });
    assert.deepEqual(
      translated.specs.get('gateway:default/web')?.targetGroups.map((group) => group.key),
      ['default/a:80/instance', 'default/b:80/instance', 'default/c:80/instance'],
    );
    assert.deepEqual(accepted(translated, 'web'), ['Accepted=True/Accepted']);
  });

  it('over the target-group limit the Gateway is refused with an error naming the routes that bring the most, and gets no spec', () => {
    const translated = translate(route('api', 'web', [service('a'), service('b'), service('c')]) + route('shop', 'web', [service('d')]), {
      targetGroupsPerLoadBalancer: 3,
    });
    assert.equal(translated.specs.get('gateway:default/web'), undefined, 'its load balancer is kept as it is');
    assert.deepEqual(accepted(translated, 'web'), ['Accepted=False/Invalid']);
    const condition = translated.status.gateways.find((entry) => entry.ref.name === 'web')?.conditions.find((entry) => entry.type === 'Accepted');
    assert.equal(condition?.message, "the routes need 4 target groups, over the load balancer's limit of 3");
    const errors = translated.diagnostics.filter((entry) => entry.severity === 'error');
    assert.deepEqual(
      errors.map((entry) => [entry.object.kind, entry.object.name, entry.field]),
      [['Gateway', 'web', 'spec.listeners']],
    );
    assert.equal(
      errors[0]?.message,
      "the Gateway's routes need 4 target groups (one per Service port and target type, one per Function), over the ALB's limit of 3 per load balancer (HTTPRoute default/api reaches 3, HTTPRoute default/shop 1); its load balancer is kept as it is",
    );
    assert.ok(translated.specs.has('gateway:default/small'), 'another Gateway is served');
  });

  it("counts a Function's target group as a Service's", () => {
    const translated = translate(route('api', 'web', [service('a'), fn('upload')]), { targetGroupsPerLoadBalancer: 1 });
    assert.equal(translated.specs.get('gateway:default/web'), undefined);
    assert.match(translated.diagnostics.find((entry) => entry.object.name === 'web')?.message ?? '', /need 2 target groups/);
    assert.ok(translate(route('api', 'web', [service('a'), fn('upload')]), { targetGroupsPerLoadBalancer: 2 }).specs.has('gateway:default/web'));
  });

  it('over the rule limit the Gateway is refused the same way', () => {
    const translated = translate(route('api', 'web', [service('a'), service('b'), service('c')]), { rulesPerLoadBalancer: 2 });
    assert.equal(translated.specs.get('gateway:default/web'), undefined);
    assert.deepEqual(accepted(translated, 'web'), ['Accepted=False/Invalid']);
    assert.match(
      translated.diagnostics.find((entry) => entry.object.name === 'web')?.message ?? '',
      /need 3 rules, over the limit of 2 per load balancer \(flag --rule-limit\)/,
    );
  });
});
