/**
 * Small HTTP backends for the demo (`npm start`) and the tests of the local load balancer. Each answers every request
 * with a JSON body that names the backend and echoes what it received (Host, path, query, the
 * X-Forwarded-* headers), so a caller can tell which backend answered and what the load balancer
 * sent it.
 *
 * ```ts
 * const blue = await startEchoBackend({ name: 'blue' });          // 127.0.0.1, a free port
 * const green = await startEchoBackend({ name: 'green', host: '127.0.0.2', port: blue.port });
 * green.setHealthy(false);   // its health path now answers 503
 * await Promise.all([blue.close(), green.close()]);
 * ```
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoBackendOptions {
  /** Named in every answer, as `backend`. */
  name: string;
  /** Default 0: a free port chosen by the system. */
  port?: number;
  /** Default 127.0.0.1; any 127.x.y.z works on Linux, which lets backends share a port number. */
  host?: string;
  /** The path that answers 200 while healthy and 503 once `setHealthy(false)`; default `/healthz`. */
  healthPath?: string;
  /** Milliseconds to wait before answering anything but the health path; default 0. */
  delayMs?: number;
}

/** The JSON body an echo backend answers with. */
export interface EchoReply {
  backend: string;
  method: string;
  host: string | undefined;
  path: string;
  query: string;
  xForwardedFor: string | undefined;
  xForwardedProto: string | undefined;
  xForwardedPort: string | undefined;
  /** Every request header as received. */
  headers: http.IncomingHttpHeaders;
  /** The request body, as text. */
  body: string;
}

export interface EchoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Requests answered so far, health checks not counted. */
  readonly requestCount: number;
  /** Health checks received so far. */
  readonly healthCheckCount: number;
  setHealthy(healthy: boolean): void;
  setDelay(delayMs: number): void;
  close(): Promise<void>;
}

export async function startEchoBackend(options: EchoBackendOptions): Promise<EchoBackend> {
  const host = options.host ?? '127.0.0.1';
  const healthPath = options.healthPath ?? '/healthz';
  let healthy = true;
  let delayMs = options.delayMs ?? 0;
  let requestCount = 0;
  let healthCheckCount = 0;
  const pending = new Set<NodeJS.Timeout>();

  const server = http.createServer((request, response) => {
    const [path = '/', query = ''] = (request.url ?? '/').split(/\?(.*)/s);
    if (path === healthPath) {
      healthCheckCount += 1;
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok' : 'unhealthy');
      return;
    }
    requestCount += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply: EchoReply = {
        backend: options.name,
        method: request.method ?? '',
        host: request.headers.host,
        path,
        query,
        xForwardedFor: header(request, 'x-forwarded-for'),
        xForwardedProto: header(request, 'x-forwarded-proto'),
        xForwardedPort: header(request, 'x-forwarded-port'),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const send = (): void => {
        if (!response.destroyed) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      };
      if (delayMs <= 0) {
        send();
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(timer);
        send();
      }, delayMs);
      pending.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    name: options.name,
    host,
    port,
    get requestCount() {
      return requestCount;
    },
    get healthCheckCount() {
      return healthCheckCount;
    },
    setHealthy: (value) => {
      healthy = value;
    },
    setDelay: (value) => {
      delayMs = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
