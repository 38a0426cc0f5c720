/**
 * The listening sockets: one server per spec port (one address:port locally), shared by every stack
 * that listens on that port. A server only says where requests go through the handler it was given,
 * which reads the current routes on each request, so changing rules, targets or certificates never
 * re-creates a server.
 *
 * Every server is built with the client-side limits (settings.ts): connection caps per socket and
 * overall (connection-limits.ts), the headers, request and keep-alive timeouts. An HTTPS server
 * also holds each connection to the ssl-policy of the load balancer whose certificate it got.
 *
 * An HTTPS server offers HTTP/2 by ALPN (`h2`, then `http/1.1`), as an ALB's HTTPS listener does,
 * unless the load balancer a connection reaches turns it off (alpn.ts): connections that pick `h2` go to an HTTP/2 server whose compatibility request and response reach
 * the same request handler (adapted by `asHttp1Facing`), and every other connection to the
 * unchanged HTTPS server, so HTTP/1 is served exactly as before.
 *
 * WebSockets are HTTP/1.1 only, as on the ALB, whose documentation has them upgrade an HTTP/1.1
 * connection and says nothing of RFC 8441: the HTTP/2 server does not advertise
 * SETTINGS_ENABLE_CONNECT_PROTOCOL, so a WebSocket client opens an HTTP/1.1 connection for its
 * handshake, and an extended CONNECT (`:protocol`) sent anyway is reset as malformed.
 * @module
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { ListenerProtocol } from '../../src/model.js';
import { selectApplicationProtocol } from './alpn.js';
import { ConnectionBudget, limitConnections } from './connection-limits.js';
import { sessionAllowed, type TlsPolicy } from './ssl-policies.js';
import type { SniCallback } from './tls.js';

export type RequestHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;
export type UpgradeHandler = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface ClientLimits {
  maxConnections: number;
  maxConnectionsPerListener: number;
  clientIdleTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface ListenerHandlers {
  request: RequestHandler;
  /** Which requests with an Upgrade header go to `upgrade` rather than `request`. */
  shouldUpgrade: (request: http.IncomingMessage) => boolean;
  upgrade: UpgradeHandler;
}

export interface TlsHandlers {
  sniCallback: SniCallback;
  /** The policy a connection for this server name must keep to (undefined: no certificate, nothing to check). */
  policyFor: (serverName: string | undefined) => TlsPolicy | undefined;
  /** Whether the client's certificate (or its lack of one) admits the connection (mutual-tls.ts); absent: all are. */
  admitConnection?: (serverName: string | undefined, socket: TLSSocket) => boolean;
  /** Whether a connection for this server name is offered HTTP/2 (`routing.http2.enabled` of its load balancer); absent: all are. */
  http2EnabledFor?: (serverName: string | undefined) => boolean;
}

interface OpenSocket {
  protocol: ListenerProtocol;
  server: http.Server | https.Server;
  /** HTTPS only: the HTTP/2 sessions of connections that negotiated `h2`. */
  h2?: { server: http2.Http2Server; sessions: Set<http2.ServerHttp2Session> };
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
    // HTTP/2 has no Connection header (a session is closed by GOAWAY instead, see close()).
    if (socket.closing && request.httpVersionMajor === 1) response.setHeader('connection', 'close');
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
  private readonly limits: ClientLimits;
  private readonly overall: ConnectionBudget;

  constructor(address: string, limits: ClientLimits) {
    this.address = address;
    this.limits = limits;
    this.overall = new ConnectionBudget(limits.maxConnections);
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
  async open(specPort: number, options: { localPort: number; protocol: ListenerProtocol; handlers: ListenerHandlers; tls: TlsHandlers }): Promise<OpenResult> {
    const server = this.createServer(options.protocol, options.handlers, options.tls);
    const socket: OpenSocket = { protocol: options.protocol, server, port: 0, active: new Set(), closing: false };
    const handler = trackResponses(socket, options.handlers.request);
    server.on('request', handler);
    if (server instanceof https.Server) socket.h2 = serveHttp2(server, handler, this.limits.clientIdleTimeoutMs);
    server.on('upgrade', options.handlers.upgrade);
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

  /**
   * The server's own TLS settings: the certificate for clients that send no server name (SNI
   * clients get theirs from the callback) and the versions and ciphers offered in the handshake.
   */
  setSecureContext(specPort: number, options: SecureContextOptions): void {
    const socket = this.sockets.get(specPort);
    if (socket?.server instanceof https.Server) socket.server.setSecureContext(options);
  }

  /**
   * Whether new connections on the port are asked for a client certificate (mutual TLS). Never
   * refused by the handshake itself: which certificate a connection needs depends on the load
   * balancer it reaches, so the verdict is read afterwards (TlsHandlers.admitConnection). Node reads
   * these two server fields for each new connection (they are what the `requestCert` and
   * `rejectUnauthorized` options set), so the server is not re-created.
   */
  requestClientCertificates(specPort: number, request: boolean): void {
    const socket = this.sockets.get(specPort);
    if (!(socket?.server instanceof https.Server)) return;
    const server = socket.server as https.Server & { requestCert: boolean; rejectUnauthorized: boolean };
    server.requestCert = request;
    server.rejectUnauthorized = false;
  }

  private createServer(protocol: ListenerProtocol, handlers: ListenerHandlers, tls: TlsHandlers): http.Server | https.Server {
    const limits = this.limits;
    const options: http.ServerOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.clientIdleTimeoutMs,
      // Node checks the headers and request timeouts on this interval (default 30 s): a slow-loris
      // connection should not outlive its timeout by much more than the timeout itself.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      shouldUpgradeCallback: handlers.shouldUpgrade,
    };
    // Asked on each handshake, so an apply that changes the attribute holds from the next connection on.
    const alpnCallback = ({ servername, protocols }: { servername: string; protocols: string[] }): string | undefined =>
      selectApplicationProtocol(protocols, tls.http2EnabledFor?.(servername || undefined) ?? true);
    const server =
      protocol === 'HTTPS' ? https.createServer({ ...options, SNICallback: tls.sniCallback, ALPNCallback: alpnCallback }) : http.createServer(options);
    limitConnections(server, { listener: new ConnectionBudget(limits.maxConnectionsPerListener), overall: this.overall });
    if (server instanceof https.Server) holdToPolicy(server, tls);
    return server;
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
    // GOAWAY: streams under way finish, no new one starts, and the connection closes after them.
    for (const session of socket.h2?.sessions ?? []) session.close();
    for (const response of socket.active) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    await closed;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.specPorts().map((port) => this.close(port)));
  }
}

/**
 * The handshake offers what any load balancer on the port allows; a connection whose version or
 * cipher its own load balancer's policy does not allow, or whose client certificate it does not
 * admit, is closed before any request is read.
 */
function holdToPolicy(server: https.Server, tls: TlsHandlers): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const servername = (socket as TLSSocket & { servername?: string | false }).servername;
    const name = typeof servername === 'string' ? servername : undefined;
    const policy = tls.policyFor(name);
    if (policy && !sessionAllowed(policy, { protocol: socket.getProtocol(), cipher: socket.getCipher().name })) socket.destroy();
    else if (tls.admitConnection && !tls.admitConnection(name, socket)) socket.destroy();
  });
}

/**
 * Hands the connections that negotiated `h2` to an HTTP/2 server, and the others to the HTTPS
 * server's own HTTP/1 connection listener. Both reach `handler`; the TLS checks (holdToPolicy) run
 * first, on every connection, whatever its protocol.
 */
function serveHttp2(server: https.Server, handler: RequestHandler, idleTimeoutMs: number): NonNullable<OpenSocket['h2']> {
  const h2 = { server: http2.createServer({ settings: { enableConnectProtocol: false } }), sessions: new Set<http2.ServerHttp2Session>() };
  // The client idle timeout, as for a keep-alive HTTP/1 connection: a session with no frame for
  // that long is closed with GOAWAY (without this listener Node would destroy it abruptly).
  h2.server.setTimeout(idleTimeoutMs);
  h2.server.on('timeout', (session: http2.ServerHttp2Session) => session.close());
  h2.server.on('session', (session) => {
    h2.sessions.add(session);
    session.once('close', () => h2.sessions.delete(session));
  });
  h2.server.on('request', (request, response) => handler(asHttp1Facing(request), response as unknown as http.ServerResponse));
  const http1Listeners = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
  const http1 = http1Listeners.at(-1);
  if (!http1) return h2;
  server.removeListener('secureConnection', http1);
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol !== 'h2') http1.call(server, socket);
    // A connection refused by holdToPolicy is already destroyed.
    else if (!socket.destroyed) h2.server.emit('connection', socket);
  });
  return h2;
}

/**
 * An HTTP/2 request as the HTTP/1 code reads it: Host from `:authority` (HTTP/2 carries the
 * authority there, RFC 9113 section 8.3.1), so host rules, X-Forwarded-* and the target's Host are
 * the same. The pseudo-headers stay (the compatibility request reads its method and path from
 * them); whatever copies headers to a next hop leaves them out (forward.ts).
 */
export function asHttp1Facing(request: http2.Http2ServerRequest): http.IncomingMessage {
  const authority = request.headers[':authority'];
  if (request.headers.host === undefined && typeof authority === 'string') request.headers.host = authority;
  return request as unknown as http.IncomingMessage;
}
