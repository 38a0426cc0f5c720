/**
 * One benchmark world: the generated cluster in the Kubernetes API fake, the cloud (AWS fake with
 * latency and token buckets) on a scaled clock, and a controller that can be started, stopped and
 * started again against them. Also the convergence checks the scenarios wait on.
 * @module
 */
import type { KubeRunHandle } from '../src/commands/run-cluster.js';
import { CLUSTER_TAG } from '../providers/aws/plan/tags.js';
import { testCertificate, type TestCertificate } from '../fakes/aws/fixtures.js';
import { startKubeFake, type KubeFake } from '../fakes/kube/index.js';
import { createCloudClock, type CloudClock } from './clock.js';
import { createBenchCloud, type BenchCloud } from './cloud.js';
import { startBenchController, type ReconcileEvent } from './controller.js';
import { CLUSTER_NAME, desiredOf, type Desired } from './desired.js';
import { CERTIFICATE_DOMAIN, clusterObjects, generateCluster, objectCount, SIZES, type Cluster, type SizeName } from './generate.js';

export interface WorldOptions {
  size: SizeName;
  seed: number;
  timeScale: number;
  latencyMs: number;
  jitter: number;
}

export interface World {
  readonly options: WorldOptions;
  readonly clock: CloudClock;
  readonly cluster: Cluster;
  readonly desired: Desired;
  readonly kube: KubeFake;
  readonly cloud: BenchCloud;
  readonly reconciles: ReconcileEvent[];
  controller?: KubeRunHandle;
  startController(options?: { apiShare?: number }): Promise<KubeRunHandle>;
  stopController(): Promise<void>;
  close(): Promise<void>;
}

let sharedCertificate: TestCertificate | undefined;

/** One wildcard certificate for every group's host: made once per process with openssl. */
export function benchCertificate(): TestCertificate {
  sharedCertificate ??= testCertificate({ commonName: `*.${CERTIFICATE_DOMAIN}`, altNames: [`*.${CERTIFICATE_DOMAIN}`] });
  return sharedCertificate;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = createCloudClock({ scale: options.timeScale });
  const cluster = generateCluster(options.size, options.seed);
  const objects = clusterObjects(cluster, benchCertificate());
  const desired = desiredOf(objects);
  const kube = await startKubeFake({ historyLimit: 20_000 });
  for (const object of objects) kube.apply(object);
  const cloud = createBenchCloud({
    clock,
    clusterName: CLUSTER_NAME,
    nodes: cluster.nodes,
    latencyMs: options.latencyMs,
    jitter: options.jitter,
    seed: options.seed,
  });
  const reconciles: ReconcileEvent[] = [];
  const world: World = {
    options,
    clock,
    cluster,
    desired,
    kube,
    cloud,
    reconciles,
    async startController(start = {}) {
      world.controller = await startBenchController({
        connection: kube.connection(),
        clock,
        transport: cloud.send,
        ...(start.apiShare !== undefined && { apiShare: start.apiShare }),
        onReconcile: (event) => reconciles.push(event),
      });
      return world.controller;
    },
    async stopController() {
      await world.controller?.stop();
      delete world.controller;
    },
    async close() {
      await world.stopController();
      await kube.close();
    },
  };
  return world;
}

/** What the report says the cluster and its desired cloud state are made of. */
export function clusterSummary(world: Pick<World, 'cluster' | 'desired'>): Record<string, number> {
  const { cluster, desired } = world;
  return {
    Ingresses: cluster.ingresses.length,
    Services: cluster.services.length,
    endpoints: SIZES[cluster.size].endpoints,
    Nodes: cluster.nodes.length,
    Secrets: cluster.secrets.length,
    objects: objectCount(cluster),
    'load balancers': desired.expected.loadBalancers,
    'target groups': desired.expected.targetGroups,
    rules: desired.expected.rules,
    targets: desired.expected.targets,
  };
}

/**
 * Whether the cloud holds everything the desired model asks for: counts of what carries this
 * cluster's tag (targets last, they cost most to count).
 */
export function cloudConverged(world: Pick<World, 'cloud' | 'desired'>): boolean {
  const { state } = world.cloud.fake;
  const { expected } = world.desired;
  const loadBalancers = state.loadBalancers().filter((lb) => state.tagsOf(lb.arn)[CLUSTER_TAG] === CLUSTER_NAME);
  if (loadBalancers.length !== expected.loadBalancers) return false;
  const listeners = loadBalancers.flatMap((lb) => state.listeners(lb.arn));
  if (listeners.length !== expected.listeners) return false;
  if (listeners.reduce((total, listener) => total + state.rules(listener.arn).length, 0) !== expected.rules) return false;
  if (state.certificates().length !== expected.certificates) return false;
  const groups = state.targetGroups().filter((group) => state.tagsOf(group.arn)[CLUSTER_TAG] === CLUSTER_NAME);
  if (groups.length !== expected.targetGroups) return false;
  return groups.reduce((total, group) => total + state.targets(group.arn).length, 0) === expected.targets;
}

/** Every Ingress shows an address in its status. */
export function statusesWritten(kube: KubeFake): boolean {
  return kube.list('ingresses').every((ingress) => {
    const status = ingress.status as { loadBalancer?: { ingress?: { hostname?: string }[] } } | undefined;
    return (status?.loadBalancer?.ingress?.[0]?.hostname ?? '') !== '';
  });
}

/** Polls a condition every `pollMs` of wall time; rejects after `timeoutSeconds` of cloud time. */
export async function waitUntil(
  clock: CloudClock,
  condition: () => boolean,
  options: { timeoutSeconds: number; what: string; pollMs?: number },
): Promise<void> {
  const deadline = clock.now() + options.timeoutSeconds * 1000;
  while (!condition()) {
    if (clock.now() > deadline) throw new Error(`timed out after ${options.timeoutSeconds} cloud seconds waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
