/**
 * A cluster without the Gateway API CRDs: the kube source reports each missing kind once and the
 * Ingress path syncs and serves; the watches of the missing kinds keep failing quietly.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeSource, type SourceFailure } from '../../src/sources/kube.js';
import { Snapshot } from '../../src/sources/snapshot.js';
import { GATEWAY_API_GROUP } from '../../src/sources/gateway-kinds.js';
import { KubeClient } from '../../src/sources/kube-http.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml } from '../support/cluster.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';
import { applyYaml } from '../support/kube-yaml.js';

describe('KubeSource on a cluster without the Gateway API', () => {
  let fake: KubeFake;
  let source: KubeSource | undefined;
  after(async () => {
    await source?.stop();
    await fake.close();
  });

  it('syncs the other kinds and reports each missing kind once', async () => {
    fake = await startKubeFake();
    const yaml =
      INGRESS_CLASS_YAML +
      serviceYaml({ name: 'web' }) +
      ingressYaml({ name: 'web', rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] });
    applyYaml(fake, yaml);
    // What an API server without the CRDs answers for every Gateway API path.
    fake.failNext({ group: GATEWAY_API_GROUP }, 404, { times: 10_000, reason: 'NotFound', message: 'the server could not find the requested resource' });
    const failures: SourceFailure[] = [];
    const snapshot = new Snapshot();
    source = new KubeSource({
      client: new KubeClient(fake.connection()),
      snapshot,
      restartBackoff: { initialMs: 20, maxMs: 40 },
      onError: (failure) => failures.push(failure),
    });
    await source.start();
    await source.whenSynced();
    assert.equal(snapshot.ingresses().length, 1);
    assert.deepEqual(snapshot.gateways(), []);
    // Several restarts of the failing watches later, still one report per kind.
    await sleep(300);
    assert.deepEqual(failures.map((failure) => [failure.kind, failure.phase]).sort(), [
      ['GRPCRoute', 'missing-api'],
      ['Gateway', 'missing-api'],
      ['GatewayClass', 'missing-api'],
      ['HTTPRoute', 'missing-api'],
      ['ReferenceGrant', 'missing-api'],
    ]);
    assert.match((failures[0]?.error as Error).message, /CRD installed/);
  });
});
