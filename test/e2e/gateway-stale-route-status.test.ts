/**
 * A route's status keeps an entry of ours only for a parent Gateway that is still ours and still
 * named: when the Gateway is deleted, its class is no longer ours, or the route stops naming it, our
 * controller's entry for it goes, and the entries other controllers wrote stay. The controller as
 * shipped against the Kubernetes API fake and the AWS fake.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteParentStatus } from '../../src/sources/gateway-kinds.js';
import { GATEWAY_CONTROLLER_NAME } from '../../src/translate/gateway/status.js';
import { serviceYaml } from '../support/cluster.js';
import { waitFor, type KubeFake } from '../../fakes/kube/index.js';
import { GATEWAY_CLASS_YAML, gatewayYaml } from '../support/gateway.js';
import { startKubeAwsRun, type KubeAwsRun } from '../support/kube-aws-run.js';

const OTHER_CONTROLLER = 'example.com/other-controller';

const routeYaml = (name: string, parents: string[]): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [${parents.map((parent) => `{name: ${parent}}`).join(', ')}]
  rules:
  - backendRefs: [{name: api, port: 80}]
---
`;
const OTHER_CLASS_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: ${OTHER_CONTROLLER}}
---
`;
const GATEWAYS_YAML =
  gatewayYaml('a', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
  gatewayYaml('b', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } }) +
  gatewayYaml('c', ['{name: http, port: 80, protocol: HTTP}'], { annotations: { 'ingress-bridge.io/target-type': 'ip' } });

describe('stale route status entries of ours go when their Gateway does', () => {
  let kube: KubeFake;
  let run: KubeAwsRun;

  const parents = (route: string): RouteParentStatus[] =>
    (kube.get('httproutes', 'default', route)?.status as { parents?: RouteParentStatus[] } | undefined)?.parents ?? [];
  /** `controller:gateway` for each entry, sorted. */
  const entries = (route: string): string[] =>
    parents(route)
      .map((entry) => `${entry.controllerName === GATEWAY_CONTROLLER_NAME ? 'ours' : 'other'}:${entry.parentRef.name}`)
      .sort();
  const until = (condition: () => boolean): Promise<void> => waitFor(condition, { what: 'the route status', timeoutMs: 10_000 });

  before(async () => {
    run = await startKubeAwsRun({
      yaml:
        GATEWAY_CLASS_YAML +
        OTHER_CLASS_YAML +
        serviceYaml({ name: 'api', endpoints: ['10.0.1.1'] }) +
        GATEWAYS_YAML +
        routeYaml('deleted', ['a']) +
        routeYaml('moved', ['a', 'b']) +
        routeYaml('reclassed', ['c']),
      // Another controller's entries, as it would have written them: ours must never touch them.
      prepare: (cluster) => {
        for (const route of ['deleted', 'moved', 'reclassed']) {
          const other = { parentRef: { name: 'elsewhere' }, controllerName: OTHER_CONTROLLER, conditions: [] };
          cluster.patch('httproutes', 'default', route, { status: { parents: [other] } });
        }
      },
    });
    kube = run.kube;
    await until(
      () =>
        entries('deleted').join() === 'other:elsewhere,ours:a' &&
        entries('moved').join() === 'other:elsewhere,ours:a,ours:b' &&
        entries('reclassed').join() === 'other:elsewhere,ours:c',
    );
  });
  after(async () => {
    await run?.stop();
  });

  it('drops our entry for a parent the route no longer names, keeping the other parents', async () => {
    // A patch of the spec, as kubectl sends: the status stays as the controllers wrote it.
    kube.patch('httproutes', 'default', 'moved', { spec: { parentRefs: [{ name: 'b' }] } });
    await until(() => entries('moved').join() === 'other:elsewhere,ours:b');
    assert.equal(entries('deleted').join(), 'other:elsewhere,ours:a');
  });

  it('drops our entry once the parent Gateway is deleted', async () => {
    kube.remove('gateways', 'default', 'a');
    await until(() => kube.get('gateways', 'default', 'a') === undefined && entries('deleted').join() === 'other:elsewhere');
  });

  it('drops our entry once the parent Gateway is of a class that is not ours', async () => {
    kube.patch('gateways', 'default', 'c', { spec: { gatewayClassName: 'other' } });
    await until(() => entries('reclassed').join() === 'other:elsewhere');
    assert.equal(entries('moved').join(), 'other:elsewhere,ours:b');
  });
});
