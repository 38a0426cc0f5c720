/**
 * `npm start`: the whole mission on this machine. Starts an echo backend for every loopback endpoint
 * and NodePort the manifests name (each answering with its Service and pod), then runs the
 * controller with the local provider on the directory, watching it for changes.
 *
 *   node demo/start.ts [DIR] [run flags…]     (DIR defaults to examples/)
 *   npm start -- --http-port 18080 --https-port 18443
 *
 * A backend's port that is already taken (most often by another `npm start`) ends the demo with
 * exit status 2 and one line naming the address. The backend does not move to a free port: the
 * EndpointSlice names its address, and a backend elsewhere would not be the one the routing sends
 * requests to.
 * @module
 */
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { loadManifestDirectory } from '../src/sources/manifests.js';
import { SERVICE_NAME_LABEL } from '../src/sources/snapshot.js';
import { startEchoBackend, type EchoBackend } from './echo-backend.js';

interface BackendPlan {
  name: string;
  host: string;
  port: number;
}

const isLoopback = (address: string | undefined): address is string => address?.startsWith('127.') ?? false;

/** One backend per pod endpoint (ip targets) and per NodePort on a loopback Node (instance targets). */
function backendsFor(slices: readonly V1EndpointSlice[], services: readonly V1Service[], nodes: readonly V1Node[]): BackendPlan[] {
  const plans = new Map<string, BackendPlan>();
  for (const slice of slices) {
    const service = `${slice.metadata?.namespace}/${slice.metadata?.labels?.[SERVICE_NAME_LABEL] ?? '?'}`;
    for (const endpoint of slice.endpoints ?? []) {
      const host = endpoint.addresses[0];
      if (!isLoopback(host)) continue;
      for (const port of slice.ports ?? []) {
        if (port.port === undefined) continue;
        plans.set(`${host}:${port.port}`, { name: `${service} pod ${endpoint.targetRef?.name ?? host}`, host, port: port.port });
      }
    }
  }
  const nodeAddresses = nodes
    .flatMap((node) => node.status?.addresses?.filter((address) => address.type === 'InternalIP').map((address) => address.address) ?? [])
    .filter(isLoopback);
  for (const service of services) {
    for (const port of service.spec?.ports ?? []) {
      if (port.nodePort === undefined) continue;
      for (const host of nodeAddresses) {
        const key = `${host}:${port.nodePort}`;
        if (!plans.has(key))
          plans.set(key, { name: `${service.metadata?.namespace}/${service.metadata?.name} via NodePort ${port.nodePort}`, host, port: port.nodePort });
      }
    }
  }
  return [...plans.values()];
}

/** Starts every backend, or none: a taken address is reported by name with what to do. */
async function startBackends(plans: readonly BackendPlan[]): Promise<{ backends: EchoBackend[] } | { problem: string }> {
  const started = await Promise.allSettled(plans.map((plan) => startEchoBackend(plan)));
  const backends = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = started.flatMap((result, index) =>
    result.status === 'rejected' ? [{ plan: plans[index] as BackendPlan, cause: result.reason as NodeJS.ErrnoException }] : [],
  );
  if (failures.length === 0) return { backends };
  await Promise.all(backends.map((backend) => backend.close()));
  const taken = failures.map(
    ({ plan, cause }) => `${plan.host}:${plan.port} (${plan.name}): ${cause.code === 'EADDRINUSE' ? 'already in use' : cause.message}`,
  );
  const hint = failures.some(({ cause }) => cause.code === 'EADDRINUSE')
    ? 'Is another `npm start` running? Stop whatever holds the port; the backend cannot move, because its EndpointSlice names this address'
    : 'the backend cannot listen there';
  // A second `npm start` finds every address taken: the first few say enough.
  const shown = taken.length > 3 ? [...taken.slice(0, 3), `and ${taken.length - 3} more`] : taken;
  return { problem: `cannot start the echo backends on ${shown.join('; ')}. ${hint}` };
}

async function startDemo(argv: string[]): Promise<number> {
  const dir = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'examples/';
  const flags = argv[0] === dir ? argv.slice(1) : argv;
  const { snapshot } = await loadManifestDirectory(dir);
  const started = await startBackends(backendsFor(snapshot.list('EndpointSlice'), snapshot.list('Service'), snapshot.nodes()));
  if ('problem' in started) {
    process.stderr.write(`npm start: ${started.problem}\n`);
    return 2;
  }
  const { backends } = started;
  process.stdout.write(`started ${backends.length} echo backends on loopback; Ctrl-C stops everything\n\n`);
  try {
    // The examples' Lambda handlers (examples/serverless/functions), unless the command line names a directory.
    const functions = join(dir, 'serverless', 'functions');
    const functionFlags = flags.some((flag) => flag.startsWith('--functions')) || !existsSync(functions) ? [] : ['--functions', functions];
    return await main(['run', '--manifests', dir, ...functionFlags, ...flags]);
  } finally {
    await Promise.all(backends.map((backend) => backend.close()));
  }
}

process.exitCode = await startDemo(process.argv.slice(2));
