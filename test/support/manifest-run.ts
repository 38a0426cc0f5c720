/**
 * `run --manifests DIR` as the end-to-end tests start it: the local provider on ports the system
 * picks, the tests' translate options, no log; Services whose endpoints are loopback backends; and a
 * poll for what takes a round to show.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startRun, type RunHandle, type RunRequest } from '../../src/commands/run-manifests.js';
import { createLogger } from '../../src/observability/logger.js';
import { testOptions } from './cluster.js';

/** Starts `run --manifests` over `manifests` with the local provider; `request` adds to or overrides the defaults. */
export function startLocalRun(manifests: string, request: Partial<RunRequest> = {}): Promise<RunHandle> {
  return startRun({
    manifests,
    provider: 'local',
    providerSettings: { httpPort: 0, httpsPort: 0 },
    once: false,
    translateOptions: () => testOptions({ now: new Date() }),
    logger: createLogger('silent'),
    print: () => undefined,
    ...request,
  });
}

/** The Service `name` (port 80, `http`) in `default`, with one ready endpoint: 127.0.0.1 at `port`. */
export function loopbackServiceYaml(name: string, port: number): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}}
addressType: IPv4
ports: [{name: http, port: ${port}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
`;
}

/** Polls until `check` passes; a round takes a moment, and the machine may be busy. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}
