/**
 * The listening sockets: one server per spec port (one address:port locally), shared by every stack
 * that listens on that port. A server only says where requests go through the handler it was given,
 * which reads the current routes on each request, so changing rules, targets or certificates never
 * re-creates a server.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { ListenerProtocol } from '../../src/model.js';
import type { SniCallback } from './tls.js';

export type RequestHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

interface OpenSocket {
  protocol: ListenerProtocol;
  server: http.Server | https.Server;
  port: number;
  /** Responses not finished yet, so that closing can end their connections when they are done. */
  active: Set<http.ServerResponse>;
  closing: boolean;
}

/**
 * A keep-alive connection whose response was already under way when the server closed would stay
 * open until its keep-alive timeout; once that response is done it is idle, and closed.
 */
function trackResponses(socket: OpenSocket, handler: RequestHandler): RequestHandler {
  return (request, response) => {
    if (socket.closing) response.setHeader('connection', 'close');
    socket.active.add(response);
    response.on('close', () => {
      socket.active.delete(response);
      if (socket.closing) setImmediate(() => socket.server.closeIdleConnections());
    });
    handler(request, response);
  };
}

export type OpenResult = { ok: true } | { ok: false; error: string };

export class ListenerSockets {
  private readonly sockets = new Map<number, OpenSocket>();
  private readonly address: string;

  constructor(address: string) {
    this.address = address;
  }

  protocolOf(specPort: number): ListenerProtocol | undefined {
    return this.sockets.get(specPort)?.protocol;
  }

  boundPort(specPort: number): number | undefined {
    return this.sockets.get(specPort)?.port;
  }

  specPorts(): number[] {
    return [...this.sockets.keys()];
  }

  /** Listens for `specPort` on `localPort`; a port already in use is an error naming it, never a throw. */
  async open(
    specPort: number,
    options: { localPort: number; protocol: ListenerProtocol; handler: RequestHandler; sniCallback: SniCallback },
  ): Promise<OpenResult> {
    const server = options.protocol === 'HTTPS' ? https.createServer({ SNICallback: options.sniCallback }) : http.createServer();
    const socket: OpenSocket = { protocol: options.protocol, server, port: 0, active: new Set(), closing: false };
    server.on('request', trackResponses(socket, options.handler));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.localPort, this.address, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const reason = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
      return { ok: false, error: `cannot listen on ${this.address}:${options.localPort} (spec port ${specPort}): ${reason}${code ? ` (${code})` : ''}` };
    }
    socket.port = (server.address() as AddressInfo).port;
    this.sockets.set(specPort, socket);
    return { ok: true };
  }

  /** The certificate for clients that send no server name; SNI clients get theirs from the callback. */
  setDefaultCertificate(specPort: number, options: SecureContextOptions | undefined): void {
    const socket = this.sockets.get(specPort);
    if (options && socket?.server instanceof https.Server) socket.server.setSecureContext(options);
  }

  /**
   * Stops accepting connections at once. Requests in flight finish, and then their connections are
   * closed rather than kept alive for more. Resolves when the last connection is gone.
   */
  async close(specPort: number): Promise<void> {
    const socket = this.sockets.get(specPort);
    if (!socket) return;
    this.sockets.delete(specPort);
    socket.closing = true;
    const closed = new Promise<void>((resolve) => socket.server.close(() => resolve()));
    socket.server.closeIdleConnections();
    for (const response of socket.active) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    await closed;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.specPorts().map((port) => this.close(port)));
  }
}
