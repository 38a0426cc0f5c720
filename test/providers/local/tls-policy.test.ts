/**
 * The listener's ssl-policy, applied by the local HTTPS listener from AWS's table, and a certificate
 * table whose cost per apply does not grow with the number of TLS load balancers already served.
 */
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { CertificateSpec, Diagnostic } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { handshakeSettings, resolveSslPolicy, sessionAllowed } from '../../../providers/local/ssl-policies.js';
import { tlsWork } from '../../../providers/local/tls.js';
import { applySpec, materialOf, MemoryCertificates, selfSignedCertificate, type SelfSignedCertificate } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

let certificate: SelfSignedCertificate;
let target: Awaited<ReturnType<typeof recordingTarget>>;
const material = new MemoryCertificates();

function secretCertificate(name: string, hosts: string[]): CertificateSpec {
  return { key: `secret/default/${name}`, source: { kind: 'secret', namespace: 'default', name }, hosts };
}

/** Resolves with the negotiated protocol and cipher, or rejects when the server refuses the handshake. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'a.test', rejectUnauthorized: false, ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      // A session the policy does not allow is closed by the server right after the handshake.
      socket.write('GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      socket.once('data', () => {
        socket.destroy();
        resolve(result);
      });
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed without an answer')));
  });
}

before(async () => {
  certificate = selfSignedCertificate(['a.test']);
  material.set('default', 'a-tls', materialOf(certificate));
  target = await recordingTarget();
});
after(() => target.close());

async function servePolicy(provider: LocalProvider, sslPolicy: string | undefined): Promise<number> {
  return serve(
    provider,
    simpleSpec({
      target: { ip: '127.0.0.1', port: target.port },
      port: 443,
      protocol: 'HTTPS',
      ...(sslPolicy !== undefined ? { sslPolicy } : {}),
      certificates: [secretCertificate('a-tls', ['a.test'])],
    }),
  );
}

describe('ssl-policy', () => {
  let provider: LocalProvider;
  before(() => {
    ({ provider } = startProvider({}, material));
  });
  after(() => provider.close());

  it('ELBSecurityPolicy-TLS13-1-3-2021-06 refuses a TLS 1.2 client and serves TLS 1.3', async () => {
    const port = await servePolicy(provider, 'ELBSecurityPolicy-TLS13-1-3-2021-06');
    await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2' }));
    assert.equal((await handshake(port, {})).protocol, 'TLSv1.3');
  });

  it('a forward-secrecy policy refuses AES128-SHA256 (no forward secrecy); ELBSecurityPolicy-2016-08 allows it', async () => {
    const port = await servePolicy(provider, 'ELBSecurityPolicy-FS-1-2-Res-2020-10');
    await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' }));
    assert.equal((await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
    await servePolicy(provider, 'ELBSecurityPolicy-2016-08');
    assert.equal((await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' })).cipher, 'AES128-SHA256');
  });

  it('serves ELBSecurityPolicy-2016-08 (the ALB API default) without a policy, and for an unknown name with a warning', async () => {
    const port = await servePolicy(provider, undefined);
    assert.equal((await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' })).cipher, 'AES128-SHA256');
    const spec = simpleSpec({
      target: { ip: '127.0.0.1', port: target.port },
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: 'ELBSecurityPolicy-Made-Up',
      certificates: [secretCertificate('a-tls', ['a.test'])],
    });
    const result = await applySpec(provider, spec);
    const warning = result.diagnostics.find((diagnostic: Diagnostic) => diagnostic.message.includes('ELBSecurityPolicy-Made-Up'));
    assert.equal(warning?.severity, 'warning');
    assert.match(warning?.message ?? '', /ELBSecurityPolicy-2016-08/);
  });

  it('holds each load balancer sharing a port to its own policy', () => {
    const strict = resolveSslPolicy('ELBSecurityPolicy-TLS13-1-3-2021-06').policy;
    const legacy = resolveSslPolicy('ELBSecurityPolicy-2016-08').policy;
    const shared = handshakeSettings([strict, legacy]);
    assert.deepEqual([shared.minVersion, shared.maxVersion], ['TLSv1', 'TLSv1.3']);
    assert.equal(sessionAllowed(strict, { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }), false);
    assert.equal(sessionAllowed(legacy, { protocol: 'TLSv1.2', cipher: 'AES128-SHA256' }), true);
    assert.equal(sessionAllowed(legacy, { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }), false);
  });
});

describe('the certificate table', () => {
  it('is built once per applied change, and each certificate is loaded once, however many TLS load balancers share the port', async () => {
    const { provider } = startProvider({}, material);
    try {
      const stacks = 6;
      const before = { ...tlsWork };
      for (let index = 0; index < stacks; index += 1) {
        const name = `tls-${index}`;
        material.set('default', name, materialOf(selfSignedCertificate([`${name}.test`])));
        await applySpec(
          provider,
          simpleSpec({
            stackId: `default/${name}`,
            target: { ip: '127.0.0.1', port: target.port },
            port: 443,
            protocol: 'HTTPS',
            certificates: [secretCertificate(name, [`${name}.test`])],
          }),
        );
      }
      assert.equal(tlsWork.tableBuilds - before.tableBuilds, stacks, 'one table per apply');
      // Without the cache every apply loaded every certificate on the port again: 1 + 2 + … + 6 = 21.
      assert.equal(tlsWork.contextsCreated - before.contextsCreated, stacks, 'one context per certificate');
    } finally {
      await provider.close();
    }
  });
});
