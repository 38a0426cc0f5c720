/**
 * The nginx annotation reader, from YAML to the load balancer spec: which Ingresses are adopted,
 * what each mapped annotation becomes, and the diagnostic of every annotation that is not mapped.
 * The requests themselves are sent over sockets in test/e2e/nginx-local.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INGRESS_CLASS_YAML, testOptions, translateYaml, type Translated } from '../../support/cluster.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { BASE_YAML, NGINX, NGINX_CLASS_YAML, nginxIngressYaml, type NginxIngressFixture } from './fixtures.js';

const NGINX_OPTIONS = testOptions({ ingressClass: 'nginx' });

function translateNginx(fixtures: NginxIngressFixture[], options = NGINX_OPTIONS, extra = ''): Translated {
  return translateYaml(BASE_YAML + NGINX_CLASS_YAML + extra + fixtures.map(nginxIngressYaml).join(''), options);
}

function servedNames(translated: Translated): string[] {
  return translated.specs.flatMap((spec) => spec.stack.members.map((member) => member.name)).sort();
}

const field = (key: string): string => `metadata.annotations["${NGINX}${key}"]`;

describe('--ingress-class: which Ingresses are ours', () => {
  const rewrite = { name: 'web', annotations: { 'rewrite-target': '/' }, paths: [{ path: '/api', pathType: 'Prefix', service: 'main' }] };
  const CASES: { name: string; options: Parameters<typeof testOptions>[0]; fixture: NginxIngressFixture; classes?: string; served: boolean; nginx: boolean }[] =
    [
      { name: "the default class leaves ingress-nginx's Ingresses alone", options: {}, fixture: rewrite, served: false, nginx: false },
      {
        name: 'naming nginx adopts them, whatever controller their IngressClass names',
        options: { ingressClass: 'nginx' },
        fixture: rewrite,
        served: true,
        nginx: true,
      },
      {
        name: 'the legacy kubernetes.io/ingress.class annotation, without any IngressClass',
        options: { ingressClass: 'nginx' },
        fixture: { ...rewrite, className: null, annotations: { ...rewrite.annotations, 'kubernetes.io/ingress.class': 'nginx' } },
        classes: '',
        served: true,
        nginx: true,
      },
      {
        name: 'several classes: ours and nginx',
        options: { ingressClass: 'ingress-bridge, nginx' },
        fixture: rewrite,
        served: true,
        nginx: true,
      },
      {
        name: "a named class of another controller is adopted but its annotations are not nginx's",
        options: { ingressClass: 'traefik' },
        fixture: { ...rewrite, className: 'traefik' },
        classes: 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: traefik}\nspec: {controller: traefik.io/ingress-controller}\n---\n',
        served: true,
        nginx: false,
      },
    ];
  for (const entry of CASES) {
    it(entry.name, () => {
      const translated = translateYaml(BASE_YAML + (entry.classes ?? NGINX_CLASS_YAML) + nginxIngressYaml(entry.fixture), testOptions(entry.options));
      assert.deepEqual(servedNames(translated), entry.served ? ['web'] : []);
      if (!entry.served) return;
      const rule = translated.specs[0]?.listeners[0]?.rules[0];
      assert.equal(rule?.transforms !== undefined, entry.nginx, 'rewrite-target is read only through the nginx reader');
      const foreign = translated.diagnostics.some((diagnostic) => diagnostic.message.includes("is ingress-nginx's and is not read"));
      assert.equal(foreign, !entry.nginx);
    });
  }

  it('an Ingress of our own class keeps our reader beside adopted ones', () => {
    const translated = translateYaml(
      BASE_YAML + INGRESS_CLASS_YAML + NGINX_CLASS_YAML + nginxIngressYaml({ ...rewrite, name: 'ours', className: 'ingress-bridge' }),
      testOptions({ ingressClass: 'ingress-bridge,nginx' }),
    );
    assert.deepEqual(servedNames(translated), ['ours']);
    assert.equal(translated.specs[0]?.listeners[0]?.rules[0]?.transforms, undefined);
  });
});

describe('mapped annotations → the spec', () => {
  it('rewrite-target without a regex rewrites the literal path anywhere in the request path, as nginx rewrite "(?i)<path>" does', () => {
    const spec = translateNginx([{ name: 'web', annotations: { 'rewrite-target': '/' }, paths: [{ path: '/api', pathType: 'Prefix', service: 'main' }] }])
      .specs[0];
    assert.deepEqual(spec?.listeners[0]?.rules[0]?.transforms, [{ type: 'url-rewrite', regex: '^[^?]*?(?i:/api)[^?]*', replace: '/' }]);
    // The path itself is an nginx regex now: anchored at the start only, case-insensitive.
    assert.equal(routeOf(spec ?? assert.fail(), 'http://app.test/APIs'), 'default/main:80');
  });

  it("a namespace's nginx Ingresses share one load balancer, as they share ingress-nginx's address; another namespace has its own", () => {
    const other = nginxIngressYaml({ name: 'elsewhere', host: 'x.test' }).replace('namespace: default', 'namespace: team-b');
    const translated = translateNginx(
      [
        { name: 'a', host: 'a.test' },
        { name: 'b', host: 'a.test', paths: [{ path: '/b', pathType: 'Prefix', service: 'other' }] },
      ],
      NGINX_OPTIONS,
      other,
    );
    assert.deepEqual(
      translated.results.map((result) => [result.stackId, result.members.map((member) => member.name)]),
      [
        ['nginx.default', ['a', 'b']],
        ['nginx.team-b', ['elsewhere']],
      ],
    );
    assert.equal(routeOf(translated.specs[0] ?? assert.fail(), 'http://a.test/b/c'), 'default/other:80');
    assert.equal(translated.specs[0]?.targetGroups[0]?.targetType, 'ip', 'ingress-nginx proxies to the Pods: ip targets');
  });

  it('app-root on a host whose paths are regexes still redirects only / itself', () => {
    const spec =
      translateNginx([{ name: 'web', annotations: { 'app-root': '/home', 'use-regex': 'true' }, paths: [{ path: '/', service: 'main' }] }]).specs[0] ??
      assert.fail();
    assert.equal(routeOf(spec, 'http://app.test/'), 'redirect:302');
    assert.equal(routeOf(spec, 'http://app.test/home'), 'default/main:80');
  });

  it('backend-protocol HTTPS, GRPC and GRPCS set the target group protocol and version', () => {
    for (const [value, protocol, version] of [
      ['HTTPS', 'HTTPS', 'HTTP1'],
      ['GRPC', 'HTTP', 'GRPC'],
      ['GRPCS', 'HTTPS', 'GRPC'],
      ['HTTP', 'HTTP', 'HTTP1'],
    ] as const) {
      const spec = translateNginx([{ name: 'web', annotations: { 'backend-protocol': value } }]).specs[0];
      assert.deepEqual([spec?.targetGroups[0]?.protocol, spec?.targetGroups[0]?.protocolVersion], [protocol, version], value);
    }
  });

  it('proxy-read-timeout and proxy-send-timeout set the idle timeout to the longer of the two', () => {
    const spec = translateNginx([{ name: 'web', annotations: { 'proxy-read-timeout': '120', 'proxy-send-timeout': '300' } }]).specs[0];
    assert.deepEqual(spec?.attributes, { 'idle_timeout.timeout_seconds': '300' });
  });

  it('ssl-redirect "false" serves HTTP as well as HTTPS for an Ingress with TLS', () => {
    const withTls = (annotations: Record<string, string>) =>
      translateNginx([{ name: 'web', tls: 'missing-secret', annotations }]).results[0]?.diagnostics.some((entry) =>
        entry.message.includes('redirected to HTTPS'),
      );
    assert.equal(withTls({}), true);
    assert.equal(withTls({ 'ssl-redirect': 'false' }), false);
  });

  it('our own annotation wins over what an nginx annotation maps to, with a warning naming both', () => {
    const translated = translateNginx([
      { name: 'web', annotations: { 'proxy-read-timeout': '120', 'ingress-bridge.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=30' } },
    ]);
    assert.deepEqual(translated.specs[0]?.attributes, { 'idle_timeout.timeout_seconds': '30' });
    const warning = translated.diagnostics.find((entry) => entry.field === field('proxy-read-timeout'));
    assert.match(warning?.message ?? '', /ingress-bridge\.io\/load-balancer-attributes/);
  });

  it('canary-weight-total over 999 is rescaled to the ALB weight range', () => {
    const spec = translateNginx([
      { name: 'web' },
      {
        name: 'web-canary',
        paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }],
        annotations: { canary: 'true', 'canary-weight': '250', 'canary-weight-total': '10000' },
      },
    ]).specs[0];
    const forward = spec?.listeners[0]?.rules[0]?.actions[0];
    assert.deepEqual(forward?.type === 'forward' ? forward.targetGroups.map((group) => group.weight) : [], [974, 25]);
  });

  it('a problem with a generated rule is reported on the path the user wrote', () => {
    const translated = translateNginx([
      { name: 'web', annotations: { 'rewrite-target': '/' }, paths: [{ path: '/api', pathType: 'Prefix', service: 'missing' }] },
    ]);
    const problem = translated.diagnostics.find((entry) => entry.message.includes('missing'));
    assert.equal(problem?.field, 'spec.rules[0].http.paths[0].backend');
  });
});

describe('problems are named, and protection is never dropped open', () => {
  const UNSUPPORTED = [
    'configuration-snippet',
    'server-snippet',
    'limit-rps',
    'proxy-body-size',
    'enable-cors',
    'mirror-target',
    'proxy-connect-timeout',
    'affinity',
    'no-such-annotation',
  ];
  for (const key of UNSUPPORTED) {
    it(`${key}: a warning naming it, and the Ingress is served`, () => {
      const translated = translateNginx([{ name: 'web', annotations: { [key]: 'x' } }]);
      assert.deepEqual(servedNames(translated), ['web']);
      const found = translated.diagnostics.filter((entry) => entry.field === field(key));
      assert.deepEqual(
        found.map((entry) => entry.severity),
        ['warning'],
      );
      assert.match(found[0]?.message ?? '', new RegExp(`${NGINX}${key}`));
    });
  }

  for (const key of ['configuration-snippet', 'server-snippet']) {
    it(`${key} with --nginx-unsupported=error: an error, and the Ingress is not served`, () => {
      const translated = translateNginx(
        [{ name: 'web', annotations: { [key]: 'more_set_headers "X: y";' } }],
        testOptions({ ingressClass: 'nginx', nginxUnsupported: 'error' }),
      );
      assert.deepEqual(servedNames(translated), []);
      assert.deepEqual(
        translated.diagnostics.filter((entry) => entry.field === field(key)).map((entry) => entry.severity),
        ['error'],
      );
    });
  }

  const PROTECTIVE: [string, string][] = [
    ['auth-url', 'http://auth.test/verify'],
    ['auth-type', 'basic'],
    ['auth-secret', 'htpasswd'],
    ['auth-tls-secret', 'default/ca'],
    ['auth-tls-verify-client', 'on'],
    ['enable-modsecurity', 'true'],
    ['ssl-passthrough', 'true'],
  ];
  for (const [key, value] of PROTECTIVE) {
    it(`${key}: ${value}: an error saying what to use instead, and the Ingress is not served`, () => {
      const translated = translateNginx([
        { name: 'web', annotations: { [key]: value } },
        { name: 'other', host: 'other.test' },
      ]);
      assert.deepEqual(servedNames(translated), ['other'], 'the other Ingress keeps its traffic');
      const error = translated.diagnostics.find((entry) => entry.field === field(key));
      assert.equal(error?.severity, 'error');
      assert.match(error?.message ?? '', /not served.*(instead|Network Load Balancer)|not served.*ingress-bridge\.io\//);
    });
  }

  for (const [key, value] of [
    ['auth-tls-verify-client', 'off'],
    ['enable-modsecurity', 'false'],
  ]) {
    it(`${key}: ${value} protects nothing: no diagnostic, served`, () => {
      const translated = translateNginx([{ name: 'web', annotations: { [key as string]: value as string } }]);
      assert.deepEqual(servedNames(translated), ['web']);
      assert.deepEqual(
        translated.diagnostics.filter((entry) => entry.field === field(key as string)),
        [],
      );
    });
  }

  const BAD: [string, string][] = [
    ['whitelist-source-range', '10.0.0.0/8, not-an-address'],
    ['denylist-source-range', 'x'],
    ['rewrite-target', '/$host/x'],
    ['upstream-vhost', '$host'],
    ['permanent-redirect', 'not a url'],
    ['permanent-redirect-code', '418'],
    ['proxy-read-timeout', 'forever'],
    ['backend-protocol', 'FCGI'],
    ['ssl-redirect', 'maybe'],
    ['use-regex', 'yes'],
  ];
  for (const [key, value] of BAD) {
    it(`${key}: ${JSON.stringify(value)} is an error naming the annotation; the Ingress is not served, the other one is`, () => {
      const annotations: Record<string, string> = { [key]: value };
      if (key === 'permanent-redirect-code') annotations['permanent-redirect'] = 'https://x.test/';
      const translated = translateNginx([
        { name: 'web', annotations },
        { name: 'other', host: 'other.test' },
      ]);
      assert.deepEqual(servedNames(translated), ['other']);
      assert.equal(translated.diagnostics.find((entry) => entry.field === field(key))?.severity, 'error');
    });
  }

  it('a path that is an nginx regex RE2 cannot run is an error on that path', () => {
    const translated = translateNginx([{ name: 'web', annotations: { 'use-regex': 'true' }, paths: [{ path: '/(?=x)', service: 'main' }] }]);
    assert.deepEqual(servedNames(translated), []);
    assert.equal(translated.diagnostics.find((entry) => entry.severity === 'error')?.field, 'spec.rules[0].http.paths[0].path');
  });

  it('a canary without a main Ingress is an error on the canary, which is not served (ingress-nginx ignores it)', () => {
    const translated = translateNginx([{ name: 'lonely', annotations: { canary: 'true', 'canary-weight': '10' } }]);
    assert.deepEqual(servedNames(translated), []);
    assert.equal(translated.diagnostics.find((entry) => entry.object.name === 'lonely')?.field, field('canary'));
  });

  it('a bad canary value refuses the canary, never its main Ingress', () => {
    const translated = translateNginx([
      { name: 'web' },
      { name: 'web-canary', paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }], annotations: { canary: 'true', 'canary-weight': 'lots' } },
    ]);
    assert.deepEqual(servedNames(translated), ['web']);
    assert.equal(routeOf(translated.specs[0] ?? assert.fail(), 'http://app.test/'), 'default/main:80');
    const error = translated.diagnostics.find((entry) => entry.severity === 'error');
    assert.deepEqual([error?.object.name, error?.field], ['web-canary', field('canary-weight')]);
  });

  it('a deny list with an allow list and a header canary is refused rather than let a denied client reach the canary', () => {
    const translated = translateNginx([
      { name: 'web', annotations: { 'whitelist-source-range': '10.0.0.0/8', 'denylist-source-range': '10.1.0.0/16' } },
      { name: 'web-canary', paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }], annotations: { canary: 'true', 'canary-by-header': 'X-Canary' } },
    ]);
    assert.deepEqual(servedNames(translated), []);
    assert.equal(translated.diagnostics.find((entry) => entry.object.name === 'web' && entry.severity === 'error')?.field, 'spec.rules[0].http.paths[0]');
  });

  it('the source ranges are enforced in the spec: the listed source is forwarded, another gets 403', () => {
    const spec =
      translateNginx([{ name: 'web', annotations: { 'whitelist-source-range': '10.0.0.0/8', 'denylist-source-range': '10.1.0.0/16' } }]).specs[0] ??
      assert.fail();
    assert.equal(routeOf(spec, 'http://app.test/', { sourceIp: '10.2.0.1' }), 'default/main:80');
    assert.notEqual(routeOf(spec, 'http://app.test/', { sourceIp: '10.1.0.1' }), 'default/main:80');
    assert.notEqual(routeOf(spec, 'http://app.test/', { sourceIp: '192.0.2.1' }), 'default/main:80');
  });
});
