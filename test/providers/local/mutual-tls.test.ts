/**
 * Mutual TLS on the local load balancer, over sockets: `verify` closes the connection of a client
 * without a certificate, or with one the CA bundle did not sign, and forwards a client the CA signed
 * with the ALB's X-Amzn-Mtls-Clientcert-* headers; `passthrough` forwards the client's certificate
 * in X-Amzn-Mtls-Clientcert, unchecked.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import http2 from 'node:http2';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { CertificateSpec, LoadBalancerSpec, MutualAuthentication } from '../../../src/model.js';
import { createProvider, LocalSettingsError, type LocalProvider } from '../../../providers/local/index.js';
import { parseTrustStore, urlEncodePem } from '../../../providers/local/mutual-tls.js';
import { mutualTlsFixture, type MutualTlsFixture } from '../../support/client-certificates.js';
import { applySpec, materialOf, MemoryCertificates, selfSignedCertificate, type SelfSignedCertificate } from '../../support/local-lb.js';
import { recordingTarget, RecordingLog, simpleSpec } from './support.js';

let fixture: MutualTlsFixture;
let serverCertificates: Record<'secure' | 'open', SelfSignedCertificate>;
let target: Awaited<ReturnType<typeof recordingTarget>>;

before(async () => {
  fixture = mutualTlsFixture();
  serverCertificates = { secure: selfSignedCertificate(['secure.test']), open: selfSignedCertificate(['open.test']) };
  target = await recordingTarget();
});
after(async () => {
  fixture.remove();
  await target.close();
});

function httpsSpec(stackId: string, host: 'secure' | 'open', mutualAuthentication?: MutualAuthentication): LoadBalancerSpec {
  const certificate: CertificateSpec = { key: host, source: { kind: 'secret', namespace: 'default', name: `${host}-tls` }, hosts: [`${host}.test`] };
  const spec = simpleSpec({
    stackId,
    target: { ip: '127.0.0.1', port: target.port },
    port: 443,
    protocol: 'HTTPS',
    certificates: [certificate],
    rules: [[{ field: 'host-header', values: [`${host}.test`] }]],
  });
  if (mutualAuthentication) spec.listeners[0]!.mutualAuthentication = mutualAuthentication;
  return spec;
}

function startHttpsProvider(settings: Record<string, string | number> = {}): { provider: LocalProvider; log: RecordingLog } {
  const material = new MemoryCertificates();
  material.set('default', 'secure-tls', materialOf(serverCertificates.secure));
  material.set('default', 'open-tls', materialOf(serverCertificates.open));
  const log = new RecordingLog();
  return { provider: createProvider({ clusterName: 'test', certificates: material, settings: { httpPort: 0, httpsPort: 0, ...settings } }, { log }), log };
}

interface ClientRequest {
  port: number;
  servername: string;
  host?: string;
  client?: { certificatePem: string; privateKeyPem: string };
}

/** One request over a new connection; rejects when the load balancer closes the connection. */
function request(options: ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: '/',
        headers: { host: options.host ?? options.servername, 'x-amzn-mtls-clientcert-subject': 'CN=forged' },
        servername: options.servername,
        ca: [serverCertificates.secure.certificatePem, serverCertificates.open.certificatePem],
        agent: false,
        ...(options.client ? { cert: options.client.certificatePem, key: options.client.privateKeyPem } : {}),
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('mutual TLS verify', () => {
  let provider: LocalProvider;
  let port: number;

  before(async () => {
    ({ provider } = startHttpsProvider({ mtlsTrustStore: fixture.trustStorePath }));
    await applySpec(
      provider,
      httpsSpec('default/secure', 'secure', { mode: 'verify', trustStoreArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/test/abc' }),
    );
    await applySpec(provider, httpsSpec('default/open', 'open'));
    port = provider.boundPort(443) ?? assert.fail('port 443 must be served');
  });
  after(() => provider.close());

  it('closes the connection of a client without a certificate; the target sees nothing', async () => {
    const seen = target.received.length;
    await assert.rejects(request({ port, servername: 'secure.test' }));
    assert.equal(target.received.length, seen);
  });

  it('closes the connection of a client whose certificate another CA signed', async () => {
    const seen = target.received.length;
    await assert.rejects(request({ port, servername: 'secure.test', client: fixture.strangerClient }));
    assert.equal(target.received.length, seen);
  });

  it("forwards a client the CA signed, with the certificate's details in the ALB's headers", async () => {
    const response = await request({ port, servername: 'secure.test', client: fixture.client });
    assert.equal(response.status, 200);
    const headers = target.received.at(-1)?.headers ?? assert.fail('the target got the request');
    const leaf = new X509Certificate(fixture.client.certificatePem);
    assert.equal(headers['x-amzn-mtls-clientcert-subject'], 'CN=client-a', "the client's own value is replaced");
    assert.equal(headers['x-amzn-mtls-clientcert-issuer'], 'CN=Test Client CA');
    assert.equal(headers['x-amzn-mtls-clientcert-serial-number'], leaf.serialNumber);
    assert.match(String(headers['x-amzn-mtls-clientcert-validity']), /^NotBefore=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;NotAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const pem = decodeURIComponent(String(headers['x-amzn-mtls-clientcert-leaf']));
    assert.equal(new X509Certificate(pem).fingerprint256, leaf.fingerprint256);
  });

  it('serves another load balancer on the port without a client certificate', async () => {
    const response = await request({ port, servername: 'open.test' });
    assert.equal(response.status, 200);
    assert.equal(target.received.at(-1)?.headers['x-amzn-mtls-clientcert-subject'], undefined, "a client's own mTLS headers never reach a target");
  });

  it('refuses a request for the verifying load balancer on a connection another load balancer admitted', async () => {
    const seen = target.received.length;
    await assert.rejects(request({ port, servername: 'open.test', host: 'secure.test' }));
    assert.equal(target.received.length, seen);
  });

  it('refuses it over HTTP/2 as well: the whole session is closed', async () => {
    const seen = target.received.length;
    const session = http2.connect(`https://open.test:${port}`, {
      ca: [serverCertificates.secure.certificatePem, serverCertificates.open.certificatePem],
      lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]),
    } as http2.SecureClientSessionOptions);
    session.on('error', () => undefined);
    const stream = session.request({ ':path': '/', ':authority': 'secure.test' });
    const outcome = await new Promise<string>((resolve) => {
      stream.on('response', (headers) => resolve(`answered ${String(headers[':status'])}`));
      stream.on('error', () => resolve('refused'));
      stream.on('close', () => resolve('refused'));
    });
    assert.equal(outcome, 'refused');
    await new Promise((resolve) => (session.closed ? resolve(undefined) : session.once('close', resolve)));
    assert.equal(target.received.length, seen);
  });
});

describe('mutual TLS passthrough', () => {
  let provider: LocalProvider;
  let port: number;

  before(async () => {
    ({ provider } = startHttpsProvider());
    await applySpec(provider, httpsSpec('default/secure', 'secure', { mode: 'passthrough' }));
    port = provider.boundPort(443) ?? assert.fail('port 443 must be served');
  });
  after(() => provider.close());

  it("forwards the client's certificate, URL-encoded PEM with + = / kept, whoever signed it", async () => {
    const response = await request({ port, servername: 'secure.test', client: fixture.strangerClient });
    assert.equal(response.status, 200);
    const header = String(target.received.at(-1)?.headers['x-amzn-mtls-clientcert']);
    assert.match(header, /^-----BEGIN%20CERTIFICATE-----%0A/);
    assert.doesNotMatch(header, /%2B|%3D|%2F/);
    assert.equal(new X509Certificate(decodeURIComponent(header)).fingerprint256, new X509Certificate(fixture.strangerClient.certificatePem).fingerprint256);
  });

  it('forwards a client without a certificate, without the header', async () => {
    const response = await request({ port, servername: 'secure.test' });
    assert.equal(response.status, 200);
    assert.equal(target.received.at(-1)?.headers['x-amzn-mtls-clientcert'], undefined);
  });
});

describe('the CA bundle', () => {
  it('must hold CA certificates', () => {
    assert.equal(parseTrustStore(fixture.ca.certificatePem).ok, true);
    assert.match(String((parseTrustStore(fixture.client.certificatePem) as { problem?: string }).problem), /not a CA certificate/);
    assert.match(String((parseTrustStore('nothing') as { problem?: string }).problem), /no PEM certificate/);
  });

  it('stops the provider from starting when it cannot be read', () => {
    assert.throws(
      () => startHttpsProvider({ mtlsTrustStore: '/nonexistent/trust-store.pem' }),
      (error: unknown) => error instanceof LocalSettingsError && /mtlsTrustStore cannot read/.test(error.message),
    );
  });

  it('encodes PEM as the ALB does', () => {
    assert.equal(urlEncodePem('-----BEGIN X-----\nab+/=\n'), '-----BEGIN%20X-----%0Aab+/=%0A');
  });

  it('is missing: a verifying listener refuses every client, with an error diagnostic', async () => {
    const { provider } = startHttpsProvider();
    try {
      const result = await applySpec(provider, httpsSpec('default/secure', 'secure', { mode: 'verify' }));
      assert.ok(result.diagnostics.some((diagnostic) => diagnostic.severity === 'error' && /--mtls-trust-store/.test(diagnostic.message)));
      const port = provider.boundPort(443) ?? assert.fail('port 443 must be served');
      await assert.rejects(request({ port, servername: 'secure.test', client: fixture.client }));
    } finally {
      await provider.close();
    }
  });
});
