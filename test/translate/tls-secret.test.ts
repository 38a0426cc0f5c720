/**
 * TLS Secrets are read in linear time (issue 11): a 1 MB PEM used to take 16 s on every reconcile
 * through a quadratic regex. These tests assert what becomes of such Secrets, not how long it takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { checkTlsSecret } from '../../src/translate/tls-secret.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, serviceYaml, tlsSecretYaml, translateYaml } from '../support/cluster.js';

const MEGABYTE = 1024 * 1024;
const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

function secretOf(certificatePem: string, privateKeyPem: string): V1Secret {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  return {
    type: 'kubernetes.io/tls',
    metadata: { name: 'web', namespace: 'shop' },
    data: { 'tls.crt': base64(certificatePem), 'tls.key': base64(privateKeyPem) },
  };
}

const certificate = testCertificate({ commonName: 'www.example.com' });
const intermediate = testCertificate({ commonName: 'ca.example.com' });

describe('checkTlsSecret on hostile PEM', () => {
  it('rejects 1 MB of BEGIN lines that never end, naming tls.crt', () => {
    const garbage = `${BEGIN}\n`.repeat(Math.ceil(MEGABYTE / (BEGIN.length + 1)));
    const check = checkTlsSecret(secretOf(garbage, certificate.privateKeyPem), new Date());
    assert.deepEqual(check, { ok: false, field: 'data["tls.crt"]', message: `tls.crt has a "${BEGIN}" line with no "${END}" after it` });
  });

  it('rejects a valid chain followed by 1 MB of an unterminated block', () => {
    const pem = `${certificate.certificatePem}${BEGIN}\n${'A'.repeat(MEGABYTE)}\n`;
    const check = checkTlsSecret(secretOf(pem, certificate.privateKeyPem), new Date());
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.message, /no "-----END CERTIFICATE-----" after it/);
  });

  it('rejects 1 MB of garbage inside one block as not X.509', () => {
    const pem = `${BEGIN}\n${'QUJD\n'.repeat(MEGABYTE / 5)}${END}\n`;
    const check = checkTlsSecret(secretOf(pem, certificate.privateKeyPem), new Date());
    assert.deepEqual(check, { ok: false, field: 'data["tls.crt"]', message: 'tls.crt holds a PEM block that is not a valid X.509 certificate' });
  });

  it('rejects 1 MB of text with no PEM block at all', () => {
    const check = checkTlsSecret(secretOf('-----BEGIN '.repeat(MEGABYTE / 11), certificate.privateKeyPem), new Date());
    assert.deepEqual(check, { ok: false, field: 'data["tls.crt"]', message: 'tls.crt holds no PEM certificate' });
  });

  it('rejects 1 MB of garbage as the key, without echoing it', () => {
    const check = checkTlsSecret(
      secretOf(certificate.certificatePem, `-----BEGIN PRIVATE KEY-----\n${'x'.repeat(MEGABYTE)}\n-----END PRIVATE KEY-----\n`),
      new Date(),
    );
    assert.deepEqual(check, { ok: false, field: 'data["tls.key"]', message: 'tls.key is not an unencrypted PEM private key' });
  });

  it('still takes a leaf and its chain, the leaf first, with text between blocks', () => {
    const pem = `leaf:\n${certificate.certificatePem}\nchain:\n${intermediate.certificatePem}`;
    const check = checkTlsSecret(secretOf(pem, certificate.privateKeyPem), new Date());
    assert.equal(check.ok, true, JSON.stringify(check));
    assert.equal(check.ok && check.leaf.subject, 'CN=www.example.com');
  });
});

describe('a Secret of 1 MB garbage through translate', () => {
  it('is an error naming the Ingress field and the Secret; the Ingress keeps its HTTP rules', () => {
    const garbage = { certificatePem: `${BEGIN}\n`.repeat(MEGABYTE / 32), privateKeyPem: 'x'.repeat(1024) };
    const translated = translateYaml(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'app' }) +
        tlsSecretYaml('big', garbage) +
        ingressYaml({
          name: 'web',
          tls: [{ hosts: ['web.test'], secretName: 'big' }],
          rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }] }],
        }),
    );
    const errors = translated.diagnostics.filter((entry) => entry.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(translated.diagnostics));
    assert.deepEqual([errors[0]?.object, errors[0]?.field], [{ kind: 'Ingress', namespace: 'default', name: 'web' }, 'spec.tls[0].secretName']);
    assert.match(errors[0]?.message ?? '', /^Secret default\/big data\["tls\.crt"\]: tls\.crt has a "-----BEGIN CERTIFICATE-----" line with no/);
    assert.equal(translated.specs[0]?.listeners.find((listener) => listener.port === 80)?.rules.length, 1);
  });
});
