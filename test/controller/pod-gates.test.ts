/**
 * Readiness-gate decisions (src/controller/pod-gates.ts): which Pods wait, what is asked of the
 * provider, which condition each gate gets, and the status patch that writes it only when it changes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { TargetHealth, TargetHealthReport } from '../../src/provider.js';
import { conditionPatch, desiredCondition, gatedTargetGroups, healthQuery, pendingGates, type PendingGate } from '../../src/controller/pod-gates.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { applyJsonPatch } from '../../fakes/kube/patch.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, translateYaml } from '../support/cluster.js';

const spec: LoadBalancerSpec = onlySpec(
  translateYaml(
    INGRESS_CLASS_YAML +
      serviceYaml({ name: 'api', endpoints: ['10.0.0.1', '10.0.0.2'], annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } }) +
      serviceYaml({ name: 'web', endpoints: ['10.0.1.1'], nodePort: 30081 }) +
      ingressYaml({
        name: 'shop',
        rules: [
          {
            paths: [
              { path: '/api', pathType: 'Prefix', service: 'api' },
              { path: '/', pathType: 'Prefix', service: 'web' },
            ],
          },
        ],
      }),
  ),
);
const [apiGroup] = gatedTargetGroups(spec);
const GATE = targetHealthGate('default/shop', { key: 'default/api:80/ip', service: { namespace: 'default', name: 'api', port: 80 } });

/** A Pod as the Snapshot holds it: wire JSON, so times are strings where client-node's type says Date. */
function pod(
  name: string,
  fields: {
    ip?: string;
    gates?: string[];
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    namespace?: string;
    deleting?: boolean;
    status?: false;
  } = {},
): V1Pod {
  return <V1Pod>(<unknown>{
    metadata: { name, namespace: fields.namespace ?? 'default', resourceVersion: '42', ...(fields.deleting ? { deletionTimestamp: new Date(0) } : {}) },
    spec: { containers: [], readinessGates: (fields.gates ?? [GATE]).map((conditionType) => ({ conditionType })) },
    ...(fields.status === false
      ? {}
      : { status: { ...(fields.ip ? { podIP: fields.ip } : {}), ...(fields.conditions ? { conditions: fields.conditions } : {}) } }),
  });
}

describe('the gated target groups of a spec', () => {
  it('are its ip target groups only, each with its gate and targets', () => {
    assert.deepEqual(
      gatedTargetGroups(spec).map((group) => [group.key, group.gate, group.targets.map((target) => target.id)]),
      [['default/api:80/ip', GATE, ['10.0.0.1', '10.0.0.2']]],
    );
    assert.deepEqual(gatedTargetGroups(undefined), []);
  });
});

describe('pending gates', () => {
  const groups = gatedTargetGroups(spec);
  const pods = [
    pod('registered', { ip: '10.0.0.1' }),
    pod('not-registered-yet', { ip: '10.0.0.9' }),
    pod('no-ip-yet'),
    pod('already-true', { ip: '10.0.0.2', conditions: [{ type: GATE, status: 'True' }] }),
    pod('other-namespace', { ip: '10.0.0.1', namespace: 'elsewhere' }),
    pod('deleting', { ip: '10.0.0.1', deleting: true }),
    pod('gate-removed', { ip: '10.0.0.1', gates: [] }),
  ];
  const pending = pendingGates(groups, (gate) => (gate === GATE ? pods : []));

  it("are the Pods carrying the gate, not True yet, not being deleted, in the target group's namespace", () => {
    assert.deepEqual(
      pending.map((entry) => entry.pod.metadata?.name),
      ['registered', 'not-registered-yet', 'no-ip-yet'],
    );
  });

  it("name the targets of the Pod's address only; the query asks about registered targets only, once each", () => {
    assert.deepEqual(
      pending.map((entry) => entry.targets),
      [[{ id: '10.0.0.1', port: 8080 }], [], []],
    );
    const twice = [...pending, ...pending];
    assert.deepEqual([...healthQuery(twice)], [['default/api:80/ip', [{ id: '10.0.0.1', port: 8080 }]]]);
  });
});

describe('the condition a gate should have', () => {
  const entry: PendingGate = { pod: pod('p', { ip: '10.0.0.1' }), gate: GATE, targetGroupKey: 'default/api:80/ip', targets: [{ id: '10.0.0.1', port: 8080 }] };
  const report = (health: TargetHealth | undefined): TargetHealthReport => new Map([['default/api:80/ip', new Map(health ? [['10.0.0.1:8080', health]] : [])]]);
  const cases: { why: string; report: TargetHealthReport; entry?: PendingGate; expected: ReturnType<typeof desiredCondition> }[] = [
    {
      why: 'True once the target is healthy',
      report: report({ state: 'healthy' }),
      expected: { status: 'True', reason: 'TargetHealthy', message: "healthy in the load balancer's target group default/api:80/ip" },
    },
    {
      why: "False with the load balancer's reason while initial",
      report: report({ state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' }),
      expected: { status: 'False', reason: 'Elb.RegistrationInProgress', message: 'Target registration is in progress' },
    },
    {
      why: 'False, named by state, when unhealthy without a reason',
      report: report({ state: 'unhealthy' }),
      expected: { status: 'False', reason: 'Target.unhealthy', message: 'target 10.0.0.1:8080 is unhealthy' },
    },
    {
      why: 'False while the load balancer does not know the target yet',
      report: report(undefined),
      expected: { status: 'False', reason: 'Target.NotRegistered', message: 'target 10.0.0.1:8080 is not registered in the load balancer yet' },
    },
    { why: 'nothing while the provider could not read the target group', report: new Map(), expected: undefined },
    { why: 'nothing for a Pod that is no target', report: report({ state: 'healthy' }), entry: { ...entry, targets: [] }, expected: undefined },
  ];
  for (const { why, report: given, entry: subject, expected } of cases) {
    it(why, () => assert.deepEqual(desiredCondition(subject ?? entry, given), expected));
  }
});

describe('the status patch that writes a gate', () => {
  const now = new Date('2026-11-21T10:00:00Z');
  const TRUE = { status: 'True' as const, reason: 'TargetHealthy', message: 'healthy' };
  const FALSE = { status: 'False' as const, reason: 'Elb.RegistrationInProgress', message: 'in progress' };
  const applied = (subject: V1Pod, patch: ReturnType<typeof conditionPatch>) =>
    (applyJsonPatch(JSON.parse(JSON.stringify(subject)), patch) as V1Pod).status?.conditions;

  it('appends the condition, guarded by the resourceVersion it was computed from', () => {
    const subject = pod('p', { ip: '10.0.0.1', conditions: [{ type: 'Ready', status: 'False' }] });
    const patch = conditionPatch(subject, GATE, FALSE, now);
    assert.deepEqual(patch?.[0], { op: 'test', path: '/metadata/resourceVersion', value: '42' });
    assert.deepEqual(applied(subject, patch), [
      { type: 'Ready', status: 'False' },
      { type: GATE, ...FALSE, lastTransitionTime: '2026-11-21T10:00:00Z' },
    ]);
  });

  it('creates the list, or the status, when the Pod has none', () => {
    assert.deepEqual(applied(pod('p', { ip: '10.0.0.1' }), conditionPatch(pod('p', { ip: '10.0.0.1' }), GATE, TRUE, now)), [
      { type: GATE, ...TRUE, lastTransitionTime: '2026-11-21T10:00:00Z' },
    ]);
    const bare = pod('p', { status: false });
    assert.deepEqual(applied(bare, conditionPatch(bare, GATE, TRUE, now)), [{ type: GATE, ...TRUE, lastTransitionTime: '2026-11-21T10:00:00Z' }]);
  });

  it('replaces it in place; the transition time moves only when the status does', () => {
    const earlier = '2026-11-21T09:00:00Z';
    const subject = pod('p', {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: GATE, status: 'False', reason: 'Elb.RegistrationInProgress', message: 'older', lastTransitionTime: earlier },
      ],
    });
    assert.deepEqual(applied(subject, conditionPatch(subject, GATE, FALSE, now))?.[1], { type: GATE, ...FALSE, lastTransitionTime: earlier });
    assert.deepEqual(applied(subject, conditionPatch(subject, GATE, TRUE, now))?.[1], { type: GATE, ...TRUE, lastTransitionTime: '2026-11-21T10:00:00Z' });
  });

  it('is nothing when the condition already says it', () => {
    const subject = pod('p', { conditions: [{ type: GATE, status: 'False', reason: FALSE.reason, message: FALSE.message }] });
    assert.equal(conditionPatch(subject, GATE, FALSE, now), undefined);
  });
});

describe('a gate the spec has', () => {
  it('is the one the target group is known by', () => assert.equal(apiGroup?.gate, GATE));
});
