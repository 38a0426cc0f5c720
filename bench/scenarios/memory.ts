/**
 * Scenario 5 — memory: a cold start with the controller in a child process (bench/memory-child.ts),
 * so its peak RSS and heap are the controller's alone, and as users run it: the JavaScript of
 * `npm run build` in dist/ under plain Node, with the container image's environment and the heap
 * its Deployment's memory limit gives it, and no TypeScript loader (memory-build.ts). The child samples process.memoryUsage() every 20 ms wall and takes the kernel's
 * max RSS at the end; once converged and quiet, a forced GC gives the heap the controller keeps.
 * Bytes per object = (settled heap − heap before the controller started) ÷ the cluster's Ingresses,
 * Services, EndpointSlices, Nodes and Secrets.
 *
 * The child's heap is the one V8 configures under deploy/base's memory limit (memory-build.ts).
 * `BENCH_HEAP_SNAPSHOT=DIR` also writes the settled heap to DIR/memory-<size>.heapsnapshot (open it
 * in Chrome DevTools' Memory tab, or summarise it by constructor).
 * @module
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { objectCount } from '../generate.js';
import { compiledMemoryChild } from '../memory-build.js';
import type { ChildMessage, MemoryReport, ParentMessage } from '../memory-protocol.js';
import { serializeError } from '../memory-protocol.js';
import { cloudConverged, statusesWritten, waitUntil, type World } from '../world.js';
import { figure, seconds, type ScenarioResult } from './common.js';

const MIB = 1024 * 1024;

export async function memory(world: World): Promise<ScenarioResult> {
  const { clock, cloud, kube } = world;
  // Built before the clock matters: the child is forked right after, and the cold start timed from then.
  const compiled = await compiledMemoryChild();
  // What deploy/base installs beside the Deployment for its webhook: the Secret it ships empty (so the
  // controller issues the certificates at start, as on a first install) and the configuration whose caBundle it writes.
  for (const object of compiled.webhookObjects) kube.apply(object as Parameters<typeof kube.apply>[0]);
  const child = fork(compiled.entry, [], {
    execArgv: ['--expose-gc', ...compiled.heapFlags],
    env: { ...process.env, ...compiled.imageEnvironment },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const toChild = (message: ParentMessage): void => {
    if (child.connected) child.send(message);
  };
  let started = false;
  let report: MemoryReport | undefined;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'started') started = true;
    else if (message.type === 'report') report = message.report;
    else if (message.type === 'call') {
      cloud.send(message.service, message.action, message.input).then(
        (output) => toChild({ type: 'answer', id: message.id, output }),
        (error: unknown) => toChild({ type: 'answer', id: message.id, error: serializeError(error) }),
      );
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const startedAt = clock.now();
  try {
    const snapshotDirectory = process.env.BENCH_HEAP_SNAPSHOT;
    toChild({
      type: 'start',
      kubeUrl: kube.url,
      kubeToken: 'kube-fake-token',
      originEpochMs: clock.originEpochMs,
      scale: clock.scale,
      deploymentArgs: compiled.deploymentArgs,
      ...(snapshotDirectory ? { heapSnapshotPath: join(snapshotDirectory, `memory-${world.options.size}.heapsnapshot`) } : {}),
    });
    await waitUntil(clock, () => started, { timeoutSeconds: 3600, what: 'the controller process to start' });
    await waitUntil(clock, () => statusesWritten(kube) && cloudConverged(world), {
      timeoutSeconds: 6 * 3600,
      what: 'the cold start to converge',
      pollMs: 1000,
    });
    const convergedAt = clock.now();
    await waitUntil(clock, () => clock.now() - (cloud.calls.at(-1)?.startedAt ?? 0) > 15_000, { timeoutSeconds: 3600, what: 'the controller to go quiet' });
    toChild({ type: 'report' });
    await waitUntil(clock, () => report !== undefined, { timeoutSeconds: 3600, what: 'the memory report' });
    await exited;
    const measured = report as MemoryReport;
    // The run is faithful only if the shipped defaults did their work: this replica led, and issued the webhook's certificates.
    const secret = kube.get('secrets', 'ingress-bridge', 'ingress-bridge-webhook-tls') as { data?: Record<string, string> } | undefined;
    if (!secret?.data?.['tls.crt']) throw new Error('the controller did not issue the webhook certificates into ingress-bridge/ingress-bridge-webhook-tls');
    if (kube.list('leases', 'ingress-bridge').length === 0) throw new Error('the controller took no leader-election Lease');
    const objects = objectCount(world.cluster);
    const kept = measured.settledHeapUsed - measured.baselineHeapUsed;
    return {
      id: 'memory',
      title: '5. Memory of the controller process',
      figures: [
        figure('peak RSS', measured.peakRss / MIB, 'MiB'),
        figure('peak heap used', measured.peakHeapUsed / MIB, 'MiB'),
        figure('peak heap reserved (heapTotal)', measured.peakHeapTotal / MIB, 'MiB'),
        figure('peak memory outside the heap held by JS objects (external)', measured.peakExternal / MIB, 'MiB'),
        figure('heap kept once converged (after GC)', measured.settledHeapUsed / MIB, 'MiB'),
        figure('heap before the controller started (modules loaded)', measured.baselineHeapUsed / MIB, 'MiB'),
        figure('bytes per object (heap kept − baseline) ÷ objects', kept / objects, 'bytes', { note: `${objects} objects` }),
        figure('RSS before the controller started', measured.baselineRss / MIB, 'MiB'),
        figure('CPU time of the controller process (user + system), start to report', measured.cpuMicros / 1e6, 'wall s'),
        figure('cold start in the child (IPC adds to each call)', seconds(convergedAt - startedAt), 'cloud s'),
      ],
      notes: [
        `the controller compiled by npm run build (dist/), under plain Node with the image's environment (${Object.entries(compiled.imageEnvironment)
          .map(([key, value]) => `${key}=${value}`)
          .join(' ')}), as the image runs it; ${compiled.build}`,
        `run as deploy/base runs it (\`run ${compiled.deploymentArgs.join(' ')}\`, every other flag at its default: leader election, the admission webhook with its certificates issued into the Secret deploy/base ships empty, resync and full resync every 600 s), listening on loopback port 0`,
        `the heap V8 configures under the Deployment's memory limit (${compiled.memoryLimit}): ${compiled.heapFlags.join(' ')}`,
        'no floor: memory has none the cloud sets; bytes per object is the figure to compare across sizes',
      ],
    };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
