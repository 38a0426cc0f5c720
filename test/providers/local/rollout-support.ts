/**
 * Helpers for the rollout and failover tests of the local load balancer: Pods as loopback HTTP
 * servers that can shut down gracefully or die at once, the Service and EndpointSlice a rolling
 * update moves through (translated as the controller translates them), and client traffic that
 * counts every answer.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LoadBalancerSpec } from '../../../src/model.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, translateYaml } from '../../support/cluster.js';

export interface Pod {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** In order: `health` for each health check, `request` for each other request. */
  readonly events: ('health' | 'request')[];
  /** Connections open to this Pod now. */
  openConnections(): number;
  /** Milliseconds each answer (health checks aside) waits before it is sent. */
  setDelay(delayMs: number): void;
  /** As a Pod ends after SIGTERM: no new connections, the requests under way are answered, then it is gone. */
  shutdown(): Promise<void>;
  /** As a Pod that crashes: every connection is dropped at once, answered or not. */
  kill(): Promise<void>;
}

/** A Pod on `ip` (any 127.x.y.z), on `port` (0: a free one). Answers `{"backend": name}`. */
export async function startPod(name: string, ip: string, port = 0): Promise<Pod> {
  const events: Pod['events'] = [];
  const connections = new Set<Socket>();
  let delayMs = 0;
  const server = http.createServer((request, response) => {
    if (request.url === '/healthz') {
      events.push('health');
      response.end('ok');
      return;
    }
    events.push('request');
    request.resume();
    request.on('end', () => {
      const answer = (): void => {
        if (!response.destroyed) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ backend: name }));
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  // Longer than any test: a connection to the Pod closes because the load balancer let it go.
  server.keepAliveTimeout = 120_000;
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
  const closed = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return {
    name,
    ip,
    port: (server.address() as AddressInfo).port,
    events,
    openConnections: () => connections.size,
    setDelay: (value) => {
      delayMs = value;
    },
    shutdown: async () => {
      const done = closed();
      server.closeIdleConnections();
      await done;
    },
    kill: async () => {
      const done = closed();
      for (const socket of connections) socket.destroy();
      await done;
    },
  };
}

export type EndpointState = 'ready' | 'terminating' | 'starting';

const CONDITIONS: Record<EndpointState, string> = {
  ready: '{ready: true, serving: true, terminating: false}',
  // A Pod being deleted whose readiness probe still passes.
  terminating: '{ready: false, serving: true, terminating: true}',
  starting: '{ready: false, serving: false, terminating: false}',
};

/** Fast health checks (every 100 ms at the tests' time scale 0.02), target type ip. */
export const ROLLOUT_ANNOTATIONS: Record<string, string> = {
  'alb.ingress.kubernetes.io/target-type': 'ip',
  'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
  'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '5',
  'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '2',
};

/**
 * The spec the controller would build for an Ingress to Service `app`, whose one EndpointSlice holds
 * these Pods in these states (all on one port, as a Deployment's Pods are).
 */
export function rolloutSpec(
  endpoints: readonly { pod: Pick<Pod, 'ip' | 'port'>; state: EndpointState }[],
  annotations: Record<string, string> = ROLLOUT_ANNOTATIONS,
): LoadBalancerSpec {
  const port = endpoints[0]?.pod.port ?? 8080;
  const lines = endpoints.map(({ pod, state }) => `  - addresses: ["${pod.ip}"]\n    conditions: ${CONDITIONS[state]}`);
  const service = `apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-1
  namespace: default
  labels: {kubernetes.io/service-name: app, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
ports: [{name: http, port: ${port}, protocol: TCP}]
endpoints:${lines.length > 0 ? `\n${lines.join('\n')}` : ' []'}
---
`;
  const ingress = ingressYaml({ name: 'web', annotations, rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }] });
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + service + ingress));
}

export interface TrafficTally {
  /** Answers by status code. */
  statuses: Map<number, number>;
  /** 200 answers by the Pod that gave them. */
  backends: Map<string, number>;
  /** Requests that got no answer at all (the connection to the load balancer failed). */
  errors: string[];
  total(): number;
}

export interface Traffic {
  tally: TrafficTally;
  /** Resolves once `count` more answers have arrived. */
  answers(count: number): Promise<void>;
  /** Stops sending and resolves when every loop's last request is answered. */
  stop(): Promise<TrafficTally>;
}

/**
 * Client loops, each sending one request after another to the load balancer until stopped: some
 * over one keep-alive connection each, some on a new connection per request. `methods` are used in
 * turn (a POST carries a small body).
 */
export function startTraffic(port: number, options: { keepAlive: number; fresh: number; methods?: readonly string[] }): Traffic {
  const tally: TrafficTally = { statuses: new Map(), backends: new Map(), errors: [], total: () => sum(tally.statuses) + tally.errors.length };
  const methods = options.methods ?? ['GET'];
  const waiters: { until: number; resolve: () => void }[] = [];
  let running = true;
  const agents: http.Agent[] = [];
  const record = (status: number | undefined, body: string, error?: string): void => {
    if (error !== undefined || status === undefined) tally.errors.push(error ?? 'no status');
    else {
      tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
      if (status === 200) {
        const backend = (JSON.parse(body) as { backend: string }).backend;
        tally.backends.set(backend, (tally.backends.get(backend) ?? 0) + 1);
      }
    }
    for (const waiter of [...waiters]) {
      if (tally.total() >= waiter.until) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const loop = async (agent: http.Agent | false): Promise<void> => {
    for (let index = 0; running; index += 1) {
      const method = methods[index % methods.length] ?? 'GET';
      await new Promise<void>((resolve) => {
        const request = http.request({ host: '127.0.0.1', port, method, path: `/r${index}`, agent }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            record(response.statusCode, Buffer.concat(chunks).toString());
            resolve();
          });
          response.on('error', (error) => {
            record(undefined, '', `${method}: ${error.message}`);
            resolve();
          });
        });
        request.on('error', (error) => {
          record(undefined, '', `${method}: ${error.message}`);
          resolve();
        });
        request.end(method === 'POST' ? 'order=1' : undefined);
      });
    }
  };
  const loops: Promise<void>[] = [];
  for (let index = 0; index < options.keepAlive; index += 1) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    loops.push(loop(agent));
  }
  for (let index = 0; index < options.fresh; index += 1) loops.push(loop(false));
  return {
    tally,
    answers: (count) =>
      new Promise((resolve) => {
        const until = tally.total() + count;
        if (tally.total() >= until) resolve();
        else waiters.push({ until, resolve });
      }),
    stop: async () => {
      running = false;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return tally;
    },
  };
}

function sum(counts: Map<number, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/** Fails with the tally when anything but 200 came back. */
export function assertAllAnswered(tally: TrafficTally, what: string): void {
  const statuses = Object.fromEntries(tally.statuses);
  assert.deepEqual(
    { errors: tally.errors, statuses: Object.keys(statuses) },
    { errors: [], statuses: ['200'] },
    `${what}: every request must get a 200 from some Pod (${JSON.stringify(statuses)})`,
  );
}
