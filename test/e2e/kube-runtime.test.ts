/**
 * The runtime end to end: the real client-node informers against the Kubernetes API fake, the work
 * queue, status, finalizers, Events and leader election, with an in-memory provider as the cloud.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { INGRESS_CLASS_YAML, ingressYaml, serviceYaml, testOptions, type IngressFixture } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { applyYaml } from '../support/kube-yaml.js';
import { assertNothingDenied, loadRbacAuthorizer, waitUnlessDenied, type RbacAuthorizer } from '../support/rbac.js';
import { createMemoryCloud, hostnameOf, memoryProvider, type MemoryCloud } from '../support/plugin-provider.js';

const IP = { 'ingress-bridge.io/target-type': 'ip' };
const web = (overrides: Partial<IngressFixture> = {}): IngressFixture => ({
  name: 'web',
  annotations: IP,
  rules: [{ host: 'web.test', paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }] }],
  ...overrides,
});

describe('the runtime against the Kubernetes API fake', () => {
  let fake: KubeFake;
  let rbac: RbacAuthorizer;
  let cloud: MemoryCloud;
  /** Waits for a condition; the failure names the condition's source, or the request RBAC denied. */
  const until = (condition: () => boolean, timeoutMs = 8000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
  const handles: KubeRunHandle[] = [];

  const start = async (instance: string, leaderElection = false): Promise<KubeRunHandle> => {
    const handle = await startKubeRun({
      connection: fake.connection(),
      provider: () => memoryProvider(cloud, instance),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date() }),
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'info') ?? 'silent'),
      namespace: 'ingress-bridge',
      ...(leaderElection ? { leaderElection: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200, identity: instance } } : {}),
      concurrency: 2,
      resyncMs: 60_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
    });
    handles.push(handle);
    return handle;
  };
  const ingress = (name: string): KubeObject | undefined => fake.get('ingresses', 'default', name);
  const apply = (yaml: string): void => applyYaml(fake, yaml);

  beforeEach(async () => {
    fake = await startKubeFake();
    // The controller runs with exactly the permissions deploy/base/rbac.yaml grants.
    rbac = loadRbacAuthorizer();
    fake.setAuthorizer(rbac.authorize);
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
    await fake.close();
    assertNothingDenied(rbac);
  });

  it('builds the load balancer, adds the finalizer and writes the address into status', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(
      () =>
        (ingress('web')?.status as { loadBalancer?: { ingress?: { hostname?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0]?.hostname ===
        hostnameOf('default/web'),
    );
    assert.deepEqual(ingress('web')?.metadata.finalizers, [FINALIZER]);
    assert.equal(cloud.served.get('default/web')?.targetGroups[0]?.targets[0]?.ip, '10.0.0.1');
  });

  it('follows a path edit and an endpoint change without a restart', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => cloud.served.has('default/web'));
    apply(ingressYaml(web({ rules: [{ host: 'web.test', paths: [{ path: '/v2', pathType: 'Prefix', service: 'api' }] }] })));
    await until(() => JSON.stringify(cloud.served.get('default/web')?.listeners[0]?.rules[0]?.conditions).includes('/v2'));
    apply(serviceYaml({ name: 'api', endpoints: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] }));
    await until(() => cloud.served.get('default/web')?.targetGroups[0]?.targets.length === 3);
  });

  it('cleans up a deleted Ingress: cloud resources gone, finalizer removed, Ingress gone', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => ingress('web')?.metadata.finalizers?.includes(FINALIZER) === true && cloud.served.has('default/web'));
    fake.remove('ingresses', 'default', 'web');
    await until(() => ingress('web') === undefined);
    assert.equal(cloud.served.has('default/web'), false);
  });

  it('keeps the finalizer while the cloud still holds what is left to delete, then lets go', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => cloud.served.has('default/web') && ingress('web')?.metadata.finalizers?.includes(FINALIZER) === true);
    cloud.heldRemovals = 1;
    fake.remove('ingresses', 'default', 'web');
    await until(() => cloud.heldRemovals === 0);
    assert.ok(ingress('web')?.metadata.deletionTimestamp, 'the Ingress waits, marked for deletion, while cleanup is pending');
    await until(() => ingress('web') === undefined);
    assert.equal(cloud.served.has('default/web'), false);
  });

  it('keeps the load balancer of an Ingress whose annotation turns invalid, and still cleans up when it is deleted', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => cloud.served.has('default/web') && ingress('web')?.metadata.finalizers?.includes(FINALIZER) === true);
    // A merge patch, as kubectl apply would send: the finalizer stays.
    fake.patch('ingresses', 'default', 'web', { metadata: { annotations: { 'ingress-bridge.io/scheme': 'public' } } });
    await until(() => fake.list('events', 'default').some((event) => /scheme/.test((event as { message?: string }).message ?? '')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(cloud.served.has('default/web'), 'the load balancer stays while the Ingress is invalid');
    fake.remove('ingresses', 'default', 'web');
    await until(() => ingress('web') === undefined);
    assert.equal(cloud.served.has('default/web'), false);
  });

  it('lets go of an Ingress that moves to another class: resources gone, status cleared', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => cloud.served.has('default/web') && ingress('web')?.status !== undefined);
    apply(ingressYaml(web({ ingressClassName: 'someone-else' })));
    await until(() => !cloud.served.has('default/web') && (ingress('web')?.metadata.finalizers ?? []).length === 0);
    const status = ingress('web')?.status as { loadBalancer?: { ingress?: unknown[] } } | undefined;
    assert.deepEqual(status?.loadBalancer?.ingress ?? [], []);
  });

  it('misses no change across a dropped watch and a 410 on re-watch', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    await start('a');
    await until(() => cloud.served.has('default/web'));
    fake.dropWatches();
    apply(serviceYaml({ name: 'api', endpoints: ['10.0.0.7'] }));
    await until(() => cloud.served.get('default/web')?.targetGroups[0]?.targets[0]?.ip === '10.0.0.7');
    fake.compactHistory();
    fake.expireWatches();
    apply(ingressYaml(web({ rules: [{ host: 'after-410.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] })));
    await until(() => JSON.stringify(cloud.served.get('default/web')?.listeners[0]?.rules).includes('after-410.test'));
  });

  it('warns on a bad Ingress with an Event naming the field, and its group keeps serving', async () => {
    cloud = createMemoryCloud();
    const group = { ...IP, 'ingress-bridge.io/group.name': 'team' };
    apply(
      INGRESS_CLASS_YAML +
        serviceYaml({ name: 'api' }) +
        ingressYaml({ name: 'good', annotations: group, rules: [{ host: 'good.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] }) +
        ingressYaml({ name: 'bad', annotations: group, rules: [{ host: 'bad.test', paths: [{ path: 'no-slash', pathType: 'Prefix', service: 'api' }] }] }),
    );
    await start('a');
    type Event = { involvedObject?: { name?: string }; type?: string; reason?: string; message?: string };
    const eventsOfBad = (): Event[] => (fake.list('events', 'default') as Event[]).filter((event) => event.involvedObject?.name === 'bad');
    await until(() => eventsOfBad().length > 0);
    const [event, ...others] = eventsOfBad();
    assert.deepEqual(others, [], 'one event, not repeated');
    assert.equal(event?.type, 'Warning');
    assert.equal(event?.reason, 'InvalidIngress');
    assert.match(event?.message ?? '', /^spec\.rules\[0\]\.http\.paths\[0\]\.path: /);
    await until(() => cloud.served.has('team'));
    assert.deepEqual(cloud.served.get('team')?.stack.members, [{ namespace: 'default', name: 'good' }]);
  });

  it('elects one leader of two; when it stops, the other takes over, and never do both mutate', async () => {
    cloud = createMemoryCloud();
    apply(INGRESS_CLASS_YAML + serviceYaml({ name: 'api' }) + ingressYaml(web()));
    const first = await start('first', true);
    const second = await start('second', true);
    await until(() => first.elector?.isLeader() === true || second.elector?.isLeader() === true);
    const [leader, follower] = first.elector?.isLeader() ? [first, second] : [second, first];
    assert.equal(follower.elector?.isLeader(), false);
    await until(() => cloud.served.has('default/web'));
    const leaderName = leader === first ? 'first' : 'second';
    assert.ok(cloud.mutations.every((mutation) => mutation.instance === leaderName));
    await leader.stop();
    handles.splice(handles.indexOf(leader), 1);
    await until(() => follower.elector?.isLeader() === true, 3000);
    apply(ingressYaml(web({ rules: [{ host: 'takeover.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] })));
    await until(() => JSON.stringify(cloud.served.get('default/web')?.listeners[0]?.rules).includes('takeover.test'));
    assert.deepEqual(
      cloud.mutations.filter((mutation) => mutation.overlappedAnotherInstance),
      [],
      'no two instances ever mutated at once',
    );
    assert.ok(
      cloud.mutations.some((mutation) => mutation.instance !== leaderName),
      'the new leader reconciled',
    );
  });
});
