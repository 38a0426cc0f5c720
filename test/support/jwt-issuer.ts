/**
 * A JWT issuer for tests of the local load balancer's `jwt-validation`: an RS256 key pair made with
 * jose, its JWKS served over HTTP on 127.0.0.1 (port chosen by the system), and tokens signed with
 * it — or with a key the JWKS does not hold, to be refused.
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

export interface JwtIssuer {
  issuer: string;
  jwksEndpoint: string;
  /** How many times the JWKS was fetched. */
  jwksFetches: () => number;
  /** A token signed with the published key; `claims` may override iss, exp and the rest. */
  sign(claims?: JWTPayload): Promise<string>;
  /** A token with the same kid, signed by a key the JWKS does not hold. */
  signWithStrangerKey(claims?: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

const KID = 'test-key-1';

export async function startJwtIssuer(): Promise<JwtIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server = http.createServer((request, response) => {
    if (request.url !== '/jwks') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/issuer`;
  const sign = (key: CryptoKey, claims: JWTPayload): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, sub: 'service-a', iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
      .sign(key);
  };
  return {
    issuer,
    jwksEndpoint: `${base}/jwks`,
    jwksFetches: () => fetches,
    sign: (claims = {}) => sign(privateKey, claims),
    signWithStrangerKey: (claims = {}) => sign(stranger.privateKey, claims),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
