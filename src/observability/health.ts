/**
 * The observability endpoints: /healthz (liveness), /readyz (readiness) and /metrics (Prometheus).
 * `--metrics-address` and `--health-address` may name one address or two: each distinct address
 * gets one node:http server that serves the endpoints assigned to it.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControllerMetrics } from './metrics.js';

/** A named condition; the names of failing checks are the 503 body, so they should read as facts. */
export interface HealthCheck {
  name: string;
  ok: () => boolean;
}

export interface ListenAddress {
  /** Undefined: every interface. */
  host?: string;
  port: number;
}

export interface ObservabilityServerOptions {
  /** `host:port`, `:port` or `[ipv6]:port`. */
  metricsAddress: string;
  healthAddress: string;
  metrics: ControllerMetrics;
  /** All must pass for /healthz: the process's loops are alive. */
  liveness: HealthCheck[];
  /** All must pass for /readyz: e.g. informers synced, leadership known. */
  readiness: HealthCheck[];
}

export interface ObservabilityServers {
  /** Base URLs as bound (a port 0 resolved), e.g. `http://127.0.0.1:41234`. */
  metricsUrl: string;
  healthUrl: string;
  close(): Promise<void>;
}

/** Parses a listen address, or returns undefined when it is not one. */
export function parseListenAddress(address: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

type Route = (response: ServerResponse) => Promise<void> | void;

export async function startObservabilityServers(options: ObservabilityServerOptions): Promise<ObservabilityServers> {
  const metricsAt = requireAddress(options.metricsAddress, 'metrics');
  const healthAt = requireAddress(options.healthAddress, 'health');
  const healthRoutes: Record<string, Route> = {
    '/healthz': (response) => respondToChecks(response, options.liveness, 'not alive'),
    '/readyz': (response) => respondToChecks(response, options.readiness, 'not ready'),
  };
  const metricsRoutes: Record<string, Route> = { '/metrics': (response) => respondWithMetrics(response, options.metrics) };
  if (sameAddress(metricsAt, healthAt)) {
    const server = await listen(metricsAt, { ...healthRoutes, ...metricsRoutes });
    const url = baseUrl(server);
    return { metricsUrl: url, healthUrl: url, close: () => closeAll([server]) };
  }
  const metricsServer = await listen(metricsAt, metricsRoutes);
  const healthServer = await listen(healthAt, healthRoutes).catch(async (error: unknown) => {
    await closeAll([metricsServer]);
    throw error;
  });
  return { metricsUrl: baseUrl(metricsServer), healthUrl: baseUrl(healthServer), close: () => closeAll([metricsServer, healthServer]) };
}

function requireAddress(address: string, what: string): ListenAddress {
  const parsed = parseListenAddress(address);
  if (!parsed) throw new Error(`${what} address "${address}" is not host:port, :port or [ipv6]:port`);
  return parsed;
}

function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

function respondToChecks(response: ServerResponse, checks: HealthCheck[], failure: string): void {
  const failing = checks.filter((check) => !check.ok()).map((check) => check.name);
  const ok = failing.length === 0;
  response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(ok ? 'ok\n' : `${failure}: ${failing.join(', ')}\n`);
}

async function respondWithMetrics(response: ServerResponse, metrics: ControllerMetrics): Promise<void> {
  try {
    const { contentType, body } = await metrics.exposition();
    response.writeHead(200, { 'Content-Type': contentType });
    response.end(body);
  } catch (error) {
    response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function listen(address: ListenAddress, routes: Record<string, Route>): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes[path];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (!route) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`no such endpoint; try ${Object.keys(routes).join(', ')}\n`);
    } else {
      void route(response);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function baseUrl(server: Server): string {
  const { address, family, port } = server.address() as AddressInfo;
  const unspecified = address === '::' || address === '0.0.0.0';
  const host = unspecified ? 'localhost' : family === 'IPv6' ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

async function closeAll(servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
}
