import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic, HealthCheckSpec, LoadBalancerSpec, Target } from '../../src/model.js';
import { renderPlanText } from '../../src/commands/plan-text.js';
import { instanceIdFromProviderId, toElbv2HealthCheck } from '../../providers/aws/plan/elbv2-shapes.js';
import { renderElbv2PlanDocument } from '../../providers/aws/plan/plan-json.js';

const ACM_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/1111-2222';
const API = 'default/api:80/ip';
const WEB = 'default/web:80/instance';
const WILDCARD_HOST = String.raw`^[^.]+\.example\.com$`;

const healthCheck: HealthCheckSpec = {
  protocol: 'HTTP',
  port: 'traffic-port',
  path: '/healthz',
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
  successCodes: '200-299',
};

const ipTargets: Target[] = Array.from({ length: 12 }, (_, i) => ({
  id: `10.0.0.${i + 1}`,
  ip: `10.0.0.${i + 1}`,
  port: 8080,
  zone: 'us-east-1a',
}));

function shopSpec(): LoadBalancerSpec {
  const origin = { ingress: { namespace: 'default', name: 'web' } };
  return {
    stack: {
      id: 'group/shop',
      name: 'k8s-shop-0123abcd',
      members: [
        { namespace: 'default', name: 'web' },
        { namespace: 'default', name: 'api' },
      ],
    },
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    attributes: { 'idle_timeout.timeout_seconds': '120', 'deletion_protection.enabled': 'false' },
    tags: { team: 'shop', env: 'prod' },
    listeners: [
      {
        port: 80,
        protocol: 'HTTP',
        certificateKeys: [],
        defaultAction: { type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
        rules: [],
      },
      {
        port: 443,
        protocol: 'HTTPS',
        certificateKeys: ['default/web-tls', 'acm/shop'],
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        defaultAction: { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'not found' },
        rules: [
          {
            priority: 30,
            conditions: [{ field: 'host-header', regexValues: [WILDCARD_HOST] }],
            actions: [
              {
                type: 'forward',
                targetGroups: [
                  { targetGroupKey: API, weight: 3 },
                  { targetGroupKey: WEB, weight: 1 },
                ],
                stickiness: { enabled: true, durationSeconds: 60 },
              },
            ],
            origin: { ...origin, host: '*.example.com', path: '/', pathType: 'Prefix' },
          },
          {
            priority: 10,
            conditions: [
              { field: 'host-header', values: ['foo.example.com'] },
              { field: 'path-pattern', values: ['/api'] },
            ],
            actions: [{ type: 'forward', targetGroups: [{ targetGroupKey: API, weight: 1 }] }],
            origin: { ...origin, host: 'foo.example.com', path: '/api', pathType: 'Exact' },
          },
          {
            priority: 40,
            conditions: [
              { field: 'http-header', headerName: 'X-Canary', values: ['always'] },
              { field: 'http-request-method', values: ['GET', 'HEAD'] },
              { field: 'query-string', values: [{ key: 'version', value: '2' }, { value: 'beta' }] },
              { field: 'source-ip', values: ['10.0.0.0/8'] },
            ],
            actions: [{ type: 'fixed-response', statusCode: '503' }],
            origin,
          },
          {
            priority: 20,
            conditions: [
              { field: 'host-header', values: ['foo.example.com'] },
              { field: 'path-pattern', values: ['/web', '/web/*'] },
            ],
            actions: [{ type: 'forward', targetGroups: [{ targetGroupKey: WEB, weight: 1 }] }],
            origin: { ...origin, host: 'foo.example.com', path: '/web', pathType: 'Prefix' },
          },
        ],
      },
    ],
    targetGroups: [
      {
        key: API,
        name: 'k8s-shop-api-5f5f5f5f',
        service: { namespace: 'default', name: 'api', port: 80 },
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: 8080,
        targetType: 'ip',
        healthCheck,
        attributes: { 'deregistration_delay.timeout_seconds': '30' },
        tags: {},
        targets: ipTargets,
      },
      {
        key: WEB,
        name: 'k8s-shop-web-6e6e6e6e',
        service: { namespace: 'default', name: 'web', port: 'http' },
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: 30080,
        targetType: 'instance',
        healthCheck: { ...healthCheck, port: 8081, successCodes: '200' },
        attributes: {},
        tags: { tier: 'frontend' },
        targets: [
          { id: 'aws:///us-east-1a/i-0abc123def', ip: '10.0.1.5', port: 30080, node: 'ip-10-0-1-5.ec2.internal', zone: 'us-east-1a' },
          { id: 'kind://docker/kind/node-b', ip: '10.0.1.6', port: 30080, node: 'node-b' },
        ],
      },
    ],
    certificates: [
      {
        key: 'default/web-tls',
        source: { kind: 'secret', namespace: 'default', name: 'web-tls' },
        hosts: ['foo.example.com'],
        fingerprint: 'sha256:abcdef',
      },
      { key: 'acm/shop', source: { kind: 'arn', arn: ACM_ARN }, hosts: ['*.example.com'] },
    ],
  };
}

function adminSpec(): LoadBalancerSpec {
  return {
    stack: { id: 'ops/admin', name: 'k8s-admin-99887766', members: [{ namespace: 'ops', name: 'admin' }] },
    scheme: 'internal',
    ipAddressType: 'dualstack',
    subnets: { kind: 'ids', ids: ['subnet-a', 'subnet-b'] },
    securityGroups: { kind: 'ids', ids: ['sg-1'] },
    attributes: {},
    tags: {},
    listeners: [{ port: 80, protocol: 'HTTP', certificateKeys: [], defaultAction: { type: 'fixed-response', statusCode: '404' }, rules: [] }],
    targetGroups: [],
    certificates: [],
  };
}

const diagnostics: Diagnostic[] = [
  {
    severity: 'error',
    object: { kind: 'Ingress', namespace: 'default', name: 'web' },
    field: 'spec.rules[0].host',
    message: 'host "Foo_bar" is not a valid DNS name',
    source: { file: 'examples/shop.yaml', document: 2 },
  },
  {
    severity: 'warning',
    object: { kind: 'Service', namespace: 'default', name: 'api' },
    field: 'spec.ports[0].name',
    message: 'port name "web" is not declared',
  },
  {
    severity: 'error',
    object: { kind: 'Ingress', namespace: 'ops', name: 'admin' },
    field: 'metadata.annotations["alb.ingress.kubernetes.io/scheme"]',
    message: 'scheme "public" is not internet-facing or internal',
  },
  {
    severity: 'info',
    object: { kind: 'IngressClass', name: 'other' },
    field: 'spec.controller',
    message: 'class is not ours; its Ingresses are ignored',
  },
];

describe('renderElbv2PlanDocument', () => {
  const document = renderElbv2PlanDocument([shopSpec(), adminSpec()], diagnostics);
  const shop = document.Stacks[0]!;
  const https = shop.Listeners[1]!;

  it('renders the load balancer with sorted attributes and tags', () => {
    assert.deepEqual(shop.Stack, {
      Id: 'group/shop',
      Members: [
        { Namespace: 'default', Name: 'web' },
        { Namespace: 'default', Name: 'api' },
      ],
    });
    assert.deepEqual(shop.LoadBalancer, {
      Name: 'k8s-shop-0123abcd',
      Scheme: 'internet-facing',
      IpAddressType: 'ipv4',
      SubnetDiscovery: true,
      ManagedSecurityGroup: { InboundCidrs: ['0.0.0.0/0'] },
      Attributes: [
        { Key: 'deletion_protection.enabled', Value: 'false' },
        { Key: 'idle_timeout.timeout_seconds', Value: '120' },
      ],
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'shop' },
      ],
    });
    const admin = document.Stacks[1]!.LoadBalancer;
    assert.deepEqual(admin, {
      Name: 'k8s-admin-99887766',
      Scheme: 'internal',
      IpAddressType: 'dualstack',
      Subnets: ['subnet-a', 'subnet-b'],
      SecurityGroups: ['sg-1'],
      Attributes: [],
      Tags: [],
    });
  });

  it('renders listeners with certificate references and default actions', () => {
    const http = shop.Listeners[0]!;
    assert.equal(http.Protocol, 'HTTP');
    assert.equal('SslPolicy' in http, false);
    assert.deepEqual(http.Certificates, []);
    assert.deepEqual(http.DefaultActions, [{ Type: 'redirect', Order: 1, RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS', Port: '443' } }]);
    assert.equal(https.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.deepEqual(https.Certificates, [
      { CertificateArn: '${Certificate:default/web-tls}', IsDefault: true },
      { CertificateArn: ACM_ARN, IsDefault: false },
    ]);
    assert.deepEqual(https.DefaultActions, [
      {
        Type: 'fixed-response',
        Order: 1,
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'not found' },
      },
    ]);
  });

  it('sorts rules by priority and uses the *Config condition forms', () => {
    assert.deepEqual(
      https.Rules.map((rule) => rule.Priority),
      [10, 20, 30, 40],
    );
    const [exact, prefix, regex, misc] = https.Rules;
    assert.deepEqual(exact!.Conditions, [
      { Field: 'host-header', HostHeaderConfig: { Values: ['foo.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api'] } },
    ]);
    assert.deepEqual(exact!.Origin, {
      Ingress: { Namespace: 'default', Name: 'web' },
      Host: 'foo.example.com',
      Path: '/api',
      PathType: 'Exact',
    });
    assert.deepEqual(prefix!.Conditions[1], { Field: 'path-pattern', PathPatternConfig: { Values: ['/web', '/web/*'] } });
    assert.deepEqual(regex!.Conditions, [{ Field: 'host-header', HostHeaderConfig: { RegexValues: [WILDCARD_HOST] } }]);
    assert.deepEqual(misc!.Conditions, [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['always'] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '2' }, { Value: 'beta' }] } },
      { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } },
    ]);
    assert.deepEqual(misc!.Origin, { Ingress: { Namespace: 'default', Name: 'web' } });
  });

  it('renders forward actions with weights, stickiness and target-group placeholders', () => {
    assert.deepEqual(https.Rules[0]!.Actions, [
      { Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: [{ TargetGroupArn: `\${TargetGroup:${API}}`, Weight: 1 }] } },
    ]);
    assert.deepEqual(https.Rules[2]!.Actions, [
      {
        Type: 'forward',
        Order: 1,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: `\${TargetGroup:${API}}`, Weight: 3 },
            { TargetGroupArn: `\${TargetGroup:${WEB}}`, Weight: 1 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
      },
    ]);
  });

  it('renders target groups with health checks and targets', () => {
    const [ip, instance] = shop.TargetGroups;
    assert.equal(ip!.Key, API);
    assert.equal(ip!.TargetType, 'ip');
    assert.equal(ip!.HealthCheckPort, 'traffic-port');
    assert.deepEqual(ip!.Matcher, { HttpCode: '200-299' });
    assert.deepEqual(ip!.Attributes, [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]);
    assert.equal(ip!.Targets.length, 12);
    assert.deepEqual(ip!.Targets[0], { Id: '10.0.0.1', Port: 8080, AvailabilityZone: 'us-east-1a' });
    assert.equal(instance!.HealthCheckPort, '8081');
    assert.deepEqual(instance!.Service, { Namespace: 'default', Name: 'web', Port: 'http' });
    assert.deepEqual(instance!.Tags, [{ Key: 'tier', Value: 'frontend' }]);
    assert.deepEqual(instance!.Targets, [
      { Id: 'i-0abc123def', Port: 30080 },
      { Id: 'kind://docker/kind/node-b', Port: 30080 },
    ]);
  });

  it('renders certificates by source and diagnostics with their fields', () => {
    assert.deepEqual(shop.Certificates, [
      {
        Key: 'default/web-tls',
        Source: { SecretNamespace: 'default', SecretName: 'web-tls' },
        Hosts: ['foo.example.com'],
        Fingerprint: 'sha256:abcdef',
      },
      { Key: 'acm/shop', Source: { CertificateArn: ACM_ARN }, Hosts: ['*.example.com'] },
    ]);
    assert.deepEqual(document.Diagnostics[0], {
      Severity: 'error',
      Object: { Kind: 'Ingress', Namespace: 'default', Name: 'web' },
      Field: 'spec.rules[0].host',
      Message: 'host "Foo_bar" is not a valid DNS name',
      Source: { File: 'examples/shop.yaml', Document: 2 },
    });
    assert.deepEqual(document.Diagnostics[3]!.Object, { Kind: 'IngressClass', Name: 'other' });
    assert.equal('Source' in document.Diagnostics[3]!, false);
  });

  it('round-trips through JSON unchanged', () => {
    assert.deepStrictEqual(JSON.parse(JSON.stringify(document)), document);
  });

  it('leaves the input spec untouched', () => {
    const spec = shopSpec();
    renderElbv2PlanDocument([spec], []);
    assert.deepEqual(spec, shopSpec());
  });
});

describe('ELBv2 shape helpers', () => {
  it('parses instance ids from AWS providerIDs only', () => {
    assert.equal(instanceIdFromProviderId('aws:///eu-west-1b/i-0123456789abcdef0'), 'i-0123456789abcdef0');
    assert.equal(instanceIdFromProviderId('aws:///us-east-1a/fargate-ip-10-0-0-1'), 'aws:///us-east-1a/fargate-ip-10-0-0-1');
    assert.equal(instanceIdFromProviderId('gce://project/zone/node'), 'gce://project/zone/node');
  });

  it('uses GrpcCode for gRPC target groups', () => {
    const grpc = toElbv2HealthCheck({ ...healthCheck, successCodes: '0-12' }, 'GRPC');
    assert.deepEqual(grpc.Matcher, { GrpcCode: '0-12' });
  });
});

describe('renderPlanText', () => {
  const text = renderPlanText([shopSpec(), adminSpec()], diagnostics);
  const lines = text.split('\n');
  const at = (line: string): number => {
    const index = lines.indexOf(line);
    assert.notEqual(index, -1, `missing line: ${JSON.stringify(line)}\n${text}`);
    return index;
  };

  it('shows the load balancer header, listeners and certificates by key and source', () => {
    assert.equal(lines[0], 'load balancer group/shop');
    at('  name             k8s-shop-0123abcd');
    at('  scheme           internet-facing, ipv4');
    at('  members          default/web, default/api');
    at('  listener HTTP :80');
    at('  listener HTTPS :443  ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06');
    at('    certificate default/web-tls (default)  secret default/web-tls, hosts foo.example.com');
    at(`    certificate acm/shop  arn ${ACM_ARN}, hosts *.example.com`);
  });

  it('lists rules in priority order, one per line, with regex values marked', () => {
    const rule10 = at('    10  host=foo.example.com path=/api  → forward default/api:80/ip (weight 1)');
    const rule20 = at('    20  host=foo.example.com path=/web,/web/*  → forward default/web:80/instance (weight 1)');
    const rule30 = at(`    30  host=~${WILDCARD_HOST}  → forward ${API} (weight 3), ${WEB} (weight 1), sticky 60s`);
    const rule40 = at('    40  header:X-Canary=always method=GET,HEAD query=version:2,beta source-ip=10.0.0.0/8  → fixed-response 503');
    assert.ok(rule10 < rule20 && rule20 < rule30 && rule30 < rule40);
    assert.ok(at('    default  → fixed-response 404 text/plain "not found"') > rule40);
    assert.ok(at('    default  → redirect 301 protocol=HTTPS port=443') < rule10);
  });

  it('shows at most ten targets per group, and instance targets by node name', () => {
    at('  target group default/api:80/ip  HTTP :8080 ip  name k8s-shop-api-5f5f5f5f');
    at('    10.0.0.10:8080');
    assert.equal(lines.includes('    10.0.0.11:8080'), false);
    at('    … and 2 more');
    at('    ip-10-0-1-5.ec2.internal:30080');
    at('    node-b:30080');
  });

  it('groups diagnostics under the stack they concern, the rest at the end', () => {
    const shopEnd = at('load balancer ops/admin');
    const webError = at('    error   default/web  spec.rules[0].host: host "Foo_bar" is not a valid DNS name  (examples/shop.yaml#2)');
    const serviceWarning = at('    warning Service default/api  spec.ports[0].name: port name "web" is not declared');
    assert.ok(webError < shopEnd && serviceWarning < shopEnd);
    const adminError = at(
      '    error   ops/admin  metadata.annotations["alb.ingress.kubernetes.io/scheme"]: scheme "public" is not internet-facing or internal',
    );
    const trailing = at('diagnostics');
    assert.ok(shopEnd < adminError && adminError < trailing);
    assert.ok(at('  info    IngressClass other  spec.controller: class is not ours; its Ingresses are ignored') > trailing);
  });

  it('ends with a summary of counts', () => {
    assert.equal(lines.at(-1), '');
    assert.equal(lines.at(-2), '2 load balancers, 3 listeners, 4 rules, 2 target groups, 14 targets; 2 errors, 1 warning');
    assert.equal(
      renderPlanText([adminSpec()], []).trimEnd().split('\n').at(-1),
      '1 load balancer, 1 listener, 0 rules, 0 target groups, 0 targets; 0 errors, 0 warnings',
    );
  });

  // A function's target group is a target group of the load balancer, with one target: the function.
  const withFunctions = (names: string[]): LoadBalancerSpec => ({
    ...adminSpec(),
    ...(names.length > 0 && {
      functionTargetGroups: names.map((name) => ({ key: `function:${name}`, name: `k8s-fn-${name}`, function: { name }, multiValueHeaders: false, tags: {} })),
    }),
  });
  const summaries: [string[][], string][] = [
    [[[]], '0 target groups, 0 targets'],
    [[['upload']], '1 target group, 1 target'],
    [[['upload', 'thumbnails'], ['resize']], '3 target groups, 3 targets'],
  ];
  for (const [functions, counted] of summaries) {
    it(`counts function target groups in the summary: ${functions.map((names) => names.length).join(' + ')} → ${counted}`, () => {
      const summary = renderPlanText(functions.map(withFunctions), []).trimEnd().split('\n').at(-1) ?? '';
      assert.ok(summary.includes(`rules, ${counted};`), summary);
    });
  }
});
