/**
 * The readiness-gate tracker (src/controller/readiness-gates.ts) with a stand-in provider and Pod
 * writer: what it asks, what it writes and when, what a follower does (nothing), which Pod changes
 * send their stacks back to reconcile, and how a gate no load balancer has any more is let go.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { TargetHealth, TargetHealthReport, TargetRef } from '../../src/provider.js';
import { ReadinessGates, type PodStatusWriter } from '../../src/controller/readiness-gates.js';
import type { JsonPatchOperation } from '../../src/controller/pod-gates.js';
import { createLogger } from '../../src/observability/logger.js';
import { targetHealthGate } from '../../src/translate/readiness-gates.js';
import { applyJsonPatch } from '../../fakes/kube/patch.js';
import { waitFor } from '../../fakes/kube/index.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, translateYaml } from '../support/cluster.js';

const STACK = 'default/shop';
const KEY = 'default/api:80/ip';
const GATE = targetHealthGate(STACK, { key: KEY, service: { namespace: 'default', name: 'api', port: 80 } });
const SPEC: LoadBalancerSpec = onlySpec(
  translateYaml(
    INGRESS_CLASS_YAML +
      serviceYaml({ name: 'api', endpoints: ['10.0.0.1', '10.0.0.2'] }) +
      ingressYaml({
        name: 'shop',
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
        rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }],
      }),
  ),
);

function pod(
  name: string,
  ip: string | undefined,
  gates: string[] = [GATE],
  conditions: { type: string; status: string }[] = [{ type: 'ContainersReady', status: 'True' }],
): V1Pod {
  return {
    metadata: { name, namespace: 'default', resourceVersion: '1' },
    spec: { containers: [], readinessGates: gates.map((conditionType) => ({ conditionType })) },
    status: { ...(ip ? { podIP: ip } : {}), conditions },
  };
}

/** A cluster of Pods the writer patches, and a provider whose answers the test sets. */
function world(options: { leader?: boolean; currentGates?: string[] } = {}) {
  const pods = new Map<string, V1Pod>();
  const health = new Map<string, TargetHealth>();
  const asked: Map<string, readonly TargetRef[]>[] = [];
  const writes: { pod: string; operations: readonly JsonPatchOperation[] }[] = [];
  let leader = options.leader ?? true;
  const writer: PodStatusWriter = {
    patchStatus(namespace, name, operations) {
      const key = `${namespace}/${name}`;
      writes.push({ pod: key, operations });
      const next = applyJsonPatch(pods.get(key), operations) as V1Pod;
      next.metadata = Object.assign({}, next.metadata, { resourceVersion: String(Number(next.metadata?.resourceVersion ?? '0') + 1) });
      pods.set(key, next);
      return Promise.resolve(next);
    },
  };
  const gates = new ReadinessGates({
    provider: {
      targetHealth(stackId, targets): Promise<TargetHealthReport> {
        asked.push(new Map(targets));
        return Promise.resolve(
          new Map(
            [...targets].map(([key, refs]) => [
              key,
              new Map(refs.flatMap((ref) => (health.has(ref.id) ? [[`${ref.id}:${ref.port}`, health.get(ref.id) as TargetHealth]] : []))),
            ]),
          ),
        );
      },
    },
    writer,
    isLeader: () => leader,
    logger: createLogger('silent'),
    currentGates: () => new Set(options.currentGates ?? []),
    pollMs: 10,
    orphanDelayMs: 10,
  });
  const add = (subject: V1Pod): string[] => {
    const key = `default/${subject.metadata?.name ?? ''}`;
    const previous = pods.get(key);
    pods.set(key, subject);
    return gates.onPodChange(previous ? { kind: 'Pod', type: 'update', object: subject, previous } : { kind: 'Pod', type: 'add', object: subject });
  };
  const conditionOf = (name: string) => pods.get(`default/${name}`)?.status?.conditions?.find((condition) => condition.type === GATE);
  return { gates, pods, health, asked, writes, add, conditionOf, setLeader: (value: boolean) => (leader = value) };
}

let running: ReadinessGates[] = [];
afterEach(async () => {
  await Promise.all(running.map((gates) => gates.stop()));
  running = [];
});
const tracked = <T extends { gates: ReadinessGates }>(value: T): T => {
  running.push(value.gates);
  return value;
};

describe('the readiness-gate tracker', () => {
  it('asks only about registered targets whose gate is not True, writes False while initial, True once healthy, then stops polling', async () => {
    const w = tracked(world());
    w.add(pod('api-1', '10.0.0.1'));
    w.add(pod('api-9', '10.0.0.9'));
    w.health.set('10.0.0.1', { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'in progress' });
    w.gates.onReconciled(STACK, SPEC);
    await waitFor(() => w.conditionOf('api-1')?.status === 'False', { what: 'the gate False while initial' });
    await waitFor(() => w.asked.length >= 3, { what: 'polls while initial' });
    assert.deepEqual(
      new Set(w.asked.map((query) => JSON.stringify([...query]))),
      new Set([JSON.stringify([[KEY, [{ id: '10.0.0.1', port: 8080 }]]])]),
      'never the unregistered Pod, one group per read',
    );
    assert.equal(w.writes.length, 1, 'the same False is written once');
    assert.deepEqual(w.gates.backlog().pending, 2);

    w.health.set('10.0.0.1', { state: 'healthy' });
    await waitFor(() => w.conditionOf('api-1')?.status === 'True', { what: 'the gate True once healthy' });
    await waitFor(() => w.gates.pollingStacks().length === 0, { what: 'polling to stop' });
    const asked = w.asked.length;
    w.gates.onReconciled(STACK, SPEC);
    await w.gates.stop();
    assert.equal(w.asked.length, asked, 'with only an unregistered Pod left, nothing is asked');
    assert.deepEqual(w.gates.backlog().pending, 1);
  });

  it('does nothing on a follower', async () => {
    const w = tracked(world({ leader: false }));
    w.add(pod('api-1', '10.0.0.1'));
    w.health.set('10.0.0.1', { state: 'healthy' });
    w.gates.onReconciled(STACK, SPEC);
    await w.gates.stop();
    assert.deepEqual([w.asked.length, w.writes.length], [0, 0]);
  });

  it("sends a Pod's stacks back to reconcile when it comes to wait on its gates alone, or stops", () => {
    const w = tracked(world());
    w.gates.onReconciled(STACK, undefined);
    assert.deepEqual(w.add(pod('api-1', '10.0.0.1', [GATE], [])), [], 'a stack not known yet: nothing to send');
    w.gates.onReconciled(STACK, SPEC);
    assert.deepEqual(w.add(pod('api-2', '10.0.0.2', [GATE], [{ type: 'ContainersReady', status: 'False' }])), []);
    assert.deepEqual(w.add(pod('api-2', '10.0.0.2')), [STACK], 'containers ready: translate registers it now');
    assert.deepEqual(
      w.add(
        pod(
          'api-2',
          '10.0.0.2',
          [GATE],
          [
            { type: 'ContainersReady', status: 'True' },
            { type: 'Ready', status: 'False' },
          ],
        ),
      ),
      [],
      'no change in what it waits on',
    );
  });

  it('sets a gate True that no load balancer has any more, and leaves one alone that a load balancer still has', async () => {
    const orphan = targetHealthGate('default/gone', { key: KEY, service: { namespace: 'default', name: 'api', port: 80 } });
    const fresh = targetHealthGate('default/new', { key: KEY, service: { namespace: 'default', name: 'api', port: 80 } });
    const w = tracked(world({ currentGates: [fresh] }));
    w.add(pod('old', '10.0.0.5', [orphan]));
    w.add(pod('new', '10.0.0.6', [fresh]));
    await waitFor(() => w.writes.some((write) => write.pod === 'default/old'), { what: 'the orphaned gate written' });
    const condition = w.pods.get('default/old')?.status?.conditions?.find((entry) => entry.type === orphan);
    assert.deepEqual([condition?.status, condition?.reason], ['True', 'TargetGroupGone']);
    assert.equal(
      w.writes.some((write) => write.pod === 'default/new'),
      false,
    );
  });
});
