/**
 * Helpers for the hardening tests of the local load balancer: specs built directly (no YAML), a
 * provider whose log is recorded, targets that record what reaches them, raw sockets to send bytes
 * no well-behaved client would.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Action, CertificateSpec, Condition, LoadBalancerSpec, RuleSpec } from '../../../src/model.js';
import type { CertificateMaterialSource } from '../../../src/provider.js';
import { createProvider, type LocalLog, type LocalProvider } from '../../../providers/local/index.js';
import { applySpec, MemoryCertificates } from '../../support/local-lb.js';

export class RecordingLog implements LocalLog {
  readonly entries: { details: Record<string, unknown>; message: string }[] = [];

  warn(details: Record<string, unknown>, message: string): void {
    this.entries.push({ details, message });
  }

  text(): string {
    return JSON.stringify(this.entries);
  }
}

export function startProvider(
  settings: Record<string, number | string> = {},
  certificates: CertificateMaterialSource = new MemoryCertificates(),
): { provider: LocalProvider; log: RecordingLog } {
  const log = new RecordingLog();
  const provider = createProvider({ clusterName: 'test', certificates, settings: { httpPort: 0, httpsPort: 0, ...settings } }, { log });
  return { provider, log };
}

export interface SpecShape {
  stackId?: string;
  target: { ip: string; port: number };
  port?: number;
  protocol?: 'HTTP' | 'HTTPS';
  sslPolicy?: string;
  certificates?: CertificateSpec[];
  /** Rules forwarding to the target; the default action is a 404 fixed response unless `defaultForward`. */
  rules?: Condition[][];
  defaultForward?: boolean;
  attributes?: Record<string, string>;
}

const FORWARD: Action = { type: 'forward', targetGroups: [{ targetGroupKey: 'tg', weight: 1 }] };
const NOT_FOUND: Action = { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'no rule' };

/** One load balancer, one listener, one target group `tg` with one target. */
export function simpleSpec(shape: SpecShape): LoadBalancerSpec {
  const stackId = shape.stackId ?? 'default/hardening';
  const rules: RuleSpec[] = (shape.rules ?? []).map((conditions, index) => ({
    priority: index + 1,
    conditions,
    actions: [FORWARD],
    origin: { ingress: { namespace: 'default', name: 'hardening' } },
  }));
  return {
    stack: { id: stackId, name: stackId.replace('/', '-'), members: [{ namespace: 'default', name: 'hardening' }] },
    scheme: 'internal',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    attributes: shape.attributes ?? {},
    tags: {},
    listeners: [
      {
        port: shape.port ?? 80,
        protocol: shape.protocol ?? 'HTTP',
        certificateKeys: (shape.certificates ?? []).map((certificate) => certificate.key),
        ...(shape.sslPolicy !== undefined ? { sslPolicy: shape.sslPolicy } : {}),
        defaultAction: shape.defaultForward === false || shape.rules ? NOT_FOUND : FORWARD,
        rules,
      },
    ],
    targetGroups: [
      {
        key: 'tg',
        name: 'tg',
        service: { namespace: 'default', name: 'svc', port: 80 },
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: shape.target.port,
        targetType: 'ip',
        // Checks every 5 minutes: none runs during a test, so targets see only the test's requests.
        healthCheck: {
          protocol: 'HTTP',
          port: 'traffic-port',
          path: '/healthz',
          intervalSeconds: 300,
          timeoutSeconds: 5,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 2,
          successCodes: '200',
        },
        attributes: {},
        tags: {},
        targets: [{ id: `${shape.target.ip}:${shape.target.port}`, ip: shape.target.ip, port: shape.target.port }],
      },
    ],
    certificates: shape.certificates ?? [],
  };
}

export async function serve(provider: LocalProvider, spec: LoadBalancerSpec): Promise<number> {
  await applySpec(provider, spec);
  const port = spec.listeners[0]?.port ?? 80;
  return provider.boundPort(port) ?? assert.fail(`port ${port} must be served`);
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP target that records every request it parses and answers `200 ok`. */
export async function recordingTarget(): Promise<{ port: number; received: ReceivedRequest[]; close: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP target that answers every connection with these bytes, then closes. */
export async function rawTarget(answer: string): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends raw bytes and resolves with everything received until the server closes the connection. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

export function statusOf(rawResponse: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(rawResponse)?.[1] ?? 0);
}
