/**
 * GRPCRoute: matches on the gRPC service and method (the request path `/<service>/<method>`) and on
 * headers, with the same attachment and precedence as HTTPRoute, to target groups of protocol
 * version GRPC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeOf } from '../../support/alb-evaluator.js';
import { NODE_YAML, serviceYaml } from '../../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, routeConditions, translateGatewayYaml } from '../../support/gateway.js';

const BASE = GATEWAY_CLASS_YAML + NODE_YAML + ['cart', 'catalog', 'fallback'].map((name, index) => serviceYaml({ name, nodePort: 30200 + index })).join('');

function grpcRoute(rules: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: default}
spec:
  parentRefs: [{name: web}]
  hostnames: [grpc.example.com]
  rules:
${rules}
---
`;
}

describe('GRPCRoute', () => {
  const translated = translateGatewayYaml(
    BASE +
      gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}']) +
      grpcRoute(
        [
          '  - backendRefs: [{name: fallback, port: 80}]',
          '  - matches: [{method: {service: shop.Cart}}]\n    backendRefs: [{name: cart, port: 80}]',
          '  - matches: [{method: {service: shop.Cart, method: Checkout}}]\n    backendRefs: [{name: catalog, port: 80}]',
          '  - matches: [{method: {method: Search}, headers: [{name: x-tenant, value: blue}]}]\n    backendRefs: [{name: catalog, port: 80}]',
        ].join('\n'),
      ),
  );
  const spec = gatewaySpec(translated);
  const post = { method: 'POST' };

  it('service and method exact beats the service alone, whatever the rule order', () => {
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.Cart/Checkout', post), 'default/catalog:80');
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.Cart/Add', post), 'default/cart:80');
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.Cart/Add/extra', post), 'default/fallback:80');
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.CartX/Add', post), 'default/fallback:80');
  });

  it('a method of any service, with a header match', () => {
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.Catalog/Search', { ...post, headers: { 'x-tenant': 'blue' } }), 'default/catalog:80');
    assert.equal(routeOf(spec, 'http://grpc.example.com/shop.Catalog/Search', post), 'default/fallback:80');
  });

  it('only under its hostname, to GRPC target groups, with status per parent', () => {
    assert.equal(routeOf(spec, 'http://other.example.com/shop.Cart/Add', post), '404');
    assert.deepEqual([...new Set(spec.targetGroups.map((group) => group.protocolVersion))], ['GRPC']);
    assert.equal(spec.targetGroups[0]?.healthCheck.successCodes, '12');
    assert.deepEqual(routeConditions(translated.status, 'api', { kind: 'GRPCRoute' }), ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('a service match ranks before a method match, however long the method name', () => {
    const ranked = gatewaySpec(
      translateGatewayYaml(
        BASE +
          gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}']) +
          grpcRoute(
            '  - matches: [{method: {method: AVeryLongMethodName}}]\n    backendRefs: [{name: catalog, port: 80}]\n  - matches: [{method: {service: a.B}}]\n    backendRefs: [{name: cart, port: 80}]',
          ),
      ),
    );
    assert.equal(routeOf(ranked, 'http://grpc.example.com/a.B/AVeryLongMethodName', post), 'default/cart:80');
    assert.equal(routeOf(ranked, 'http://grpc.example.com/c.D/AVeryLongMethodName', post), 'default/catalog:80');
  });

  it('a listener that allows only HTTPRoutes refuses it: NotAllowedByListeners', () => {
    const refused = translateGatewayYaml(
      BASE +
        gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}]}}']) +
        grpcRoute('  - backendRefs: [{name: cart, port: 80}]'),
    );
    assert.deepEqual(routeConditions(refused.status, 'api', { kind: 'GRPCRoute' }), ['Accepted=False/NotAllowedByListeners', 'ResolvedRefs=True/ResolvedRefs']);
  });
});
