/**
 * The local load balancer routes real requests over loopback as the spec says: host and path rules,
 * default backends, 404, fixed responses, redirects, the headers backends see, and how stacks that
 * share a port divide the requests between them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, translateYaml, type IngressFixture } from '../../support/cluster.js';
import { applySpec, echo, send, testProvider } from '../../support/local-lb.js';

const IP_TARGETS = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
const backends: Record<'a' | 'b' | 'fallback', EchoBackend> = {} as Record<'a' | 'b' | 'fallback', EchoBackend>;

function servicesYaml(): string {
  return (
    INGRESS_CLASS_YAML +
    Object.values(backends)
      .map((backend) => serviceYaml({ name: backend.name, endpoints: [backend.host], endpointPort: backend.port }))
      .join('')
  );
}

async function serve(provider: LocalProvider, ...ingresses: IngressFixture[]): Promise<void> {
  const translated = translateYaml(servicesYaml() + ingresses.map(ingressYaml).join(''));
  assert.deepEqual(
    translated.diagnostics.filter((entry) => entry.severity === 'error'),
    [],
  );
  for (const spec of translated.specs) await applySpec(provider, spec);
}

before(async () => {
  for (const name of ['a', 'b', 'fallback'] as const) backends[name] = await startEchoBackend({ name });
});
after(async () => {
  await Promise.all(Object.values(backends).map((backend) => backend.close()));
});

describe('one load balancer', () => {
  let provider: LocalProvider;
  let port: number;
  before(async () => {
    provider = testProvider({ httpsPort: 18443 });
    await serve(provider, {
      name: 'web',
      annotations: {
        ...IP_TARGETS,
        'alb.ingress.kubernetes.io/actions.maintenance':
          '{"type":"fixed-response","fixedResponseConfig":{"contentType":"application/json","statusCode":"503","messageBody":"{\\"down\\":true}"}}',
        'alb.ingress.kubernetes.io/actions.moved': '{"type":"redirect","redirectConfig":{"host":"new.test","path":"/moved","statusCode":"HTTP_302"}}',
        'alb.ingress.kubernetes.io/actions.secure': '{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"443","statusCode":"HTTP_301"}}',
      },
      rules: [
        { host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
        {
          paths: [
            { path: '/api', pathType: 'Prefix', service: 'b' },
            { path: '/down', pathType: 'Exact', service: 'maintenance', port: 'use-annotation' },
            { path: '/old', pathType: 'Prefix', service: 'moved', port: 'use-annotation' },
            { path: '/login', pathType: 'Exact', service: 'secure', port: 'use-annotation' },
          ],
        },
      ],
    });
    port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
  });
  after(() => provider.close());

  it('routes by host, whatever the path', async () => {
    assert.equal((await echo({ port, host: 'a.test', path: '/api/x' })).backend, 'a');
    assert.equal((await echo({ port, host: 'A.TEST:8080', path: '/' })).backend, 'a');
  });

  it('routes by path when no host rule matches, keeping path and query as sent', async () => {
    const reply = await echo({ port, host: 'other.test', path: '/api/v1?x=1&y=%20' });
    assert.deepEqual([reply.backend, reply.path, reply.query], ['b', '/api/v1', 'x=1&y=%20']);
  });

  it('answers 404 when nothing matches and there is no default backend', async () => {
    const response = await send({ port, host: 'other.test', path: '/apix' });
    assert.equal(response.status, 404);
  });

  it('answers a fixed response with its status, content type and body', async () => {
    const response = await send({ port, host: 'other.test', path: '/down' });
    assert.equal(response.status, 503);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(response.body), { down: true });
  });

  it("redirects with the parts the action sets and the request's own for the rest", async () => {
    const response = await send({ port, host: 'other.test', path: '/old/page?q=1' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, `http://new.test:${port}/moved?q=1`);
  });

  it('redirects to HTTPS port 443 at the local https port', async () => {
    const response = await send({ port, host: 'other.test:80', path: '/login?next=%2F' });
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, 'https://other.test:18443/login?next=%2F');
  });

  it('keeps the Host header and adds X-Forwarded-For, -Proto and the spec port as -Port', async () => {
    const reply = await echo({
      port,
      host: 'a.test',
      path: '/',
      headers: { 'x-forwarded-for': '203.0.113.9', connection: 'keep-alive, x-secret', 'x-secret': 'hop' },
    });
    assert.equal(reply.host, 'a.test');
    assert.equal(reply.xForwardedFor, '203.0.113.9, 127.0.0.1');
    assert.equal(reply.xForwardedProto, 'http');
    assert.equal(reply.xForwardedPort, '80');
    assert.equal(reply.headers['x-secret'], undefined, 'a header named in Connection is hop-by-hop');
  });

  it('streams a request body to the target', async () => {
    const reply = await echo({ port, host: 'a.test', method: 'POST', path: '/form', body: 'x'.repeat(100_000) });
    assert.equal(reply.body.length, 100_000);
  });
});

describe('load balancers sharing a port', () => {
  let provider: LocalProvider;
  let port: number;
  before(async () => {
    provider = testProvider();
    await serve(
      provider,
      { name: 'aaa', annotations: IP_TARGETS, rules: [{ paths: [{ path: '/api', pathType: 'Prefix', service: 'a' }] }] },
      { name: 'mmm', annotations: IP_TARGETS, rules: [{ host: '*.wild.test', paths: [{ path: '/api', pathType: 'Prefix', service: 'fallback' }] }] },
      {
        name: 'zzz',
        annotations: IP_TARGETS,
        rules: ['b.test', 'exact.wild.test'].map((host) => ({ host, paths: [{ path: '/api', pathType: 'Prefix', service: 'b' }] })),
      },
      { name: 'zzz-default', annotations: IP_TARGETS, defaultBackend: { service: 'fallback' } },
    );
    port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
  });
  after(() => provider.close());

  it('gives a request to the stack whose rule names its host most exactly, then to the first by id', async () => {
    assert.equal((await echo({ port, host: 'b.test', path: '/api' })).backend, 'b', 'exact host beats a host-less rule of an earlier stack');
    assert.equal((await echo({ port, host: 'x.wild.test', path: '/api' })).backend, 'fallback', 'a wildcard host beats a host-less rule');
    assert.equal((await echo({ port, host: 'exact.wild.test', path: '/api' })).backend, 'b', 'an exact host beats a wildcard host');
    assert.equal((await echo({ port, host: 'c.test', path: '/api' })).backend, 'a');
  });

  it('answers a request no rule matches with the default of the stack that names its host', async () => {
    assert.equal((await send({ port, host: 'b.test', path: '/elsewhere' })).status, 404, 'b.test belongs to zzz, whose default is 404');
  });

  it('sends a request for a host no stack names to the first default backend', async () => {
    assert.equal((await echo({ port, host: 'c.test', path: '/elsewhere' })).backend, 'fallback');
  });
});
