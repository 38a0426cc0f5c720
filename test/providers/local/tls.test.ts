/**
 * HTTPS on the local load balancer: the certificate is chosen by SNI from the stacks' TLS Secrets,
 * swapped on apply without re-creating the server, and certificates that only a cloud can serve are
 * reported.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, testOptions, translateYaml, type IngressFixture } from '../../support/cluster.js';
import {
  applySpec,
  echo,
  materialOf,
  MemoryCertificates,
  selfSignedCertificate,
  send,
  testProvider,
  tlsSecretYaml,
  type SelfSignedCertificate,
} from '../../support/local-lb.js';

const IP_TARGETS = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
let a: EchoBackend;
let b: EchoBackend;
let certificates: Record<'a' | 'b' | 'aRenewed', SelfSignedCertificate>;
const ca = (): string[] => Object.values(certificates).map((certificate) => certificate.certificatePem);

/** The spec of one Ingress serving a.test and b.test over HTTPS, each with its own Secret. */
function secureSpec(aCertificate: SelfSignedCertificate, extra: Partial<IngressFixture> = {}): LoadBalancerSpec {
  const yaml =
    INGRESS_CLASS_YAML +
    serviceYaml({ name: 'a', endpoints: [a.host], endpointPort: a.port }) +
    serviceYaml({ name: 'b', endpoints: [b.host], endpointPort: b.port }) +
    tlsSecretYaml('a-tls', aCertificate) +
    tlsSecretYaml('b-tls', certificates.b) +
    ingressYaml({
      name: 'secure',
      annotations: IP_TARGETS,
      tls: [
        { hosts: ['a.test'], secretName: 'a-tls' },
        { hosts: ['b.test'], secretName: 'b-tls' },
      ],
      rules: [
        { host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] },
        { host: 'b.test', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
      ],
      ...extra,
    });
  // The certificates were made a moment ago: translate must check them against the real clock.
  return onlySpec(translateYaml(yaml, testOptions({ now: new Date() })));
}

function fingerprintOf(certificate: SelfSignedCertificate): string {
  return new X509Certificate(certificate.certificatePem).fingerprint256;
}

before(async () => {
  certificates = {
    a: selfSignedCertificate(['a.test']),
    b: selfSignedCertificate(['b.test']),
    aRenewed: selfSignedCertificate(['a.test']),
  };
  a = await startEchoBackend({ name: 'a' });
  b = await startEchoBackend({ name: 'b' });
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
});

describe('HTTPS with SNI', () => {
  const material = new MemoryCertificates();
  let provider: LocalProvider;
  let port: number;
  before(async () => {
    material.set('default', 'a-tls', materialOf(certificates.a));
    material.set('default', 'b-tls', materialOf(certificates.b));
    provider = testProvider({}, material);
    await applySpec(provider, secureSpec(certificates.a));
    port = provider.boundPort(443) ?? assert.fail('port 443 must be served');
  });
  after(() => provider.close());

  it('serves each host its own certificate, verified by subject and SAN', async () => {
    for (const [host, expected] of [
      ['a.test', certificates.a],
      ['b.test', certificates.b],
    ] as const) {
      const response = await send({ port, host, tls: { ca: ca(), servername: host } });
      assert.equal(response.status, 200);
      assert.equal(response.certificate?.subject.CN, host);
      assert.equal(response.certificate?.subjectaltname, `DNS:${host}`);
      assert.equal(response.certificate?.fingerprint256, fingerprintOf(expected));
      const reply = JSON.parse(response.body) as { backend: string; xForwardedProto: string; xForwardedPort: string };
      assert.deepEqual([reply.backend, reply.xForwardedProto, reply.xForwardedPort], [host.charAt(0), 'https', '443']);
    }
  });

  it('serves the listener default certificate to a client that sends no server name', async () => {
    const response = await send({ port, host: 'a.test', tls: { ca: ca() } });
    assert.equal(response.certificate?.fingerprint256, fingerprintOf(certificates.a));
  });

  it('swaps a renewed certificate on apply, on the same server', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await send({ port, host: 'a.test', agent, tls: { ca: ca(), servername: 'a.test' } });
      assert.equal(before.certificate?.fingerprint256, fingerprintOf(certificates.a));

      material.set('default', 'a-tls', materialOf(certificates.aRenewed));
      const spec = secureSpec(certificates.aRenewed);
      const plan = provider.diff(spec, await provider.observe(spec.stack));
      assert.deepEqual(
        plan.operations.map((operation) => operation.action),
        ['UpdateCertificates'],
      );
      await provider.apply(plan);

      const sameConnection = await send({ port, host: 'a.test', agent, tls: { ca: ca(), servername: 'a.test' } });
      assert.equal(sameConnection.reusedSocket, true, 'the connection opened before the apply still serves');
      const fresh = await send({ port, host: 'a.test', tls: { ca: ca(), servername: 'a.test' } });
      assert.equal(fresh.certificate?.fingerprint256, fingerprintOf(certificates.aRenewed));
      assert.equal(provider.boundPort(443), port);
    } finally {
      agent.destroy();
    }
  });
});

describe('certificates only a cloud can serve', () => {
  it('are reported once on the member Ingresses, and the Secret certificates keep serving', async () => {
    const material = new MemoryCertificates();
    material.set('default', 'a-tls', materialOf(certificates.a));
    material.set('default', 'b-tls', materialOf(certificates.b));
    const provider = testProvider({}, material);
    try {
      const arn = 'arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-0000-4000-8000-000000000000';
      const spec = secureSpec(certificates.a, { annotations: { ...IP_TARGETS, 'alb.ingress.kubernetes.io/certificate-arn': arn } });
      const result = await applySpec(provider, spec);
      assert.deepEqual(
        result.diagnostics.map((entry) => [entry.object.name, entry.field, entry.message.includes(arn)]),
        [['secure', 'metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]', true]],
      );
      const again = await provider.apply(provider.diff(spec, await provider.observe(spec.stack)));
      assert.deepEqual(again.diagnostics, []);
      const reply = await echo({ port: provider.boundPort(443) ?? 0, host: 'b.test', tls: { ca: ca(), servername: 'b.test' } });
      assert.equal(reply.backend, 'b');
    } finally {
      await provider.close();
    }
  });
});
