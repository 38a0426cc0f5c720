/**
 * Every annotation translate reads, through to the LoadBalancerSpec it shapes: Ingress YAML in, the
 * spec's fields (and, for routing annotations, the route a request takes) out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec, TargetGroupSpec } from '../../src/model.js';
import { evaluateAlbRequest, routeOf } from '../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, testOptions, translateYaml, type IngressFixture } from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const OWN = 'ingress-bridge.io/';
const ARN_A = 'arn:aws:acm:us-east-1:123456789012:certificate/aaaa';
const ARN_B = 'arn:aws:acm:us-east-1:123456789012:certificate/bbbb';

const SERVICES = ['app', 'blue', 'green', 'stable', 'canary']
  .map((name, index) => serviceYaml({ name, nodePort: 30080 + index, endpoints: [`10.0.0.${index + 1}`] }))
  .join('');

function translate(ingresses: IngressFixture[], extraYaml = '') {
  return translateYaml(INGRESS_CLASS_YAML + NODE_YAML + SERVICES + extraYaml + ingresses.map(ingressYaml).join(''));
}

/** One Ingress routing every path to `app`, with these annotations. */
function specWith(annotations: Record<string, string>, fixture: Partial<IngressFixture> = {}): LoadBalancerSpec {
  return onlySpec(translate([{ name: 'web', annotations, rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }], ...fixture }]));
}

function onlyTargetGroup(spec: LoadBalancerSpec): TargetGroupSpec {
  assert.equal(spec.targetGroups.length, 1, JSON.stringify(spec.targetGroups.map((group) => group.key)));
  return spec.targetGroups[0] as TargetGroupSpec;
}

const listenerOn = (spec: LoadBalancerSpec, port: number) => spec.listeners.find((listener) => listener.port === port);

interface SpecCase {
  key: string;
  value: string;
  read: (spec: LoadBalancerSpec) => unknown;
  expected: unknown;
  /** Annotations the case needs besides its own key. */
  with?: Record<string, string>;
}

const SPEC_CASES: SpecCase[] = [
  { key: 'scheme', value: 'internet-facing', read: (spec) => spec.scheme, expected: 'internet-facing' },
  {
    key: 'ip-address-type',
    value: 'dualstack',
    read: (spec) => [spec.ipAddressType, spec.securityGroups],
    expected: ['dualstack', { kind: 'managed', inboundCidrs: ['0.0.0.0/0', '::/0'] }],
  },
  { key: 'subnets', value: 'subnet-0a, subnet-0b', read: (spec) => spec.subnets, expected: { kind: 'ids', ids: ['subnet-0a', 'subnet-0b'] } },
  { key: 'security-groups', value: 'sg-01,sg-02', read: (spec) => spec.securityGroups, expected: { kind: 'ids', ids: ['sg-01', 'sg-02'] } },
  {
    key: 'inbound-cidrs',
    value: '10.0.0.0/8,192.168.0.0/16',
    read: (spec) => spec.securityGroups,
    expected: { kind: 'managed', inboundCidrs: ['10.0.0.0/8', '192.168.0.0/16'] },
  },
  {
    key: 'load-balancer-attributes',
    value: 'idle_timeout.timeout_seconds=120',
    read: (spec) => spec.attributes,
    expected: { 'idle_timeout.timeout_seconds': '120' },
  },
  { key: 'load-balancer-name', value: 'shop-web', read: (spec) => spec.stack.name, expected: 'shop-web' },
  {
    key: 'tags',
    value: 'team=web,env=prod',
    read: (spec) => [spec.tags, onlyTargetGroup(spec).tags],
    expected: [
      { team: 'web', env: 'prod' },
      { team: 'web', env: 'prod' },
    ],
  },
  {
    key: 'target-group-attributes',
    value: 'deregistration_delay.timeout_seconds=30',
    read: (spec) => onlyTargetGroup(spec).attributes,
    expected: { 'deregistration_delay.timeout_seconds': '30' },
  },
  { key: 'backend-protocol', value: 'HTTPS', read: (spec) => onlyTargetGroup(spec).protocol, expected: 'HTTPS' },
  {
    key: 'backend-protocol-version',
    value: 'GRPC',
    read: (spec) => [onlyTargetGroup(spec).protocolVersion, onlyTargetGroup(spec).healthCheck.path, onlyTargetGroup(spec).healthCheck.successCodes],
    expected: ['GRPC', '/AWS.ALB/healthcheck', '12'],
  },
  {
    key: 'backend-protocol-version',
    value: 'HTTP2',
    read: (spec) => [onlyTargetGroup(spec).protocolVersion, onlyTargetGroup(spec).healthCheck.path, onlyTargetGroup(spec).healthCheck.successCodes],
    expected: ['HTTP2', '/', '200'],
  },
  { key: 'healthcheck-path', value: '/healthz', read: (spec) => onlyTargetGroup(spec).healthCheck.path, expected: '/healthz' },
  { key: 'healthcheck-port', value: '9000', read: (spec) => onlyTargetGroup(spec).healthCheck.port, expected: 9000 },
  // A port name resolves to the port health checks reach under the target type: the NodePort for instance.
  { key: 'healthcheck-port', value: 'http', read: (spec) => onlyTargetGroup(spec).healthCheck.port, expected: 30080 },
  { key: 'healthcheck-port', value: 'http', with: { 'target-type': 'ip' }, read: (spec) => onlyTargetGroup(spec).healthCheck.port, expected: 8080 },
  { key: 'healthcheck-protocol', value: 'HTTPS', read: (spec) => onlyTargetGroup(spec).healthCheck.protocol, expected: 'HTTPS' },
  { key: 'healthcheck-interval-seconds', value: '30', read: (spec) => onlyTargetGroup(spec).healthCheck.intervalSeconds, expected: 30 },
  { key: 'healthcheck-timeout-seconds', value: '10', read: (spec) => onlyTargetGroup(spec).healthCheck.timeoutSeconds, expected: 10 },
  { key: 'healthy-threshold-count', value: '3', read: (spec) => onlyTargetGroup(spec).healthCheck.healthyThresholdCount, expected: 3 },
  { key: 'unhealthy-threshold-count', value: '4', read: (spec) => onlyTargetGroup(spec).healthCheck.unhealthyThresholdCount, expected: 4 },
  { key: 'success-codes', value: '200-299', read: (spec) => onlyTargetGroup(spec).healthCheck.successCodes, expected: '200-299' },
  {
    key: 'target-type',
    value: 'instance',
    read: (spec) => [onlyTargetGroup(spec).targetType, onlyTargetGroup(spec).port, onlyTargetGroup(spec).targets],
    expected: ['instance', 30080, [{ id: 'aws:///us-east-1a/i-0aaaaaaaaaaaaaaaa', ip: '10.1.0.1', port: 30080, node: 'node-a' }]],
  },
  {
    key: 'target-type',
    value: 'ip',
    read: (spec) => [onlyTargetGroup(spec).key, onlyTargetGroup(spec).targetType, onlyTargetGroup(spec).port, onlyTargetGroup(spec).targets],
    expected: ['default/app:80/ip', 'ip', 8080, [{ id: '10.0.0.1', ip: '10.0.0.1', port: 8080, zone: 'us-east-1a' }]],
  },
  {
    key: 'certificate-arn',
    value: `${ARN_A},${ARN_B}`,
    read: (spec) => [spec.certificates.map((c) => c.source), listenerOn(spec, 443)?.certificateKeys],
    expected: [
      [
        { kind: 'arn', arn: ARN_A },
        { kind: 'arn', arn: ARN_B },
      ],
      [`arn:${ARN_A}`, `arn:${ARN_B}`],
    ],
  },
  {
    key: 'ssl-policy',
    value: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    with: { 'certificate-arn': ARN_A },
    read: (spec) => [listenerOn(spec, 443)?.sslPolicy, listenerOn(spec, 80)?.sslPolicy],
    expected: ['ELBSecurityPolicy-TLS13-1-2-2021-06', undefined],
  },
  {
    key: 'ssl-redirect',
    value: '443',
    with: { 'certificate-arn': ARN_A },
    read: (spec) => [listenerOn(spec, 80)?.defaultAction, listenerOn(spec, 80)?.rules, routeOf(spec, 'https://x.test/a')],
    expected: [{ type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' }, [], 'default/app:80'],
  },
  {
    key: 'listen-ports',
    value: '[{"HTTP":8080},{"HTTPS":8443}]',
    with: { 'certificate-arn': ARN_A },
    read: (spec) => spec.listeners.map((listener) => [listener.port, listener.protocol, routeOf(spec, 'http://x.test/a', { port: listener.port })]),
    expected: [
      [8080, 'HTTP', 'default/app:80'],
      [8443, 'HTTPS', 'default/app:80'],
    ],
  },
];

describe('annotations shape the spec', () => {
  for (const [index, entry] of SPEC_CASES.entries()) {
    const prefix = index % 2 === 0 ? ALB : OWN;
    it(`${prefix}${entry.key}: ${entry.value}`, () => {
      const extra = Object.fromEntries(Object.entries(entry.with ?? {}).map(([key, value]) => [`${prefix}${key}`, value]));
      assert.deepEqual(entry.read(specWith({ [`${prefix}${entry.key}`]: entry.value, ...extra })), entry.expected);
    });
  }

  it('without annotations: the configured scheme, discovered subnets, a managed group open to the world, instance targets', () => {
    const spec = specWith({});
    assert.deepEqual(
      [spec.scheme, spec.ipAddressType, spec.subnets, spec.securityGroups, spec.listeners.map((listener) => listener.port), onlyTargetGroup(spec).targetType],
      ['internal', 'ipv4', { kind: 'discover' }, { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] }, [80], 'instance'],
    );
    assert.deepEqual(onlyTargetGroup(spec).healthCheck, {
      protocol: 'HTTP',
      port: 'traffic-port',
      path: '/',
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      successCodes: '200',
    });
  });

  it('listen-ports puts every rule of the Ingress on each of its ports', () => {
    const spec = specWith(
      { [`${ALB}listen-ports`]: '[{"HTTP":80},{"HTTP":8080}]' },
      {
        rules: [
          {
            host: 'h.test',
            paths: [
              { path: '/a', pathType: 'Prefix', service: 'blue' },
              { path: '/b', pathType: 'Prefix', service: 'green' },
            ],
          },
        ],
      },
    );
    for (const port of [80, 8080]) {
      assert.equal(listenerOn(spec, port)?.rules.length, 2);
      assert.deepEqual(
        [routeOf(spec, 'http://h.test/a', { port }), routeOf(spec, 'http://h.test/b', { port }), routeOf(spec, 'http://h.test/c', { port })],
        ['default/blue:80', 'default/green:80', '404'],
      );
    }
  });
});

describe('ssl-redirect in a group', () => {
  it('redirects per rule when only some members redirect', () => {
    const group = { [`${ALB}group.name`]: 'shop' };
    const translated = translate([
      {
        name: 'secure',
        annotations: { ...group, [`${ALB}ssl-redirect`]: '443', [`${ALB}certificate-arn`]: ARN_A },
        rules: [{ paths: [{ path: '/pay', pathType: 'Prefix', service: 'blue' }] }],
      },
      { name: 'plain', annotations: group, rules: [{ paths: [{ path: '/docs', pathType: 'Prefix', service: 'green' }] }] },
    ]);
    const spec = onlySpec(translated);
    assert.deepEqual(listenerOn(spec, 80)?.defaultAction, { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'Not Found' });
    const redirect = evaluateAlbRequest(spec, { url: 'http://shop.test/pay/now?x=1' });
    assert.deepEqual(redirect.kind === 'redirect' ? [redirect.statusCode, redirect.location] : redirect, [301, 'https://shop.test/pay/now?x=1']);
    assert.deepEqual(
      [routeOf(spec, 'http://shop.test/docs'), routeOf(spec, 'https://shop.test/pay'), routeOf(spec, 'https://shop.test/docs')],
      ['default/green:80', 'default/blue:80', '404'],
    );
  });
});

describe('group.name and group.order', () => {
  it('Ingresses of several namespaces share one load balancer, merged in group order (with --allow-cross-namespace-groups)', () => {
    const member = (name: string, namespace: string, order: string, path: string): IngressFixture => ({
      name,
      namespace,
      annotations: { [`${ALB}group.name`]: 'shared', [`${OWN}group.order`]: order },
      rules: [{ paths: [{ path, pathType: 'Prefix', service: 'app' }] }],
    });
    const extra = serviceYaml({ name: 'app', namespace: 'team-b', nodePort: 30200 });
    const yaml =
      INGRESS_CLASS_YAML +
      NODE_YAML +
      SERVICES +
      extra +
      [member('zeta', 'default', '-5', '/z'), member('alpha', 'team-b', '7', '/a')].map(ingressYaml).join('');
    const translated = translateYaml(yaml, testOptions({ allowCrossNamespaceGroups: true }));
    const spec = onlySpec(translated);
    assert.equal(spec.stack.id, 'shared');
    assert.deepEqual(spec.stack.members, [
      { namespace: 'default', name: 'zeta' },
      { namespace: 'team-b', name: 'alpha' },
    ]);
    assert.deepEqual([routeOf(spec, 'http://x.test/z'), routeOf(spec, 'http://x.test/a')], ['default/app:80', 'team-b/app:80']);
  });
});

describe('actions.<name> via backend port use-annotation', () => {
  const withAction = (action: string): LoadBalancerSpec =>
    specWith(
      { [`${ALB}actions.special`]: action },
      {
        rules: [
          {
            paths: [
              { path: '/', pathType: 'Prefix', service: 'app' },
              { path: '/special', pathType: 'Prefix', service: 'special', port: 'use-annotation' },
            ],
          },
        ],
      },
    );

  it('fixed-response', () => {
    const spec = withAction('{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"403","messageBody":"no"}}');
    assert.deepEqual(evaluateAlbRequest(spec, { url: 'http://x.test/special/x' }).rule?.actions, [
      { type: 'fixed-response', statusCode: '403', contentType: 'text/plain', messageBody: 'no' },
    ]);
    assert.deepEqual([routeOf(spec, 'http://x.test/special'), routeOf(spec, 'http://x.test/other')], ['403', 'default/app:80']);
  });

  it('redirect', () => {
    const spec = withAction('{"type":"redirect","redirectConfig":{"host":"new.example.com","path":"/moved","statusCode":"HTTP_302"}}');
    const route = evaluateAlbRequest(spec, { url: 'http://x.test/special/a?q=1' });
    assert.deepEqual(route.kind === 'redirect' ? [route.statusCode, route.location] : route, [302, 'http://new.example.com/moved?q=1']);
  });

  it('weighted forward across two Services with stickiness', () => {
    const spec = withAction(
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"blue","servicePort":"80","weight":80},{"serviceName":"green","servicePort":"http","weight":20}],' +
        '"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":600}}}',
    );
    assert.deepEqual(evaluateAlbRequest(spec, { url: 'http://x.test/special' }).rule?.actions, [
      {
        type: 'forward',
        targetGroups: [
          { targetGroupKey: 'default/blue:80/instance', weight: 80 },
          { targetGroupKey: 'default/green:80/instance', weight: 20 },
        ],
        stickiness: { enabled: true, durationSeconds: 600 },
      },
    ]);
    assert.deepEqual(
      spec.targetGroups.map((group) => [group.key, group.port]),
      [
        ['default/app:80/instance', 30080],
        ['default/blue:80/instance', 30081],
        ['default/green:80/instance', 30082],
      ],
    );
  });
});

describe('conditions.<name>', () => {
  interface ConditionCase {
    field: string;
    condition: object;
    host?: string;
    matches: { url: string; options?: Parameters<typeof routeOf>[2] };
    misses: { url: string; options?: Parameters<typeof routeOf>[2] };
  }
  const CONDITION_CASES: ConditionCase[] = [
    {
      field: 'host-header',
      condition: { field: 'host-header', hostHeaderConfig: { values: ['api.example.com'] } },
      matches: { url: 'http://api.example.com/v1' },
      misses: { url: 'http://www.example.com/v1' },
    },
    {
      field: 'http-header',
      condition: { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['staging'] } },
      matches: { url: 'http://x.test/v1', options: { headers: { 'x-env': 'staging' } } },
      misses: { url: 'http://x.test/v1' },
    },
    {
      field: 'http-request-method',
      condition: { field: 'http-request-method', httpRequestMethodConfig: { values: ['POST'] } },
      matches: { url: 'http://x.test/v1', options: { method: 'POST' } },
      misses: { url: 'http://x.test/v1', options: { method: 'GET' } },
    },
    {
      field: 'query-string',
      condition: { field: 'query-string', queryStringConfig: { values: [{ key: 'beta', value: 'on' }] } },
      matches: { url: 'http://x.test/v1?beta=on' },
      misses: { url: 'http://x.test/v1?beta=off' },
    },
    {
      field: 'source-ip',
      condition: { field: 'source-ip', sourceIpConfig: { values: ['192.168.0.0/16'] } },
      matches: { url: 'http://x.test/v1', options: { sourceIp: '192.168.4.2' } },
      misses: { url: 'http://x.test/v1', options: { sourceIp: '10.9.9.9' } },
    },
  ];

  for (const entry of CONDITION_CASES) {
    it(`${entry.field} is ANDed with the rule's own path`, () => {
      const spec = specWith(
        { [`${ALB}conditions.app`]: JSON.stringify([entry.condition]) },
        { rules: [{ paths: [{ path: '/v1', pathType: 'Prefix', service: 'app' }] }] },
      );
      const [rule] = listenerOn(spec, 80)?.rules ?? [];
      assert.deepEqual(
        rule?.conditions.map((condition) => condition.field),
        ['path-pattern', entry.field],
      );
      assert.deepEqual(
        [
          routeOf(spec, entry.matches.url, entry.matches.options),
          routeOf(spec, entry.misses.url, entry.misses.options),
          routeOf(spec, entry.matches.url.replace('/v1', '/v2'), entry.matches.options),
        ],
        ['default/app:80', '404', '404'],
      );
    });
  }

  it('path-pattern values join the rule path as alternatives, as aws-load-balancer-controller merges them', () => {
    const spec = specWith(
      { [`${OWN}conditions.app`]: '[{"field":"path-pattern","pathPatternConfig":{"values":["/legacy/*"]}}]' },
      { rules: [{ paths: [{ path: '/v1', pathType: 'Prefix', service: 'app' }] }] },
    );
    assert.deepEqual(listenerOn(spec, 80)?.rules[0]?.conditions, [{ field: 'path-pattern', values: ['/v1', '/v1/*', '/legacy/*'] }]);
    assert.deepEqual(
      [routeOf(spec, 'http://x.test/v1/a'), routeOf(spec, 'http://x.test/legacy/a'), routeOf(spec, 'http://x.test/other')],
      ['default/app:80', 'default/app:80', '404'],
    );
  });

  it('all conditions of one annotation must hold together', () => {
    const conditions = [
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['staging'] } },
      { field: 'http-request-method', httpRequestMethodConfig: { values: ['GET'] } },
      { field: 'source-ip', sourceIpConfig: { values: ['10.0.0.0/8'] } },
    ];
    const spec = specWith({ [`${ALB}conditions.app`]: JSON.stringify(conditions) });
    const good = { headers: { 'X-Env': 'staging' }, method: 'GET', sourceIp: '10.1.2.3' };
    assert.deepEqual(
      [
        routeOf(spec, 'http://x.test/', good),
        routeOf(spec, 'http://x.test/', { ...good, headers: {} }),
        routeOf(spec, 'http://x.test/', { ...good, method: 'PUT' }),
        routeOf(spec, 'http://x.test/', { ...good, sourceIp: '172.16.0.1' }),
      ],
      ['default/app:80', '404', '404', '404'],
    );
  });

  it('a rule with a header condition comes before the same path without it, whatever the path order', () => {
    const canary = { [`${ALB}conditions.canary`]: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["always"]}}]' };
    const paths = [
      { path: '/', pathType: 'Prefix', service: 'stable' },
      { path: '/', pathType: 'Prefix', service: 'canary' },
    ];
    for (const order of [paths, [...paths].reverse()]) {
      const spec = specWith(canary, { rules: [{ host: 'shop.test', paths: order }] });
      const services = listenerOn(spec, 80)?.rules.map((rule) =>
        rule.actions.map((action) => (action.type === 'forward' ? action.targetGroups[0]?.targetGroupKey : action.type)),
      );
      assert.deepEqual(services, [['default/canary:80/instance'], ['default/stable:80/instance']]);
      assert.deepEqual(
        [
          routeOf(spec, 'http://shop.test/cart', { headers: { 'x-canary': 'always' } }),
          routeOf(spec, 'http://shop.test/cart'),
          routeOf(spec, 'http://shop.test/cart', { headers: { 'x-canary': 'never' } }),
        ],
        ['default/canary:80', 'default/stable:80', 'default/stable:80'],
      );
    }
  });
});

describe('Service annotations', () => {
  it('override the Ingress for target-group settings; tags merge with the Service winning', () => {
    const tuned = serviceYaml({
      name: 'tuned',
      nodePort: 30300,
      endpoints: ['10.2.0.1'],
      annotations: { [`${ALB}target-type`]: 'ip', [`${OWN}healthcheck-path`]: '/svc-health', [`${ALB}tags`]: 'owner=svc', [`${ALB}backend-protocol`]: 'HTTPS' },
    });
    const translated = translate(
      [
        {
          name: 'web',
          annotations: {
            [`${ALB}target-type`]: 'instance',
            [`${ALB}healthcheck-path`]: '/ingress-health',
            [`${ALB}healthcheck-interval-seconds`]: '20',
            [`${ALB}tags`]: 'owner=ingress,team=web',
          },
          rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'tuned' }] }],
        },
      ],
      tuned,
    );
    const group = onlyTargetGroup(onlySpec(translated));
    assert.deepEqual(
      [
        group.key,
        group.targetType,
        group.protocol,
        group.healthCheck.path,
        group.healthCheck.intervalSeconds,
        group.tags,
        group.targets.map((target) => target.ip),
      ],
      ['default/tuned:80/ip', 'ip', 'HTTPS', '/svc-health', 20, { owner: 'svc', team: 'web' }, ['10.2.0.1']],
    );
  });
});

describe('tags across a group', () => {
  it('keep the earlier member value on a clash, and warn the later member on its tags annotation', () => {
    // Each member its own Service, so that no target group is shared with other tags.
    const member = (name: string, order: string, tags: string, service: string): IngressFixture => ({
      name,
      annotations: { [`${ALB}group.name`]: 'g', [`${ALB}group.order`]: order, [`${ALB}tags`]: tags },
      rules: [{ paths: [{ path: `/${name}`, pathType: 'Prefix', service }] }],
    });
    const translated = translate([member('first', '1', 'env=prod,team=a', 'blue'), member('second', '2', 'env=dev,cost=42', 'green')]);
    assert.deepEqual(onlySpec(translated).tags, { env: 'prod', team: 'a', cost: '42' });
    const warnings = translated.diagnostics.filter((entry) => entry.severity === 'warning');
    assert.deepEqual(
      warnings.map((entry) => [entry.object.name, entry.field]),
      [['second', `metadata.annotations["${ALB}tags"]`]],
    );
  });
});

describe('IngressClass', () => {
  const OTHER_CLASS = 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}\n---\n';
  const defaultClass = (name: string, controller: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ${name}\n  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}\nspec: {controller: ${controller}}\n---\n`;
  const paths = [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }];
  const CASES: { name: string; classes: string; ingress: Partial<IngressFixture>; ours: boolean }[] = [
    { name: 'spec.ingressClassName naming our class', classes: INGRESS_CLASS_YAML, ingress: {}, ours: true },
    {
      name: "spec.ingressClassName naming another controller's class",
      classes: INGRESS_CLASS_YAML + OTHER_CLASS,
      ingress: { ingressClassName: 'nginx' },
      ours: false,
    },
    {
      name: 'no class, and our IngressClass is the default',
      classes: defaultClass('ingress-bridge', 'ingress-bridge.io/controller'),
      ingress: { ingressClassName: null },
      ours: true,
    },
    {
      name: "no class, and the default IngressClass is another controller's",
      classes: INGRESS_CLASS_YAML + defaultClass('nginx', 'k8s.io/ingress-nginx'),
      ingress: { ingressClassName: null },
      ours: false,
    },
    { name: 'no class and no default IngressClass', classes: INGRESS_CLASS_YAML, ingress: { ingressClassName: null }, ours: false },
    {
      name: 'legacy kubernetes.io/ingress.class naming our class',
      classes: INGRESS_CLASS_YAML,
      ingress: { ingressClassName: null, annotations: { 'kubernetes.io/ingress.class': 'ingress-bridge' } },
      ours: true,
    },
    {
      name: 'legacy annotation naming another class wins over spec.ingressClassName',
      classes: INGRESS_CLASS_YAML + OTHER_CLASS,
      ingress: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      ours: false,
    },
  ];
  for (const entry of CASES) {
    it(`${entry.name}: ${entry.ours ? 'translated' : 'not ours, no spec'}`, () => {
      const translated = translateYaml(entry.classes + NODE_YAML + SERVICES + ingressYaml({ name: 'web', rules: paths, ...entry.ingress }));
      assert.deepEqual(
        translated.specs.map((spec) => spec.stack),
        entry.ours ? [{ id: 'default/web', name: translated.specs[0]?.stack.name, members: [{ namespace: 'default', name: 'web' }] }] : [],
      );
      if (entry.ours) assert.equal(routeOf(onlySpec(translated), 'http://x.test/'), 'default/app:80');
      else assert.deepEqual([translated.results, translated.diagnostics], [[], []]);
    });
  }
});
