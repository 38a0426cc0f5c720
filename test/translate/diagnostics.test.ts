/**
 * Bad input (DESIGN.md section 8): each problem is a diagnostic naming the object and the exact
 * field, and costs nothing else: the other Ingresses and groups in the same snapshot keep their specs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import { addToSnapshot, parseManifestFile } from '../../src/sources/manifests.js';
import { Snapshot } from '../../src/sources/snapshot.js';
import { translateAll } from '../../src/translate/index.js';
import { DEFAULT_ALB_LIMITS } from '../../src/limits.js';
import { routeOf } from '../support/alb-evaluator.js';
import {
  INGRESS_CLASS_YAML,
  ingressYaml,
  NODE_YAML,
  serviceYaml,
  testOptions,
  translateYaml,
  type IngressFixture,
  type Translated,
} from '../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const NO_NODE_PORT_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: internal, namespace: default}
spec:
  type: ClusterIP
  ports: [{name: http, port: 80, targetPort: 8080}]
---
`;
const BASE = INGRESS_CLASS_YAML + NODE_YAML + serviceYaml({ name: 'app' }) + serviceYaml({ name: 'other', nodePort: 30090 }) + NO_NODE_PORT_SERVICE;

/** An Ingress that is fine, translated beside the faulty ones: it must always get its spec. */
const HEALTHY: IngressFixture = { name: 'healthy', rules: [{ host: 'healthy.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] };

function translateBeside(ingresses: IngressFixture[], options = testOptions(), extraYaml = ''): Translated {
  const translated = translateYaml(BASE + extraYaml + [HEALTHY, ...ingresses].map(ingressYaml).join(''), options);
  assert.equal(routeOf(specOf(translated, 'default/healthy'), 'http://healthy.test/x'), 'default/app:80', 'the healthy Ingress keeps its spec');
  return translated;
}

function specOf(translated: Translated, stackId: string): LoadBalancerSpec {
  const spec = translated.specs.find((candidate) => candidate.stack.id === stackId);
  assert.ok(spec, `no spec for ${stackId}: ${JSON.stringify(translated.diagnostics)}`);
  return spec;
}

function errorsOn(translated: Translated, name: string): Pick<Diagnostic, 'severity' | 'object' | 'field'>[] {
  return translated.diagnostics
    .filter((entry) => entry.object.name === name && entry.severity === 'error')
    .map(({ severity, object, field }) => ({ severity, object, field }));
}

const ingressError = (name: string, field: string) => ({ severity: 'error', object: { kind: 'Ingress', namespace: 'default', name }, field });
const paths = (path: Partial<{ path: string; pathType: string; service: string; port: number | string }>) => [
  { paths: [{ path: '/', pathType: 'Prefix', service: 'app', ...path }] },
];

describe('a file that is not valid YAML', () => {
  it("is a diagnostic on that document; the file's other documents still load and translate", () => {
    const broken = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: broken\n  annotations: {a: [}\n---\n';
    const parsed = parseManifestFile(BASE + broken + ingressYaml(HEALTHY), 'apps/web.yaml');
    const errors = parsed.diagnostics.filter((entry) => entry.severity === 'error');
    const brokenDocument = BASE.split('---').length - 1;
    assert.deepEqual(
      errors.map(({ object, field, source }) => ({ object, field, source })),
      [{ object: { kind: 'Document', name: 'apps/web.yaml' }, field: '', source: { file: 'apps/web.yaml', document: brokenDocument } }],
    );
    const brokenLine = BASE.split('\n').length + 4;
    assert.match(errors[0]?.message ?? '', new RegExp(`^invalid YAML at line ${brokenLine}, column \\d+`));
    const snapshot = new Snapshot();
    addToSnapshot(snapshot, parsed.objects);
    const results = translateAll(snapshot, testOptions()).results;
    assert.deepEqual(
      results.map((result) => [result.stackId, result.spec?.stack.members]),
      [['default/healthy', [{ namespace: 'default', name: 'healthy' }]]],
    );
  });
});

describe('an Ingress that cannot be served at all is left out with an error on the field', () => {
  const long = `/${'a'.repeat(128)}`;
  const tooManyValues = '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-A","values":["1","2","3"]}}]';
  const CASES: { name: string; ingress: Omit<IngressFixture, 'name'>; field: string; message: RegExp }[] = [
    { name: 'neither rules nor default backend', ingress: {}, field: 'spec', message: /neither rules nor a defaultBackend/ },
    {
      name: 'a path not starting with /',
      ingress: { rules: paths({ path: 'api' }) },
      field: 'spec.rules[0].http.paths[0].path',
      message: /path "api" must start with "\/"/,
    },
    {
      name: 'a missing pathType',
      ingress: {
        rules: [
          {
            paths: [
              { path: '/ok', pathType: 'Exact', service: 'app' },
              { path: '/x', service: 'app' },
            ],
          },
        ],
      },
      field: 'spec.rules[0].http.paths[1].pathType',
      message: /pathType is required: one of Exact, Prefix, ImplementationSpecific/,
    },
    {
      name: 'a host with an underscore',
      ingress: { rules: [{ host: 'Foo_bar.com', paths: paths({})[0]?.paths ?? [] }] },
      field: 'spec.rules[0].host',
      message: /host "Foo_bar.com" is not a valid DNS name/,
    },
    {
      name: 'a host with two wildcards',
      ingress: {
        rules: [
          { host: 'ok.test', paths: paths({})[0]?.paths ?? [] },
          { host: '*.*.x.com', paths: paths({})[0]?.paths ?? [] },
        ],
      },
      field: 'spec.rules[1].host',
      message: /host "\*\.\*\.x\.com" is not a valid DNS name/,
    },
    {
      name: 'a host that is an IP address',
      ingress: { rules: [{ host: '10.0.0.1', paths: paths({})[0]?.paths ?? [] }] },
      field: 'spec.rules[0].host',
      message: /IP address; Ingress hosts must be DNS names/,
    },
    {
      name: 'a bad annotation value',
      ingress: { annotations: { [`${ALB}scheme`]: 'public' }, rules: paths({}) },
      field: `metadata.annotations["${ALB}scheme"]`,
      message: /invalid value "public": expected internet-facing or internal/,
    },
    {
      name: 'a conditions annotation over 5 values in a rule',
      ingress: { annotations: { [`${ALB}conditions.app`]: tooManyValues }, rules: [{ host: 'h.test', paths: paths({ path: '/api' })[0]?.paths ?? [] }] },
      field: 'spec.rules[0].http.paths[0]',
      message: /6 values in all; the ALB allows 5 per rule/,
    },
    {
      name: 'a path longer than 128 characters',
      ingress: { rules: paths({ path: long, pathType: 'Exact' }) },
      field: 'spec.rules[0].http.paths[0]',
      message: /is 129 characters; the ALB allows 128/,
    },
  ];
  for (const entry of CASES) {
    it(entry.name, () => {
      const translated = translateBeside([{ name: 'bad', ...entry.ingress }]);
      assert.deepEqual(errorsOn(translated, 'bad'), [ingressError('bad', entry.field)]);
      assert.match(
        translated.diagnostics.find((diagnostic) => diagnostic.object.name === 'bad' && diagnostic.severity === 'error')?.message ?? '',
        entry.message,
      );
      assert.equal(
        translated.specs.some((spec) => spec.stack.id === 'default/bad'),
        false,
      );
    });
  }
});

describe('a backend that does not resolve answers 503 on its path only', () => {
  const weighted =
    '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"app","servicePort":80,"weight":1},{"serviceName":"gone","servicePort":80,"weight":1}]}}';
  const CASES: { name: string; path: IngressFixture['rules']; annotations?: Record<string, string>; field: string; message: RegExp }[] = [
    {
      name: 'an unknown Service',
      path: paths({ path: '/broken', service: 'gone' }),
      field: 'spec.rules[0].http.paths[0].backend.service.name',
      message: /Service default\/gone does not exist/,
    },
    {
      name: 'an unknown port name',
      path: paths({ path: '/broken', port: 'grpc' }),
      field: 'spec.rules[0].http.paths[0].backend.service.port.name',
      message: /has no port named "grpc" \(its ports: http \(80\)\)/,
    },
    {
      name: 'an unknown port number',
      path: paths({ path: '/broken', port: 81 }),
      field: 'spec.rules[0].http.paths[0].backend.service.port.number',
      message: /has no port 81/,
    },
    {
      name: 'a Service without nodePort under target-type instance',
      path: paths({ path: '/broken', service: 'internal' }),
      field: 'spec.rules[0].http.paths[0].backend.service.port.number',
      message: /has no nodePort, which target-type instance needs/,
    },
    {
      name: 'an actions annotation forwarding to an unknown Service',
      path: paths({ path: '/broken', service: 'split', port: 'use-annotation' }),
      annotations: { [`${ALB}actions.split`]: weighted },
      field: `metadata.annotations["${ALB}actions.split"]`,
      message: /Service default\/gone does not exist/,
    },
  ];
  for (const entry of CASES) {
    it(entry.name, () => {
      const rules = [{ paths: [...(entry.path?.[0]?.paths ?? []), { path: '/fine', pathType: 'Prefix', service: 'other' }] }];
      const translated = translateBeside([{ name: 'partial', rules, ...(entry.annotations ? { annotations: entry.annotations } : {}) }]);
      assert.deepEqual(errorsOn(translated, 'partial'), [ingressError('partial', entry.field)]);
      assert.match(translated.diagnostics.find((diagnostic) => diagnostic.object.name === 'partial')?.message ?? '', entry.message);
      const spec = specOf(translated, 'default/partial');
      assert.deepEqual([routeOf(spec, 'http://x.test/broken/a'), routeOf(spec, 'http://x.test/fine')], ['503', 'default/other:80']);
    });
  }
});

describe('conflicting members of a group', () => {
  const member = (name: string, order: string, extra: Partial<IngressFixture> = {}): IngressFixture => ({
    name,
    ...extra,
    annotations: { [`${ALB}group.name`]: 'shop', [`${ALB}group.order`]: order, ...extra.annotations },
    rules: paths({ path: `/${name}` }),
  });

  it('a newer member with another scheme keeps its rules; the oldest member decides the scheme and the newer one is warned', () => {
    const translated = translateBeside([
      member('late', '-2', { annotations: { [`${ALB}scheme`]: 'internet-facing' } }),
      member('early', '1', { annotations: { [`${ALB}scheme`]: 'internal' } }),
    ]);
    const result = translated.results.find((candidate) => candidate.stackId === 'shop');
    assert.deepEqual(
      [result?.members, result?.leftOut],
      [
        [
          { namespace: 'default', name: 'late' },
          { namespace: 'default', name: 'early' },
        ],
        [],
      ],
    );
    assert.deepEqual(errorsOn(translated, 'late'), []);
    const warning = translated.diagnostics.find((entry) => entry.object.name === 'late' && entry.severity === 'warning');
    assert.equal(warning?.field, `metadata.annotations["${ALB}scheme"]`);
    assert.match(warning?.message ?? '', /scheme is "internet-facing" here, but "internal" for the whole group: default\/early/);
    const spec = specOf(translated, 'shop');
    assert.deepEqual(
      [spec.scheme, routeOf(spec, 'http://x.test/early'), routeOf(spec, 'http://x.test/late')],
      ['internal', 'default/app:80', 'default/app:80'],
    );
  });

  it('a second default backend is left out', () => {
    const translated = translateBeside([
      member('first', '1', { defaultBackend: { service: 'app' } }),
      member('second', '2', { defaultBackend: { service: 'other' } }),
    ]);
    assert.deepEqual(errorsOn(translated, 'second'), [ingressError('second', 'spec.defaultBackend')]);
    assert.deepEqual(errorsOn(translated, 'first'), []);
    assert.equal(routeOf(specOf(translated, 'shop'), 'http://x.test/anything'), 'default/app:80');
  });

  it('two members with the same explicit order are both served, and the later one is warned', () => {
    const translated = translateBeside([member('beta', '5'), member('alpha', '5')]);
    const warnings = translated.diagnostics.filter((entry) => entry.severity === 'warning');
    assert.deepEqual(
      warnings.map(({ object, field }) => [object.name, field]),
      [['beta', `metadata.annotations["${ALB}group.order"]`]],
    );
    assert.match(warnings[0]?.message ?? '', /group.order 5 is also set on default\/alpha/);
    assert.deepEqual(
      specOf(translated, 'shop').stack.members.map((ref) => ref.name),
      ['alpha', 'beta'],
    );
  });
});

describe('more rules than the rule limit', () => {
  it('leaves out the last member in group order, saying why; the earlier ones keep their rules', () => {
    const member = (name: string, order: string, pathNames: string[]): IngressFixture => ({
      name,
      annotations: { [`${ALB}group.name`]: 'big', [`${ALB}group.order`]: order },
      rules: [{ paths: pathNames.map((path) => ({ path: `/${path}`, pathType: 'Prefix', service: 'app' })) }],
    });
    const options = testOptions({ limits: { ...DEFAULT_ALB_LIMITS, rulesPerLoadBalancer: 3 } });
    // Named against their group order, so that the order, not the name, decides who is left out.
    const translated = translateBeside([member('alpha', '3', ['a']), member('bravo', '2', ['b1', 'b2']), member('charlie', '1', ['c'])], options);
    assert.deepEqual(errorsOn(translated, 'alpha'), [ingressError('alpha', 'spec')]);
    assert.match(
      translated.diagnostics.find((entry) => entry.object.name === 'alpha')?.message ?? '',
      /needs 4 rules, over the limit of 3 per load balancer \(flag --rule-limit\)/,
    );
    const spec = specOf(translated, 'big');
    assert.deepEqual(
      spec.stack.members.map((ref) => ref.name),
      ['charlie', 'bravo'],
    );
    assert.deepEqual(
      ['/c', '/b1', '/b2', '/a'].map((path) => routeOf(spec, `http://x.test${path}`)),
      ['default/app:80', 'default/app:80', 'default/app:80', '404'],
    );
  });
});

describe('TLS Secrets', () => {
  let dir = '';
  const pem: Record<string, string> = {};
  /** Certificates are made now, so "now" for translate is a little later: after the short one expired. */
  const options = () => testOptions({ now: new Date(Date.now() + 3 * 86_400_000) });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ingress-bridge-tls-'));
    const make = (name: string, days: number): void => {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          String(days),
          '-subj',
          '/CN=secure.test',
          '-addext',
          'subjectAltName=DNS:secure.test',
          '-keyout',
          join(dir, `${name}.key`),
          '-out',
          join(dir, `${name}.crt`),
        ],
        { stdio: 'ignore' },
      );
      pem[`${name}.key`] = readFileSync(join(dir, `${name}.key`), 'utf8');
      pem[`${name}.crt`] = readFileSync(join(dir, `${name}.crt`), 'utf8');
    };
    make('long', 3650);
    make('other', 3650);
    make('short', 1);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const secretYaml = (name: string, crt: string, key: string): string => {
    const base64 = (file: string) => Buffer.from(pem[file] ?? '').toString('base64');
    return `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: default}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${base64(crt)}\n  tls.key: ${base64(key)}\n---\n`;
  };
  const secure = (secretName: string): IngressFixture => ({
    name: 'secure',
    tls: [{ hosts: ['secure.test'], secretName }],
    rules: [{ host: 'secure.test', paths: paths({})[0]?.paths ?? [] }],
  });

  it('a valid Secret gets an HTTPS listener (the control for the cases below)', () => {
    const translated = translateBeside([secure('good')], options(), secretYaml('good', 'long.crt', 'long.key'));
    assert.deepEqual(errorsOn(translated, 'secure'), []);
    const spec = specOf(translated, 'default/secure');
    assert.deepEqual(
      [spec.listeners.map((listener) => listener.port), spec.certificates.map((certificate) => certificate.source)],
      [[80, 443], [{ kind: 'secret', namespace: 'default', name: 'good' }]],
    );
    assert.equal(routeOf(spec, 'https://secure.test/'), 'default/app:80');
  });

  const CASES: { name: string; yaml: () => string; message: RegExp }[] = [
    { name: 'a missing Secret', yaml: () => '', message: /Secret default\/tls: does not exist/ },
    {
      name: 'a key that does not match the certificate',
      yaml: () => secretYaml('tls', 'long.crt', 'other.key'),
      message: /tls.key does not match the certificate/,
    },
    { name: 'an expired certificate', yaml: () => secretYaml('tls', 'short.crt', 'short.key'), message: /the certificate expired on/ },
  ];
  for (const entry of CASES) {
    it(`${entry.name}: an error on spec.tls[0].secretName, and the Ingress still serves HTTP`, () => {
      const translated = translateBeside([secure('tls')], options(), entry.yaml());
      assert.deepEqual(errorsOn(translated, 'secure'), [ingressError('secure', 'spec.tls[0].secretName')]);
      assert.match(translated.diagnostics.find((diagnostic) => diagnostic.object.name === 'secure')?.message ?? '', entry.message);
      const spec = specOf(translated, 'default/secure');
      assert.deepEqual(
        [spec.listeners.map((listener) => listener.port), spec.certificates, routeOf(spec, 'http://secure.test/')],
        [[80], [], 'default/app:80'],
      );
    });
  }
});
