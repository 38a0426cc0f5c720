/**
 * Helpers for tests of the local load balancer: apply specs translated from YAML, send real
 * requests over loopback, and make TLS Secrets with openssl.
 * @module
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, CertificateMaterial, CertificateMaterialSource } from '../../src/provider.js';
import { createProvider, type LocalProvider } from '../../providers/local/index.js';
import type { EchoReply } from '../../demo/echo-backend.js';

/** A provider on free ports (the system chooses them) with health checks 100× faster. */
export function testProvider(
  settings: Record<string, number | string> = {},
  certificates: CertificateMaterialSource = new MemoryCertificates(),
): LocalProvider {
  return createProvider({
    clusterName: 'test',
    certificates,
    settings: { httpPort: 0, httpsPort: 0, healthCheckTimeScale: 0.01, ...settings },
  });
}

/** observe → diff → apply, as the controller does; fails the test on an operation error. */
export async function applySpec(provider: LocalProvider, spec: LoadBalancerSpec): Promise<ApplyResult> {
  const plan = provider.diff(spec, await provider.observe(spec.stack));
  const result = await provider.apply(plan);
  const errors = result.outcomes.filter((outcome) => outcome.error);
  assert.deepEqual(errors, [], 'every operation of the apply must succeed');
  return result;
}

export class MemoryCertificates implements CertificateMaterialSource {
  private readonly byName = new Map<string, CertificateMaterial>();

  set(namespace: string, name: string, material: CertificateMaterial): void {
    this.byName.set(`${namespace}/${name}`, material);
  }

  get(namespace: string, name: string): CertificateMaterial | undefined {
    return this.byName.get(`${namespace}/${name}`);
  }
}

export interface TestRequest {
  port: number;
  path?: string;
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * HTTPS when set: the CA to trust and the SNI server name, which the certificate must match.
   * Without a server name no SNI is sent and the certificate is trusted by CA alone.
   */
  tls?: { ca: string[]; servername?: string };
  agent?: http.Agent;
}

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The certificate the server presented (HTTPS only). */
  certificate?: PeerCertificate;
  /** True when the request went over a connection an earlier request had opened. */
  reusedSocket: boolean;
}

export function send(request: TestRequest): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host: '127.0.0.1',
      port: request.port,
      path: request.path ?? '/',
      method: request.method ?? 'GET',
      headers: { ...(request.host ? { host: request.host } : {}), ...request.headers },
      agent: request.agent ?? false,
      ...(request.tls ? tlsOptions(request.tls) : {}),
    };
    const outgoing = (request.tls ? https : http).request(options, (response) => {
      const chunks: Buffer[] = [];
      const socket = response.socket as TLSSocket;
      const certificate = request.tls ? socket.getPeerCertificate() : undefined;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(certificate ? { certificate } : {}),
          reusedSocket: outgoing.reusedSocket,
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

function tlsOptions(tls: { ca: string[]; servername?: string }): https.RequestOptions {
  return tls.servername === undefined ? { ca: tls.ca, servername: '', checkServerIdentity: () => undefined } : { ca: tls.ca, servername: tls.servername };
}

/** The echo backend's reply; fails the test when another status or body came back. */
export async function echo(request: TestRequest): Promise<EchoReply> {
  const response = await send(request);
  assert.equal(response.status, 200, `expected 200 from a backend, got ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as EchoReply;
}

export interface SelfSignedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/** A self-signed certificate for these DNS names (the first is also the subject CN). */
export function selfSignedCertificate(hosts: readonly string[]): SelfSignedCertificate {
  const directory = mkdtempSync(join(tmpdir(), 'ingress-bridge-cert-'));
  try {
    const keyFile = join(directory, 'tls.key');
    const certificateFile = join(directory, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-keyout',
        keyFile,
        '-out',
        certificateFile,
        '-subj',
        `/CN=${hosts[0]}`,
        '-addext',
        `subjectAltName=${hosts.map((host) => `DNS:${host}`).join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    return { certificatePem: readFileSync(certificateFile, 'utf8'), privateKeyPem: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export { tlsSecretYaml } from './cluster.js';

export function materialOf(certificate: SelfSignedCertificate): CertificateMaterial {
  return { certificatePem: certificate.certificatePem, chainPem: '', privateKeyPem: certificate.privateKeyPem };
}
