/**
 * Property (DESIGN.md sections 8 and 9): random and hostile nginx annotations, paths and canaries
 * never make translate throw; every problem is a diagnostic naming its Ingress and a field; and the
 * other Ingress of the namespace's load balancer keeps routing as it did.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { translateAll } from '../../../src/translate/index.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { snapshotFromYaml, testOptions } from '../../support/cluster.js';
import { MAPPED_KEYS } from '../../../src/translate/nginx/keys.js';
import { BASE_YAML, NGINX_CLASS_YAML, nginxIngressYaml } from './fixtures.js';

const KEYS = [...MAPPED_KEYS, 'configuration-snippet', 'auth-url', 'auth-tls-verify-client', 'limit-rps', 'proxy-body-size', 'x'];
const VALUE = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'true',
    'false',
    '/',
    '/$1',
    '/$2/x',
    '$host',
    '10.0.0.0/8',
    '::1',
    'http://x.test/y',
    'https://x.test$request_uri',
    '0',
    '1000',
    '308',
    '(',
    'a\r\nb',
  ),
);
const PATH = fc.oneof(
  fc.constantFrom('/', '/api', '/api(/|$)(.*)', '/(?=x)', '/a*b', '/[', '/ü'),
  fc.string({ maxLength: 12 }).map((text) => `/${text}`),
);

describe('hostile nginx annotations', () => {
  it('never throw, name every problem, and leave the other Ingress of the load balancer alone', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...KEYS), VALUE, { maxKeys: 6 }),
        fc.array(PATH, { minLength: 1, maxLength: 3 }),
        fc.option(fc.dictionary(fc.constantFrom(...KEYS.filter((key) => key.startsWith('canary'))), VALUE, { maxKeys: 4 })),
        (annotations, paths, canary) => {
          const yaml =
            BASE_YAML +
            NGINX_CLASS_YAML +
            nginxIngressYaml({ name: 'a-anchor', host: 'anchor.test' }) +
            nginxIngressYaml({ name: 'hostile', host: 'hostile.test', annotations, paths: paths.map((path) => ({ path, service: 'main' })) }) +
            (canary
              ? nginxIngressYaml({
                  name: 'hostile-canary',
                  host: 'hostile.test',
                  annotations: { ...canary, canary: 'true' },
                  paths: paths.map((path) => ({ path, service: 'canary' })),
                })
              : '');
          const all = translateAll(snapshotFromYaml(yaml), testOptions({ ingressClass: 'nginx' }));
          const diagnostics = [...all.diagnostics, ...all.results.flatMap((result) => result.diagnostics)];
          for (const entry of diagnostics) {
            assert.equal(entry.object.kind, 'Ingress');
            assert.ok(entry.field !== '', `${entry.object.name}: ${entry.message}`);
            assert.doesNotMatch(entry.message, /could not be (read|translated)/, 'no defect surfaced');
          }
          const spec = all.results.find((result) => result.members.some((member) => member.name === 'a-anchor'))?.spec;
          assert.equal(routeOf(spec ?? assert.fail('the anchor is served'), 'http://anchor.test/x'), 'default/main:80');
        },
      ),
      { numRuns: 300 },
    );
  });
});
