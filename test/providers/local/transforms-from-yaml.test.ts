/**
 * From an Ingress's `transforms.<service>` annotation, in aws-load-balancer-controller's format, to
 * what the backend receives through the local load balancer: translate and the local provider agree
 * on the rule transforms of the model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, testOptions, translateYaml } from '../../support/cluster.js';
import { applySpec, echo, testProvider } from '../../support/local-lb.js';

const TRANSFORMS = JSON.stringify([
  { type: 'url-rewrite', urlRewriteConfig: { rewrites: [{ regex: '^/api/v1/(.+)$', replace: '/$1' }] } },
  { type: 'host-header-rewrite', hostHeaderRewriteConfig: { rewrites: [{ regex: '^shop\\.test$', replace: 'api.internal' }] } },
]);

describe('transforms from an Ingress annotation', () => {
  let api: EchoBackend;
  let web: EchoBackend;
  const provider = testProvider();
  let port: number;

  before(async () => {
    api = await startEchoBackend({ name: 'api' });
    web = await startEchoBackend({ name: 'web' });
    const yaml =
      INGRESS_CLASS_YAML +
      serviceYaml({ name: 'api', endpoints: [api.host], endpointPort: api.port }) +
      serviceYaml({ name: 'web', endpoints: [web.host], endpointPort: web.port }) +
      ingressYaml({
        name: 'shop',
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/transforms.api': TRANSFORMS },
        rules: [
          {
            host: 'shop.test',
            paths: [
              { path: '/api', pathType: 'Prefix', service: 'api' },
              { path: '/', pathType: 'Prefix', service: 'web' },
            ],
          },
        ],
      });
    const result = translateYaml(yaml, testOptions());
    assert.deepEqual(result.diagnostics, []);
    await applySpec(provider, onlySpec(result));
    port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
  });
  after(async () => {
    await provider.close();
    await Promise.all([api.close(), web.close()]);
  });

  it('rewrites the path and Host of the requests the api Service gets', async () => {
    const reply = await echo({ port, host: 'shop.test', path: '/api/v1/orders/7?expand=lines' });
    assert.equal(reply.backend, 'api');
    assert.equal(reply.path, '/orders/7');
    assert.equal(reply.query, 'expand=lines');
    assert.equal(reply.host, 'api.internal');
  });

  it("leaves the other Service's requests as they were sent", async () => {
    const reply = await echo({ port, host: 'shop.test', path: '/api-docs/v1/x' });
    assert.equal(reply.backend, 'web');
    assert.equal(reply.path, '/api-docs/v1/x');
    assert.equal(reply.host, 'shop.test');
  });
});
