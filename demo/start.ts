/**
 * `npm start`: the whole mission on this machine. Starts an echo backend for every loopback endpoint
 * and NodePort the manifests name (each answering with its Service and pod), then runs the
 * controller with the local provider on the directory, watching it for changes.
 *
 *   node demo/start.ts [DIR] [run flags…]     (DIR defaults to examples/)
 * @module
 */
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
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
export function backendsFor(slices: readonly V1EndpointSlice[], services: readonly V1Service[], nodes: readonly V1Node[]): BackendPlan[] {
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
  const nodeAddresses = nodes.flatMap((node) => node.status?.addresses?.filter((address) => address.type === 'InternalIP').map((address) => address.address) ?? []).filter(isLoopback);
  for (const service of services) {
    for (const port of service.spec?.ports ?? []) {
      if (port.nodePort === undefined) continue;
      for (const host of nodeAddresses) {
        const key = `${host}:${port.nodePort}`;
        if (!plans.has(key)) plans.set(key, { name: `${service.metadata?.namespace}/${service.metadata?.name} via NodePort ${port.nodePort}`, host, port: port.nodePort });
      }
    }
  }
  return [...plans.values()];
}

async function startDemo(argv: string[]): Promise<number> {
  const dir = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'examples/';
  const flags = argv[0] === dir ? argv.slice(1) : argv;
  const { snapshot } = await loadManifestDirectory(dir);
  const backends: EchoBackend[] = [];
  for (const plan of backendsFor(snapshot.list('EndpointSlice'), snapshot.list('Service'), snapshot.nodes())) {
    backends.push(await startEchoBackend(plan));
  }
  process.stdout.write(`started ${backends.length} echo backends on loopback; Ctrl-C stops everything\n\n`);
  try {
    return await main(['run', '--manifests', dir, ...flags]);
  } finally {
    await Promise.all(backends.map((backend) => backend.close()));
  }
}

process.exitCode = await startDemo(process.argv.slice(2));
