/**
 * Status as the Gateway API specification defines it: the conditions and standard reasons on
 * GatewayClasses, Gateways, listeners and each route's parents, with observedGeneration, computed by
 * translate from the manifests alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeOf } from '../../support/alb-evaluator.js';
import { NODE_YAML, serviceYaml, testOptions, tlsSecretYaml } from '../../support/cluster.js';
import { conditionSummary, GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, routeConditions, translateGatewayYaml } from '../../support/gateway.js';
import { selfSignedCertificate } from '../../support/local-lb.js';

const HTTP = '{name: http, port: 80, protocol: HTTP}';
const BASE = GATEWAY_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'a' }) + serviceYaml({ name: 'other', namespace: 'backends', nodePort: 30090 });

function route(name: string, body: string, namespace = 'default', generation?: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}${generation !== undefined ? `, generation: ${generation}` : ''}}
spec:
${body}
---
`;
}

const GRANT = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: routes-from-default, namespace: backends}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: "", kind: Service}]
---
`;

describe('GatewayClass', () => {
  it('ours is Accepted with SupportedVersion; another controller’s gets nothing from us', () => {
    const other = 'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: envoy}\nspec: {controllerName: example.com/envoy}\n---\n';
    const { status } = translateGatewayYaml(GATEWAY_CLASS_YAML + other);
    assert.deepEqual(
      status.gatewayClasses.map((entry) => [entry.ref.name, conditionSummary(entry.conditions)]),
      [['ingress-bridge', ['Accepted=True/Accepted', 'SupportedVersion=True/SupportedVersion']]],
    );
  });
});

describe('route references', () => {
  it('a cross-namespace backend needs a ReferenceGrant: RefNotPermitted without, routed with', () => {
    const body = '  parentRefs: [{name: web}]\n  rules:\n  - backendRefs: [{name: other, namespace: backends, port: 80}]';
    const without = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body));
    assert.deepEqual(routeConditions(without.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/RefNotPermitted']);
    assert.equal(routeOf(gatewaySpec(without), 'http://x.test/'), '500');
    const granted = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body) + GRANT);
    assert.deepEqual(routeConditions(granted.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    assert.equal(routeOf(gatewaySpec(granted), 'http://x.test/'), 'backends/other:80');
  });

  it('a missing Service is BackendNotFound, a non-Service kind InvalidKind; the rule answers 500', () => {
    const missing = translateGatewayYaml(
      BASE + gatewayYaml('web', [HTTP]) + route('r', '  parentRefs: [{name: web}]\n  rules:\n  - backendRefs: [{name: nope, port: 80}]'),
    );
    assert.deepEqual(routeConditions(missing.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound']);
    assert.equal(routeOf(gatewaySpec(missing), 'http://x.test/'), '500');
    const kind = translateGatewayYaml(
      BASE + gatewayYaml('web', [HTTP]) + route('r', '  parentRefs: [{name: web}]\n  rules:\n  - backendRefs: [{group: example.com, kind: Bucket, name: b}]'),
    );
    assert.deepEqual(routeConditions(kind.status, 'r'), ['Accepted=True/Accepted', 'ResolvedRefs=False/InvalidKind']);
    const named = kind.diagnostics.find((entry) => entry.object.name === 'r');
    assert.equal(named?.field, 'spec.rules[0].backendRefs[0]');
  });

  it('a filter the ALB cannot do is refused with UnsupportedValue, never approximated', () => {
    const body =
      '  parentRefs: [{name: web}]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /h}}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x, value: y}]}}]\n    backendRefs: [{name: a, port: 80}]\n  - backendRefs: [{name: a, port: 80}]';
    const translated = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body));
    assert.deepEqual(routeConditions(translated.status, 'r'), [
      'Accepted=True/Accepted',
      'ResolvedRefs=True/ResolvedRefs',
      'PartiallyInvalid=True/UnsupportedValue',
    ]);
    // The refused rule is not served: /h goes where the rest of the route sends it.
    assert.equal(gatewaySpec(translated).listeners[0]?.rules.length, 1);
    const only = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body.split('\n  - backendRefs')[0] ?? ''));
    assert.deepEqual(routeConditions(only.status, 'r'), ['Accepted=False/UnsupportedValue', 'ResolvedRefs=True/ResolvedRefs']);
  });
});

describe('attachment', () => {
  it('NoMatchingParent for a sectionName or port no listener has', () => {
    const bySection = translateGatewayYaml(
      BASE + gatewayYaml('web', [HTTP]) + route('r', '  parentRefs: [{name: web, sectionName: nope}]\n  rules:\n  - backendRefs: [{name: a, port: 80}]'),
    );
    assert.deepEqual(routeConditions(bySection.status, 'r'), ['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs']);
    const byPort = translateGatewayYaml(
      BASE + gatewayYaml('web', [HTTP]) + route('r', '  parentRefs: [{name: web, port: 8080}]\n  rules:\n  - backendRefs: [{name: a, port: 80}]'),
    );
    assert.deepEqual(routeConditions(byPort.status, 'r'), ['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('NotAllowedByListeners for a route of another namespace unless allowedRoutes admits it', () => {
    const body = '  parentRefs: [{name: web, namespace: default}]\n  rules:\n  - backendRefs: [{name: other, port: 80}]';
    const same = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body, 'backends'));
    assert.deepEqual(routeConditions(same.status, 'r', { namespace: 'backends' }), ['Accepted=False/NotAllowedByListeners', 'ResolvedRefs=True/ResolvedRefs']);
    assert.deepEqual(same.status.gateways[0]?.listeners[0]?.attachedRoutes, 0);
    const all = translateGatewayYaml(
      BASE + gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}']) + route('r', body, 'backends'),
    );
    assert.deepEqual(routeConditions(all.status, 'r', { namespace: 'backends' }), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    assert.deepEqual(all.status.gateways[0]?.listeners[0]?.attachedRoutes, 1);
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: backends, labels: {shared: "yes"}}\n---\n';
    const selector = gatewayYaml('web', [
      '{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {shared: "yes"}}}}}',
    ]);
    const selected = translateGatewayYaml(BASE + namespace + selector + route('r', body, 'backends'));
    assert.deepEqual(routeConditions(selected.status, 'r', { namespace: 'backends' }), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('NoMatchingListenerHostname when no hostname intersects', () => {
    const translated = translateGatewayYaml(
      BASE +
        gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}']) +
        route('r', '  parentRefs: [{name: web}]\n  hostnames: [example.com, foo.example.net]\n  rules:\n  - backendRefs: [{name: a, port: 80}]'),
    );
    assert.deepEqual(routeConditions(translated.status, 'r'), ['Accepted=False/NoMatchingListenerHostname', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('observedGeneration follows each object’s generation', () => {
    const body = '  parentRefs: [{name: web}]\n  rules:\n  - backendRefs: [{name: a, port: 80}]';
    const translated = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP], { generation: 3 }) + route('r', body, 'default', 7));
    const gateway = translated.status.gateways[0];
    assert.deepEqual(
      gateway?.conditions.map((entry) => entry.observedGeneration),
      [3],
    );
    assert.ok(gateway?.listeners[0]?.conditions.every((entry) => entry.observedGeneration === 3));
    assert.ok(translated.status.routes[0]?.parents[0]?.conditions.every((entry) => entry.observedGeneration === 7));
  });
});

describe('listeners', () => {
  const certificate = selfSignedCertificate(['secure.example.com']);
  // The certificate is made now; the tests' default clock is fixed in the past.
  const now = testOptions({ now: new Date() });

  it('an HTTPS listener serves its certificateRefs Secret, imported under the same key as an Ingress’s', () => {
    const translated = translateGatewayYaml(
      BASE +
        tlsSecretYaml('tls', certificate) +
        gatewayYaml('web', ['{name: https, port: 443, protocol: HTTPS, hostname: secure.example.com, tls: {certificateRefs: [{name: tls}]}}']),
      now,
    );
    const spec = gatewaySpec(translated);
    assert.deepEqual(
      spec.listeners.map((listener) => [listener.port, listener.protocol, listener.certificateKeys]),
      [[443, 'HTTPS', ['secret:default/tls']]],
    );
    assert.deepEqual(
      spec.certificates.map((entry) => [entry.key, entry.hosts]),
      [['secret:default/tls', ['secure.example.com']]],
    );
  });

  it('a certificate Secret in another namespace needs a ReferenceGrant (RefNotPermitted); a missing one is InvalidCertificateRef', () => {
    const listener = '{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: tls, namespace: certs}]}}';
    const refused = translateGatewayYaml(BASE + tlsSecretYaml('tls', certificate, 'certs') + gatewayYaml('web', [HTTP, listener]), now);
    assert.deepEqual(conditionSummary(refused.status.gateways[0]?.listeners[1]?.conditions ?? []), [
      'Accepted=True/Accepted',
      'ResolvedRefs=False/RefNotPermitted',
      'Conflicted=False/NoConflicts',
    ]);
    assert.deepEqual(
      gatewaySpec(refused).listeners.map((entry) => entry.port),
      [80],
    );
    const grant =
      'apiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: certs}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]\n  to: [{group: "", kind: Secret, name: tls}]\n---\n';
    const granted = translateGatewayYaml(BASE + tlsSecretYaml('tls', certificate, 'certs') + gatewayYaml('web', [HTTP, listener]) + grant, now);
    assert.deepEqual(
      gatewaySpec(granted).listeners.map((entry) => entry.port),
      [80, 443],
    );
    const missing = translateGatewayYaml(
      BASE + gatewayYaml('web', [HTTP, '{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: nope}]}}']),
    );
    assert.deepEqual(conditionSummary(missing.status.gateways[0]?.listeners[1]?.conditions ?? []).slice(0, 2), [
      'Accepted=True/Accepted',
      'ResolvedRefs=False/InvalidCertificateRef',
    ]);
  });

  it('listeners on one port with other protocols conflict; an unsupported protocol is not accepted', () => {
    const translated = translateGatewayYaml(
      BASE +
        gatewayYaml('web', [HTTP, '{name: tcp, port: 9000, protocol: TCP}', '{name: clash, port: 80, protocol: HTTPS, tls: {certificateRefs: [{name: x}]}}']),
    );
    const listeners = translated.status.gateways[0]?.listeners ?? [];
    assert.deepEqual(conditionSummary(listeners[0]?.conditions ?? [])[2], 'Conflicted=True/ProtocolConflict');
    assert.deepEqual(conditionSummary(listeners[1]?.conditions ?? [])[0], 'Accepted=False/UnsupportedProtocol');
    assert.deepEqual(conditionSummary(translated.status.gateways[0]?.conditions ?? []), ['Accepted=False/ListenersNotValid']);
  });
});

describe('cloud limits', () => {
  it('a match the ALB cannot hold in one rule is refused with UnsupportedValue, before any load balancer sees it', () => {
    const headers = [1, 2, 3, 4, 5].map((index) => `{name: x-h${index}, value: v}`).join(', ');
    const body = `  parentRefs: [{name: web}]\n  rules:\n  - matches: [{headers: [${headers}]}]\n    backendRefs: [{name: a, port: 80}]\n  - backendRefs: [{name: a, port: 80}]`;
    const translated = translateGatewayYaml(BASE + gatewayYaml('web', [HTTP]) + route('r', body));
    assert.deepEqual(routeConditions(translated.status, 'r'), [
      'Accepted=True/Accepted',
      'ResolvedRefs=True/ResolvedRefs',
      'PartiallyInvalid=True/UnsupportedValue',
    ]);
    const named = translated.diagnostics.find((entry) => entry.object.name === 'r' && entry.severity === 'error');
    assert.equal(named?.field, 'spec.rules[0].matches[0]');
    assert.match(named?.message ?? '', /the ALB allows 5 per rule/);
  });
});
