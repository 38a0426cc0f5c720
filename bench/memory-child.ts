/**
 * The controller alone in a process of its own, for scenario 5: the fakes stay in the parent, the
 * Kubernetes API over loopback HTTP as usual, the cloud over IPC (each request goes to the parent's
 * cloud and its answer or error comes back). So this process's RSS and heap are the controller's:
 * its informers' caches, Snapshot, provider, SDK clients, and the modules they load.
 * It runs what deploy/base's Deployment runs: its args parsed by the CLI's own flags and
 * toClusterRunOptions, so leader election, the admission webhook (its certificates in the Secret
 * deploy/base ships empty) and the resync periods are the shipped defaults. Only the listen
 * addresses move to loopback port 0 (several runs share the host) and the kubeconfig is a file
 * naming the fake instead of the Pod's service account.
 * Run by bench/scenarios/memory.ts, compiled (memory-build.ts: the controller from dist/, no
 * TypeScript loader), with --expose-gc; not meant to be started by hand.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Command } from 'commander';
import { fakeKubeConfigFile } from '../fakes/kube/kubeconfig.js';
import { clusterFlags, observabilityFlags, toClusterRunOptions, type RunFlagValues } from '../src/config.js';
import { createCloudClock } from './clock.js';
import { startBenchController } from './controller.js';
import type { ChildMessage, ParentMessage, MemoryReport, SerializedError } from './memory-protocol.js';

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
const send = (message: ChildMessage): void => {
  process.send?.(message);
};

function revive(error: SerializedError): Error {
  return Object.assign(new Error(error.message), error);
}

async function main(): Promise<void> {
  const start = await new Promise<Extract<ParentMessage, { type: 'start' }>>((resolve) => {
    process.once('message', (message: ParentMessage) => {
      if (message.type === 'start') resolve(message);
    });
  });
  const clock = createCloudClock({ scale: start.scale, originEpochMs: start.originEpochMs });
  const pending = new Map<number, { resolve: (output: object) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let reportRequested: (() => void) | undefined;
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'answer') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiting?.reject(revive(message.error));
      else waiting?.resolve(message.output ?? {});
    } else if (message.type === 'report') reportRequested?.();
  });

  collect();
  const baseline = process.memoryUsage();
  const peak = { rss: baseline.rss, heapUsed: baseline.heapUsed, heapTotal: baseline.heapTotal, external: baseline.external };
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
    peak.heapTotal = Math.max(peak.heapTotal, usage.heapTotal);
    peak.external = Math.max(peak.external, usage.external);
  }, 20);

  const { connection, run } = await deploymentRun(start);
  const handle = await startBenchController({
    connection,
    run,
    clock,
    transport: (service, action, input) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        send({ type: 'call', id, service, action, input });
      }),
    onReconcile: () => {},
  });
  send({ type: 'started' });
  await new Promise<void>((resolve) => (reportRequested = resolve));
  clearInterval(sampler);
  collect();
  const settled = process.memoryUsage();
  const report: MemoryReport = {
    baselineRss: baseline.rss,
    baselineHeapUsed: baseline.heapUsed,
    peakRss: Math.max(peak.rss, process.resourceUsage().maxRSS * 1024),
    peakHeapUsed: peak.heapUsed,
    peakHeapTotal: peak.heapTotal,
    peakExternal: peak.external,
    settledRss: settled.rss,
    settledHeapUsed: settled.heapUsed,
    cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
  };
  // After the figures: serialising a snapshot takes memory of its own, which the kernel's max RSS would keep.
  if (start.heapSnapshotPath) writeHeapSnapshot(start.heapSnapshotPath);
  send({ type: 'report', report });
  await handle.stop();
  process.disconnect?.();
}

/** The Deployment's args as `run` reads them, with loopback listen addresses and the fake's kubeconfig. */
async function deploymentRun(start: Extract<ParentMessage, { type: 'start' }>) {
  const command = new Command().allowUnknownOption().allowExcessArguments().exitOverride();
  for (const option of [...clusterFlags(), ...observabilityFlags()]) command.addOption(option);
  command.parse(start.deploymentArgs, { from: 'user' });
  const directory = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const kubeconfig = join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, fakeKubeConfigFile({ server: start.kubeUrl, token: start.kubeToken }));
  const loopback = (address: string): string => (address.trim() === '' ? '' : '127.0.0.1:0');
  const values = command.opts<RunFlagValues>();
  const options = await toClusterRunOptions({
    ...values,
    kubeconfig,
    metricsAddress: loopback(values.metricsAddress),
    healthAddress: loopback(values.healthAddress),
    webhookAddress: loopback(values.webhookAddress),
  });
  rmSync(directory, { recursive: true, force: true });
  const { connection, ...run } = options;
  return { connection, run };
}

void main();
