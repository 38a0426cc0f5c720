import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, ObjectRef } from '../../src/model.js';
import type { IngressAnnotations } from '../../src/translate/annotation-types.js';
import { parseIngressAnnotations, parseServiceAnnotations } from '../../src/translate/annotations.js';

const INGRESS: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };
const SERVICE: ObjectRef = { kind: 'Service', namespace: 'shop', name: 'api' };
const PREFIXES = ['ingress-bridge.io/', 'alb.ingress.kubernetes.io/'];

const field = (key: string): string => `metadata.annotations["${key}"]`;

interface SupportedCase {
  key: string;
  raw: string;
  read: (value: IngressAnnotations) => unknown;
  expected: unknown;
  targetGroup?: true;
}

const SUPPORTED: SupportedCase[] = [
  { key: 'group.name', raw: 'shared.web-1', read: (v) => v.groupName, expected: 'shared.web-1' },
  { key: 'group.order', raw: '-1000', read: (v) => v.groupOrder, expected: -1000 },
  { key: 'load-balancer-name', raw: 'shop-web-1', read: (v) => v.loadBalancerName, expected: 'shop-web-1' },
  { key: 'scheme', raw: 'internet-facing', read: (v) => v.scheme, expected: 'internet-facing' },
  { key: 'ip-address-type', raw: 'dualstack', read: (v) => v.ipAddressType, expected: 'dualstack' },
  { key: 'subnets', raw: 'subnet-0a1, public-b ,subnet-0c3', read: (v) => v.subnets, expected: ['subnet-0a1', 'public-b', 'subnet-0c3'] },
  { key: 'security-groups', raw: 'sg-01,web', read: (v) => v.securityGroups, expected: ['sg-01', 'web'] },
  { key: 'inbound-cidrs', raw: '10.0.0.0/8, 2001:db8::/32', read: (v) => v.inboundCidrs, expected: ['10.0.0.0/8', '2001:db8::/32'] },
  {
    key: 'load-balancer-attributes',
    raw: 'idle_timeout.timeout_seconds=120,routing.http2.enabled=false',
    read: (v) => v.loadBalancerAttributes,
    expected: { 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'false' },
  },
  {
    key: 'listen-ports',
    raw: '[{"HTTP":80},{"HTTPS":443},{"HTTPS":8443}]',
    read: (v) => v.listenPorts,
    expected: [
      { protocol: 'HTTP', port: 80 },
      { protocol: 'HTTPS', port: 443 },
      { protocol: 'HTTPS', port: 8443 },
    ],
  },
  { key: 'ssl-redirect', raw: '443', read: (v) => v.sslRedirect, expected: 443 },
  {
    key: 'certificate-arn',
    raw: 'arn:aws:acm:eu-west-1:123456789012:certificate/a,arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/b',
    read: (v) => v.certificateArns,
    expected: ['arn:aws:acm:eu-west-1:123456789012:certificate/a', 'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/b'],
  },
  { key: 'ssl-policy', raw: 'ELBSecurityPolicy-TLS13-1-2-2021-06', read: (v) => v.sslPolicy, expected: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
  { key: 'target-type', raw: 'ip', read: (v) => v.targetType, expected: 'ip', targetGroup: true },
  { key: 'backend-protocol', raw: 'HTTPS', read: (v) => v.backendProtocol, expected: 'HTTPS', targetGroup: true },
  { key: 'backend-protocol-version', raw: 'GRPC', read: (v) => v.backendProtocolVersion, expected: 'GRPC', targetGroup: true },
  { key: 'healthcheck-path', raw: '/healthz', read: (v) => v.healthCheck.path, expected: '/healthz', targetGroup: true },
  { key: 'healthcheck-port', raw: 'traffic-port', read: (v) => v.healthCheck.port, expected: 'traffic-port', targetGroup: true },
  { key: 'healthcheck-port', raw: '8080', read: (v) => v.healthCheck.port, expected: 8080, targetGroup: true },
  { key: 'healthcheck-port', raw: 'metrics', read: (v) => v.healthCheck.port, expected: 'metrics', targetGroup: true },
  { key: 'healthcheck-protocol', raw: 'HTTPS', read: (v) => v.healthCheck.protocol, expected: 'HTTPS', targetGroup: true },
  { key: 'healthcheck-interval-seconds', raw: '300', read: (v) => v.healthCheck.intervalSeconds, expected: 300, targetGroup: true },
  { key: 'healthcheck-timeout-seconds', raw: '2', read: (v) => v.healthCheck.timeoutSeconds, expected: 2, targetGroup: true },
  { key: 'healthy-threshold-count', raw: '10', read: (v) => v.healthCheck.healthyThresholdCount, expected: 10, targetGroup: true },
  { key: 'unhealthy-threshold-count', raw: '3', read: (v) => v.healthCheck.unhealthyThresholdCount, expected: 3, targetGroup: true },
  { key: 'success-codes', raw: '200,202-299', read: (v) => v.healthCheck.successCodes, expected: '200,202-299', targetGroup: true },
  {
    key: 'target-group-attributes',
    raw: 'deregistration_delay.timeout_seconds=30',
    read: (v) => v.targetGroupAttributes,
    expected: { 'deregistration_delay.timeout_seconds': '30' },
    targetGroup: true,
  },
  {
    key: 'tags',
    raw: 'team=shop, cost-center = 42,empty=',
    read: (v) => v.tags,
    expected: { team: 'shop', 'cost-center': '42', empty: '' },
    targetGroup: true,
  },
];

function onlyDiagnostic(diagnostics: Diagnostic[]): Diagnostic {
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 2));
  return diagnostics[0] as Diagnostic;
}

describe('parseIngressAnnotations: supported keys', () => {
  for (const prefix of PREFIXES) {
    for (const entry of SUPPORTED) {
      it(`${prefix}${entry.key}: ${entry.raw}`, () => {
        const parsed = parseIngressAnnotations({ [`${prefix}${entry.key}`]: entry.raw }, INGRESS);
        assert.deepEqual(parsed.diagnostics, []);
        assert.deepEqual(entry.read(parsed.value), entry.expected);
      });
    }
  }

  it('leaves every setting unset without annotations', () => {
    const parsed = parseIngressAnnotations(undefined, INGRESS);
    assert.deepEqual(parsed.diagnostics, []);
    for (const entry of SUPPORTED) {
      assert.notDeepEqual(entry.read(parsed.value), entry.expected, entry.key);
    }
    assert.equal(parsed.value.actions.size, 0);
    assert.equal(parsed.value.conditions.size, 0);
  });

  it('ignores annotations under other prefixes', () => {
    const parsed = parseIngressAnnotations({ 'kubernetes.io/ingress.class': 'alb', 'example.com/scheme': 'internal' }, INGRESS);
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.value.scheme, undefined);
  });
});

describe('both prefixes', () => {
  it('prefers ingress-bridge.io/ and warns, naming both keys, when the values differ', () => {
    for (const annotations of [
      { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'ingress-bridge.io/scheme': 'internal' },
      { 'ingress-bridge.io/scheme': 'internal', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' },
    ]) {
      const parsed = parseIngressAnnotations(annotations, INGRESS);
      assert.equal(parsed.value.scheme, 'internal');
      const warning = onlyDiagnostic(parsed.diagnostics);
      assert.equal(warning.severity, 'warning');
      assert.equal(warning.field, field('ingress-bridge.io/scheme'));
      assert.match(warning.message, /ingress-bridge\.io\/scheme/);
      assert.match(warning.message, /alb\.ingress\.kubernetes\.io\/scheme/);
      assert.deepEqual(warning.object, INGRESS);
    }
  });

  it('says nothing when both spell the same value', () => {
    const parsed = parseIngressAnnotations({ 'alb.ingress.kubernetes.io/target-type': 'ip', 'ingress-bridge.io/target-type': 'ip' }, INGRESS);
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.value.targetType, 'ip');
  });

  it('uses our value even when it is the bad one', () => {
    const parsed = parseIngressAnnotations({ 'alb.ingress.kubernetes.io/target-type': 'ip', 'ingress-bridge.io/target-type': 'pod' }, INGRESS);
    assert.equal(parsed.value.targetType, undefined);
    const error = parsed.diagnostics.find((entry) => entry.severity === 'error');
    assert.equal(error?.field, field('ingress-bridge.io/target-type'));
  });
});

describe('parseServiceAnnotations', () => {
  for (const entry of SUPPORTED.filter((candidate) => candidate.targetGroup)) {
    it(`reads ${entry.key} from a Service`, () => {
      const parsed = parseServiceAnnotations({ [`alb.ingress.kubernetes.io/${entry.key}`]: entry.raw }, SERVICE);
      assert.deepEqual(parsed.diagnostics, []);
      assert.deepEqual(entry.read(parsed.value as IngressAnnotations), entry.expected);
    });
  }

  it('warns about Ingress-only keys and does not read them', () => {
    for (const key of ['ingress-bridge.io/scheme', 'alb.ingress.kubernetes.io/group.name', 'alb.ingress.kubernetes.io/actions.api']) {
      const parsed = parseServiceAnnotations({ [key]: 'internal' }, SERVICE);
      const warning = onlyDiagnostic(parsed.diagnostics);
      assert.equal(warning.severity, 'warning');
      assert.equal(warning.field, field(key));
      assert.deepEqual(warning.object, SERVICE);
      assert.match(warning.message, /Ingress only/);
      assert.equal('scheme' in parsed.value, false);
    }
  });
});

describe('keys that are not read', () => {
  const UNSUPPORTED = [
    'waf-acl-id',
    'web-acl-id',
    'frontend-nlb-scheme',
    'enable-frontend-nlb',
    'use-regex-path-match',
    'security-group-prefix-lists',
    'customer-owned-ipv4-pool',
  ];
  for (const suffix of UNSUPPORTED) {
    it(`warns that ${suffix} is not supported, under either prefix`, () => {
      for (const prefix of PREFIXES) {
        const key = `${prefix}${suffix}`;
        const parsed = parseIngressAnnotations({ [key]: 'true' }, INGRESS);
        const warning = onlyDiagnostic(parsed.diagnostics);
        assert.equal(warning.severity, 'warning');
        assert.equal(warning.field, field(key));
        assert.match(warning.message, /not supported by ingress-bridge; ignored/);
      }
    });
  }

  it('warns about unknown keys under either prefix', () => {
    for (const key of ['ingress-bridge.io/schema', 'alb.ingress.kubernetes.io/no-such-thing', 'alb.ingress.kubernetes.io/actions.']) {
      const parsed = parseIngressAnnotations({ [key]: 'x' }, INGRESS);
      const warning = onlyDiagnostic(parsed.diagnostics);
      assert.equal(warning.severity, 'warning');
      assert.equal(warning.field, field(key));
      assert.match(warning.message, /unknown annotation/);
    }
  });

  it('warns that an empty list is ignored', () => {
    for (const key of ['subnets', 'security-groups', 'inbound-cidrs', 'certificate-arn']) {
      const parsed = parseIngressAnnotations({ [`ingress-bridge.io/${key}`]: ' , ' }, INGRESS);
      const warning = onlyDiagnostic(parsed.diagnostics);
      assert.equal(warning.severity, 'warning');
      assert.match(warning.message, /is empty; ignored/);
    }
  });
});

describe('checks across keys', () => {
  it('requires the health-check timeout to be shorter than the interval', () => {
    const parsed = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
        'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '10',
      },
      INGRESS,
    );
    const error = onlyDiagnostic(parsed.diagnostics);
    assert.equal(error.severity, 'error');
    assert.equal(error.field, field('alb.ingress.kubernetes.io/healthcheck-timeout-seconds'));
    assert.match(error.message, /must be less than alb\.ingress\.kubernetes\.io\/healthcheck-interval-seconds/);
    assert.deepEqual(parsed.value.healthCheck, { intervalSeconds: 10 });
  });

  it('checks the health-check timeout on a Service too', () => {
    const parsed = parseServiceAnnotations(
      {
        'ingress-bridge.io/healthcheck-interval-seconds': '5',
        'ingress-bridge.io/healthcheck-timeout-seconds': '6',
      },
      SERVICE,
    );
    assert.equal(onlyDiagnostic(parsed.diagnostics).severity, 'error');
    assert.equal(parsed.value.healthCheck.timeoutSeconds, undefined);
  });

  it('takes gRPC success codes only with backend-protocol-version GRPC', () => {
    const grpc = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC',
        'alb.ingress.kubernetes.io/success-codes': '0-99',
      },
      INGRESS,
    );
    assert.deepEqual(grpc.diagnostics, []);
    assert.equal(grpc.value.healthCheck.successCodes, '0-99');

    const http = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/success-codes': '12',
        'alb.ingress.kubernetes.io/backend-protocol-version': 'HTTP2',
      },
      INGRESS,
    );
    const error = onlyDiagnostic(http.diagnostics);
    assert.match(error.message, /HTTP codes 200-499/);
    assert.doesNotMatch(error.message, /GRPC/);
    assert.equal(http.value.healthCheck.successCodes, undefined);

    const grpcWithHttpCode = parseServiceAnnotations(
      {
        'alb.ingress.kubernetes.io/backend-protocol-version': 'GRPC',
        'alb.ingress.kubernetes.io/success-codes': '200',
      },
      SERVICE,
    );
    assert.match(onlyDiagnostic(grpcWithHttpCode.diagnostics).message, /GRPC codes 0-99/);
  });

  it('warns that inbound-cidrs does nothing when security-groups is set', () => {
    const parsed = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/8',
        'alb.ingress.kubernetes.io/security-groups': 'sg-01',
      },
      INGRESS,
    );
    const warning = onlyDiagnostic(parsed.diagnostics);
    assert.equal(warning.severity, 'warning');
    assert.equal(warning.field, field('alb.ingress.kubernetes.io/inbound-cidrs'));
    assert.deepEqual(parsed.value.securityGroups, ['sg-01']);
  });
});
