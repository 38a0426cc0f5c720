/**
 * Pod readiness gates for a Gateway's target groups, end to end: the controller as shipped
 * (informers, admission webhook, work queue, AWS provider, readiness-gate tracker) under
 * deploy/base's RBAC, against the Kubernetes API fake and the AWS fake. A Pod selected by a Service
 * that an HTTPRoute of an ip-target Gateway sends to gets that target group's gate at creation, and
 * the gate turns True only once the load balancer reports its target healthy, as for an Ingress.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { INJECT_LABEL } from '../../src/controller/pod-gate-injection.js';
import { gatedTargetGroups } from '../../src/controller/pod-gates.js';
import { registeredTargets, type AwsWorld } from '../support/aws-provider-world.js';
import { selectingServiceYaml, testOptions } from '../support/cluster.js';
import { GATEWAY_CLASS_YAML, gatewaySpec, gatewayYaml, translateGatewayYaml } from '../support/gateway.js';
import { startKubeAwsRun, type KubeAwsRun } from '../support/kube-aws-run.js';
import { PodRollout } from '../support/pod-rollout.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied } from '../support/rbac.js';

const rbac = loadRbacAuthorizer();
const until = (condition: () => boolean, timeoutMs = 15_000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
const OPTIONS = () => testOptions({ clusterName: 'test', now: new Date() });

const CLUSTER_YAML = `${GATEWAY_CLASS_YAML}apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${INJECT_LABEL}: enabled}}
---
${selectingServiceYaml('api', 'shop')}${gatewayYaml('web', ['{name: http, port: 80, protocol: HTTP}'], {
  namespace: 'shop',
  annotations: { 'ingress-bridge.io/target-type': 'ip', 'ingress-bridge.io/scheme': 'internet-facing' },
})}apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: web}]
  rules:
  - backendRefs: [{name: api, port: 80}]
---
`;
/** The gate of the Gateway's one ip target group, as translate names it. */
const [GATE] = gatedTargetGroups(gatewaySpec(translateGatewayYaml(CLUSTER_YAML, OPTIONS()), 'web', 'shop')).map((group) => group.gate);

describe('Pod readiness gates for a Gateway, end to end on the Kubernetes API fake and the AWS fake', () => {
  let world: AwsWorld;
  let run: KubeAwsRun;
  let rollout: PodRollout;

  const gateOf = (name: string) => rollout.condition(name, GATE);
  const registered = (): string[] => registeredTargets(world.fake);
  const startPod = (name: string, ip: string) => rollout.startPod(name, ip);

  before(async () => {
    assert.ok(GATE, 'the Gateway has an ip target group');
    run = await startKubeAwsRun({
      rbac,
      yaml: CLUSTER_YAML,
      translateOptions: OPTIONS,
      webhook: true,
      // Short, so that the False gate held past it shows the tracker counts it as the Gateway's (an orphan would be set True).
      readinessGates: { pollMs: 50, orphanDelayMs: 50 },
      prepare: (kube) => {
        rollout = new PodRollout(kube, { namespace: 'shop', name: 'api' });
        rollout.publishEndpoints();
      },
    });
    world = run.world;
    await until(() => world.fake.state.loadBalancers().length === 1);
  });
  afterEach(() => assertNothingDenied(rbac));
  after(async () => {
    await run?.stop();
  });

  it("gives a Pod behind the Gateway's route that target group's gate at creation", async () => {
    world.fake.holdTargetHealth('10.0.1.1', 'initial');
    const created = await startPod('api-1', '10.0.1.1');
    assert.deepEqual(
      created.spec?.readinessGates?.map((gate) => gate.conditionType),
      [GATE],
    );
  });

  it('holds the gate False while the target is initial, past the orphan delay, then True once it is healthy', async () => {
    await until(() => registered().includes('10.0.1.1'));
    await until(() => gateOf('api-1')?.reason === 'Elb.RegistrationInProgress');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(gateOf('api-1')?.status, 'False');
    world.fake.holdTargetHealth('10.0.1.1', undefined);
    await until(() => gateOf('api-1')?.status === 'True');
    assert.equal(gateOf('api-1')?.reason, 'TargetHealthy');
  });
});
