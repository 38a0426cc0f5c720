/**
 * OIDC login on the local load balancer, completed against a real OpenID Connect provider
 * (`oidc-provider`) on 127.0.0.1: the browser is sent to the IdP, signs in through its dev
 * interactions, comes back to /oauth2/idpresponse, and its request then reaches the target with the
 * headers an ALB adds — X-Amzn-Oidc-Accesstoken, X-Amzn-Oidc-Identity and X-Amzn-Oidc-Data, the
 * last verified here with the load balancer's public key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import type { Authentication, LoadBalancerSpec } from '../../../src/model.js';
import type { ClientSecretSource, OidcClientCredentials } from '../../../src/provider.js';
import { createProvider, type LocalProvider } from '../../../providers/local/index.js';
import { Browser, type BrowserResponse } from '../../support/browser.js';
import { applySpec, materialOf, MemoryCertificates, selfSignedCertificate, send, type SelfSignedCertificate } from '../../support/local-lb.js';
import { claimsOf, listenIdp, type ListeningIdp } from '../../support/oidc-idp.js';
import { recordingTarget, RecordingLog, simpleSpec } from './support.js';

const HOST = 'app.test';
const CLIENT = { clientId: 'local-lb', clientSecret: 'test-client-secret-value' };

class MemoryClientSecrets implements ClientSecretSource {
  constructor(private readonly byName: Record<string, OidcClientCredentials>) {}

  get(namespace: string, name: string): OidcClientCredentials | undefined {
    return this.byName[`${namespace}/${name}`];
  }
}

function oidcAuthentication(idp: ListeningIdp, onUnauthenticatedRequest: 'authenticate' | 'deny' | 'allow'): Authentication {
  return {
    type: 'oidc',
    ...idp.endpoints,
    clientId: CLIENT.clientId,
    clientSecretRef: { namespace: 'default', name: 'oidc-client' },
    clientSecretFingerprint: 'test',
    onUnauthenticatedRequest,
    scope: 'openid email profile',
    sessionCookieName: 'AWSELBAuthSessionCookie',
    sessionTimeoutSeconds: 3600,
    authenticationRequestExtraParams: { prompt: 'login' },
  };
}

/** Follows the browser through the IdP's sign-in and consent until it is sent back to the load balancer. */
async function signInAtIdp(browser: Browser, start: URL, login: string): Promise<URL> {
  let next: URL | undefined = start;
  for (let step = 0; step < 12 && next; step += 1) {
    if (next.hostname === HOST) return next;
    const response: BrowserResponse = await browser.request(next);
    next = Browser.location(response);
    if (!next && response.status === 200 && response.body.includes('name="prompt" value="login"')) {
      next = Browser.location(
        await browser.request(response.url, { method: 'POST', body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString() }),
      );
    } else if (!next && response.status === 200 && response.body.includes('name="prompt" value="consent"')) {
      next = Browser.location(await browser.request(response.url, { method: 'POST', body: new URLSearchParams({ prompt: 'consent' }).toString() }));
    } else if (!next) {
      assert.fail(`the IdP answered ${response.status} at ${response.url.pathname}: ${response.body.slice(0, 300)}`);
    }
  }
  return assert.fail('the IdP never sent the browser back to the load balancer');
}

describe('OIDC login against a real OpenID Connect provider', () => {
  let idp: ListeningIdp;
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  let certificate: SelfSignedCertificate;
  let provider: LocalProvider;
  const log = new RecordingLog();
  let origin: string;
  let browser: Browser;

  before(async () => {
    idp = await listenIdp();
    target = await recordingTarget();
    certificate = selfSignedCertificate([HOST]);
    const material = new MemoryCertificates();
    material.set('default', 'app-tls', materialOf(certificate));
    provider = createProvider(
      {
        clusterName: 'test',
        certificates: material,
        clientSecrets: new MemoryClientSecrets({ 'default/oidc-client': CLIENT }),
        settings: { httpPort: 0, httpsPort: 0 },
      },
      { log },
    );
    const spec: LoadBalancerSpec = simpleSpec({
      target: { ip: '127.0.0.1', port: target.port },
      port: 443,
      protocol: 'HTTPS',
      certificates: [{ key: 'app', source: { kind: 'secret', namespace: 'default', name: 'app-tls' }, hosts: [HOST] }],
      rules: [
        [{ field: 'path-pattern', values: ['/private/*'] }],
        [{ field: 'path-pattern', values: ['/deny'] }],
        [{ field: 'path-pattern', values: ['/open'] }],
      ],
    });
    const [privateRule, denyRule, openRule] = spec.listeners[0]!.rules;
    privateRule!.authentication = oidcAuthentication(idp, 'authenticate');
    denyRule!.authentication = oidcAuthentication(idp, 'deny');
    openRule!.authentication = oidcAuthentication(idp, 'allow');
    await applySpec(provider, spec);
    // Another load balancer on the same port, without login: the callback path is its own.
    await applySpec(
      provider,
      simpleSpec({
        stackId: 'default/other',
        target: { ip: '127.0.0.1', port: target.port },
        port: 443,
        protocol: 'HTTPS',
        rules: [[{ field: 'host-header', values: ['other.test'] }]],
      }),
    );
    const port = provider.boundPort(443) ?? assert.fail('port 443 must be served');
    origin = `https://${HOST}:${port}`;
    idp.start({ ...CLIENT, redirectUris: [`${origin}/oauth2/idpresponse`] });
    browser = new Browser({ ca: [certificate.certificatePem], loopbackHosts: [HOST] });
  });
  after(async () => {
    await provider.close();
    await Promise.all([idp.close(), target.close()]);
  });

  it('logs the user in and forwards with the access token, the identity and the signed claims', async () => {
    const first = await browser.request(`${origin}/private/report?year=2026`);
    assert.equal(first.status, 302);
    const authorize = Browser.location(first) ?? assert.fail('a redirect to the IdP');
    assert.equal(`${authorize.origin}${authorize.pathname}`, idp.endpoints.authorizationEndpoint);
    assert.equal(authorize.searchParams.get('client_id'), CLIENT.clientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${origin}/oauth2/idpresponse`);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('scope'), 'openid email profile');
    assert.equal(authorize.searchParams.get('prompt'), 'login', "the rule's extra parameters are sent");
    assert.ok(authorize.searchParams.get('state'), 'a state');
    assert.equal(authorize.searchParams.get('nonce'), browser.cookiesFor(origin).get('AWSALBAuthNonce'), 'the nonce is bound to the browser by a cookie');
    assert.equal(target.received.length, 0, 'nothing reaches the target before the login');

    const callback = await signInAtIdp(browser, authorize, 'alice');
    assert.equal(callback.pathname, '/oauth2/idpresponse');
    const back = await browser.request(callback);
    assert.equal(back.status, 302);
    assert.equal(back.headers.location, `${origin}/private/report?year=2026`, 'back to the URL first asked for');
    const cookies = browser.cookiesFor(origin);
    assert.ok(cookies.get('AWSELBAuthSessionCookie-0'), 'the session cookie, named as on an ALB');
    assert.equal(cookies.has('AWSALBAuthNonce'), false, 'the nonce cookie is spent');
    assert.ok(!String(cookies.get('AWSELBAuthSessionCookie-0')).includes('alice'), 'the session cookie is sealed');
    assert.deepEqual(
      idp.tokenRequests().map((request) => request.clientAuthentication),
      ['basic'],
      'one code exchange, with the client secret in HTTP Basic',
    );

    const page = await browser.request(`${origin}/private/report?year=2026`);
    assert.equal(page.status, 200);
    const received = target.received.at(-1) ?? assert.fail('the target got the request');
    assert.equal(received.url, '/private/report?year=2026');
    assert.equal(received.headers['x-amzn-oidc-identity'], 'alice');
    assert.ok(received.headers['x-amzn-oidc-accesstoken'], 'the access token');
    const data = String(received.headers['x-amzn-oidc-data']);
    const key = provider.userClaimsKey();
    const { payload, protectedHeader } = await jwtVerify(data, await importSPKI(key.publicKeyPem, 'ES256'), { issuer: idp.endpoints.issuer });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.kid, key.kid);
    assert.equal(decodeProtectedHeader(data).client, CLIENT.clientId);
    assert.equal(decodeProtectedHeader(data).iss, idp.endpoints.issuer);
    assert.ok(String(decodeProtectedHeader(data).signer).includes('default/hardening'), 'the signer names the load balancer');
    for (const [name, value] of Object.entries(claimsOf('alice'))) assert.deepEqual(payload[name], value, `claim ${name}`);
  });

  it("shares the session with the load balancer's other rules of the same IdP", async () => {
    const response = await browser.request(`${origin}/deny`);
    assert.equal(response.status, 200);
    assert.equal(target.received.at(-1)?.headers['x-amzn-oidc-identity'], 'alice');
  });

  it('deny: 401 without a session, no redirect', async () => {
    const response = await new Browser({ ca: [certificate.certificatePem], loopbackHosts: [HOST] }).request(`${origin}/deny`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.location, undefined);
  });

  it('allow: forwards without a session and without user claims, dropping the ones a client sends', async () => {
    const port = Number(new URL(origin).port);
    const response = await send({
      port,
      path: '/open',
      host: HOST,
      headers: { 'x-amzn-oidc-identity': 'admin', 'x-amzn-oidc-data': 'forged', 'x-amzn-mtls-clientcert': 'forged' },
      tls: { ca: [certificate.certificatePem], servername: HOST },
    });
    assert.equal(response.status, 200);
    const received = target.received.at(-1);
    assert.equal(received?.url, '/open');
    assert.equal(received?.headers['x-amzn-oidc-identity'], undefined);
    assert.equal(received?.headers['x-amzn-oidc-data'], undefined);
    assert.equal(received?.headers['x-amzn-mtls-clientcert'], undefined);
  });

  it('refuses a callback whose state it did not make, and one without the nonce cookie', async () => {
    const stranger = new Browser({ ca: [certificate.certificatePem], loopbackHosts: [HOST] });
    const forged = await stranger.request(`${origin}/oauth2/idpresponse?code=abc&state=forged`);
    assert.equal(forged.status, 401);
    const started = Browser.location(await stranger.request(`${origin}/private/x`)) ?? assert.fail('a redirect to the IdP');
    const withoutNonce = await new Browser({ ca: [certificate.certificatePem], loopbackHosts: [HOST] }).request(
      `${origin}/oauth2/idpresponse?code=abc&state=${encodeURIComponent(started.searchParams.get('state') ?? '')}`,
    );
    assert.equal(withoutNonce.status, 401);
    assert.doesNotMatch(log.text(), new RegExp(CLIENT.clientSecret), 'the client secret is never logged');
  });

  it('leaves /oauth2/idpresponse to a load balancer on the same port that logs no one in', async () => {
    const response = await send({
      port: Number(new URL(origin).port),
      path: '/oauth2/idpresponse?code=x',
      host: 'other.test',
      tls: { ca: [certificate.certificatePem] },
    });
    assert.equal(response.status, 200);
    assert.equal(target.received.at(-1)?.url, '/oauth2/idpresponse?code=x');
  });

  it('ignores a session cookie it did not seal', async () => {
    const forger = new Browser({ ca: [certificate.certificatePem], loopbackHosts: [HOST] });
    const response = await forger.request(`${origin}/deny`, { headers: { cookie: 'AWSELBAuthSessionCookie-0=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(response.status, 401);
  });
});
