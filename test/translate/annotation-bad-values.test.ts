import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, ObjectRef } from '../../src/model.js';
import type { IngressAnnotations } from '../../src/translate/annotation-types.js';
import { parseIngressAnnotations } from '../../src/translate/annotations.js';

const INGRESS: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };

const field = (key: string): string => `metadata.annotations["${key}"]`;

function onlyDiagnostic(diagnostics: Diagnostic[]): Diagnostic {
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 2));
  return diagnostics[0] as Diagnostic;
}

interface BadCase {
  key: string;
  raw: string;
  /** A phrase of the message saying what is accepted. */
  accepted: RegExp;
  read: (value: IngressAnnotations) => unknown;
}

const BAD: BadCase[] = [
  { key: 'group.name', raw: 'Shop', accepted: /lower-case alphanumerics/, read: (v) => v.groupName },
  { key: 'group.name', raw: 'shop-', accepted: /ending with an alphanumeric/, read: (v) => v.groupName },
  { key: 'group.name', raw: 'a'.repeat(64), accepted: /at most 63/, read: (v) => v.groupName },
  { key: 'group.name', raw: 'team/shop', accepted: /lower-case alphanumerics/, read: (v) => v.groupName },
  { key: 'group.order', raw: '1001', accepted: /integer from -1000 to 1000/, read: (v) => v.groupOrder },
  { key: 'group.order', raw: '1.5', accepted: /integer from -1000 to 1000/, read: (v) => v.groupOrder },
  { key: 'scheme', raw: 'public', accepted: /internet-facing or internal/, read: (v) => v.scheme },
  { key: 'scheme', raw: 'Internal', accepted: /internet-facing or internal/, read: (v) => v.scheme },
  { key: 'ip-address-type', raw: 'dualstack-without-public-ipv4', accepted: /ipv4 or dualstack/, read: (v) => v.ipAddressType },
  { key: 'target-type', raw: 'pod', accepted: /instance or ip/, read: (v) => v.targetType },
  { key: 'listen-ports', raw: '[{"HTTP":80}', accepted: /valid JSON/, read: (v) => v.listenPorts },
  { key: 'listen-ports', raw: '[]', accepted: /JSON list/, read: (v) => v.listenPorts },
  { key: 'listen-ports', raw: '[{"TCP":80}]', accepted: /"TCP" is not a protocol/, read: (v) => v.listenPorts },
  { key: 'listen-ports', raw: '[{"HTTP":0}]', accepted: /from 1 to 65535/, read: (v) => v.listenPorts },
  { key: 'listen-ports', raw: '[{"HTTP":"80"}]', accepted: /"80" is not a port/, read: (v) => v.listenPorts },
  { key: 'listen-ports', raw: '[{"HTTP":80},{"HTTPS":80}]', accepted: /port 80 is listed twice/, read: (v) => v.listenPorts },
  { key: 'ssl-redirect', raw: 'true', accepted: /integer from 1 to 65535/, read: (v) => v.sslRedirect },
  { key: 'ssl-redirect', raw: '70000', accepted: /integer from 1 to 65535/, read: (v) => v.sslRedirect },
  {
    key: 'certificate-arn',
    raw: 'arn:aws:s3:::bucket',
    accepted: /certificate ARNs/,
    read: (v) => (v.certificateArns.length > 0 ? v.certificateArns : undefined),
  },
  { key: 'ssl-policy', raw: ' ', accepted: /non-empty/, read: (v) => v.sslPolicy },
  { key: 'inbound-cidrs', raw: '10.0.0.0/8,10.0.0.300/32', accepted: /CIDRs/, read: (v) => v.inboundCidrs },
  { key: 'inbound-cidrs', raw: '10.0.0.0', accepted: /CIDRs/, read: (v) => v.inboundCidrs },
  { key: 'inbound-cidrs', raw: '10.0.0.0/33', accepted: /CIDRs/, read: (v) => v.inboundCidrs },
  { key: 'inbound-cidrs', raw: '2001:db8::/129', accepted: /CIDRs/, read: (v) => v.inboundCidrs },
  { key: 'backend-protocol', raw: 'GRPC', accepted: /HTTP or HTTPS/, read: (v) => v.backendProtocol },
  { key: 'backend-protocol-version', raw: 'HTTP3', accepted: /HTTP1, HTTP2 or GRPC/, read: (v) => v.backendProtocolVersion },
  { key: 'healthcheck-path', raw: 'healthz', accepted: /starting with "\/"/, read: (v) => v.healthCheck.path },
  { key: 'healthcheck-port', raw: '0', accepted: /traffic-port, a port number/, read: (v) => v.healthCheck.port },
  { key: 'healthcheck-port', raw: 'Metrics_Port', accepted: /name of a Service port/, read: (v) => v.healthCheck.port },
  { key: 'healthcheck-protocol', raw: 'TCP', accepted: /HTTP or HTTPS/, read: (v) => v.healthCheck.protocol },
  { key: 'healthcheck-interval-seconds', raw: '4', accepted: /integer from 5 to 300/, read: (v) => v.healthCheck.intervalSeconds },
  { key: 'healthcheck-timeout-seconds', raw: '121', accepted: /integer from 2 to 120/, read: (v) => v.healthCheck.timeoutSeconds },
  { key: 'healthy-threshold-count', raw: '1', accepted: /integer from 2 to 10/, read: (v) => v.healthCheck.healthyThresholdCount },
  { key: 'unhealthy-threshold-count', raw: '11', accepted: /integer from 2 to 10/, read: (v) => v.healthCheck.unhealthyThresholdCount },
  { key: 'success-codes', raw: '200-', accepted: /a range \(200-299\)/, read: (v) => v.healthCheck.successCodes },
  { key: 'success-codes', raw: '299-200', accepted: /a range \(200-299\)/, read: (v) => v.healthCheck.successCodes },
  { key: 'success-codes', raw: '500', accepted: /HTTP codes 200-499 or GRPC codes 0-99/, read: (v) => v.healthCheck.successCodes },
  { key: 'success-codes', raw: '12,200', accepted: /HTTP codes 200-499 or GRPC codes 0-99/, read: (v) => v.healthCheck.successCodes },
  { key: 'tags', raw: 'team', accepted: /key=value pairs/, read: (v) => (Object.keys(v.tags).length > 0 ? v.tags : undefined) },
  { key: 'tags', raw: 'aws:cloudformation=x', accepted: /must not start with "aws:"/, read: (v) => (Object.keys(v.tags).length > 0 ? v.tags : undefined) },
  { key: 'tags', raw: `${'k'.repeat(129)}=v`, accepted: /at most 128/, read: (v) => (Object.keys(v.tags).length > 0 ? v.tags : undefined) },
  { key: 'tags', raw: `k=${'v'.repeat(257)}`, accepted: /at most 256/, read: (v) => (Object.keys(v.tags).length > 0 ? v.tags : undefined) },
  { key: 'tags', raw: 'team=a;b', accepted: /letters, digits/, read: (v) => (Object.keys(v.tags).length > 0 ? v.tags : undefined) },
  {
    key: 'load-balancer-attributes',
    raw: '=true',
    accepted: /key=value pairs/,
    read: (v) => (Object.keys(v.loadBalancerAttributes).length > 0 ? v.loadBalancerAttributes : undefined),
  },
  {
    key: 'target-group-attributes',
    raw: 'stickiness.enabled',
    accepted: /key=value pairs/,
    read: (v) => (Object.keys(v.targetGroupAttributes).length > 0 ? v.targetGroupAttributes : undefined),
  },
  { key: 'load-balancer-name', raw: 'a'.repeat(33), accepted: /at most 32/, read: (v) => v.loadBalancerName },
  { key: 'load-balancer-name', raw: '-shop', accepted: /not starting or ending with "-"/, read: (v) => v.loadBalancerName },
  { key: 'load-balancer-name', raw: 'internal-shop', accepted: /not starting with "internal-"/, read: (v) => v.loadBalancerName },
  { key: 'load-balancer-name', raw: 'shop_web', accepted: /alphanumerics or "-"/, read: (v) => v.loadBalancerName },
];

describe('bad values', () => {
  for (const entry of BAD) {
    const key = `alb.ingress.kubernetes.io/${entry.key}`;
    it(`${entry.key}: ${entry.raw.slice(0, 40)}`, () => {
      const parsed = parseIngressAnnotations({ [key]: entry.raw }, INGRESS);
      const error = onlyDiagnostic(parsed.diagnostics);
      assert.equal(error.severity, 'error');
      assert.equal(error.field, field(key));
      assert.deepEqual(error.object, INGRESS);
      assert.ok(error.message.startsWith(`${key} has an invalid value`), error.message);
      assert.match(error.message, entry.accepted);
      assert.equal(entry.read(parsed.value), undefined, 'a bad value leaves the setting unset');
    });
  }

  it('quotes a short bad value in full', () => {
    const parsed = parseIngressAnnotations({ 'ingress-bridge.io/scheme': 'public' }, INGRESS);
    assert.match(onlyDiagnostic(parsed.diagnostics).message, /"public"/);
  });

  it('never echoes a long value in full', () => {
    const raw = `internal${'x'.repeat(5000)}`;
    const parsed = parseIngressAnnotations({ 'ingress-bridge.io/scheme': raw }, INGRESS);
    const { message } = onlyDiagnostic(parsed.diagnostics);
    assert.ok(message.length < 400, `message is ${message.length} characters`);
    assert.match(message, /5008 characters/);
  });

  it('reports every bad key, and keeps the good ones', () => {
    const parsed = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/scheme': 'public',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/group.order': 'first',
      },
      INGRESS,
    );
    const reported = parsed.diagnostics.map((entry) => `${entry.severity} ${entry.field}`).sort();
    assert.deepEqual(reported, [`error ${field('alb.ingress.kubernetes.io/group.order')}`, `error ${field('alb.ingress.kubernetes.io/scheme')}`]);
    assert.equal(parsed.value.targetType, 'ip');
  });
});
