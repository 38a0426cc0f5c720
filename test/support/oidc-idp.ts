/**
 * A real OpenID Connect provider (the `oidc-provider` library) on 127.0.0.1, for tests of the local
 * load balancer's OIDC login. Its dev interactions stand in for a login page: any login name and
 * password sign in (`completeInteractions` fills the forms), so the whole authorization code flow —
 * redirects, cookies, code, token exchange with the client secret, user info — runs for real.
 *
 * The issuer's port must be known before the provider is made (it is in the issuer URL) and the
 * client's redirect URI names the load balancer's port, which is known only once the spec naming
 * the issuer is applied: `listenIdp()` binds the socket first, `start()` then makes the provider.
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface IdpEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
}

export interface ListeningIdp {
  endpoints: IdpEndpoints;
  /** Makes the provider with this client; requests before that get 503. */
  start(client: IdpClient): void;
  /** Token endpoint calls and how each authenticated its client (`basic`, `post` or `none`). */
  tokenRequests: () => readonly { clientAuthentication: 'basic' | 'post' | 'none' }[];
  close(): Promise<void>;
}

/** The claims the user info endpoint gives for an account (its id is the login name typed). */
export function claimsOf(accountId: string): Record<string, unknown> {
  return { sub: accountId, email: `${accountId}@example.test`, email_verified: true, name: `User ${accountId}` };
}

export async function listenIdp(): Promise<ListeningIdp> {
  let callback: http.RequestListener | undefined;
  const tokenRequests: { clientAuthentication: 'basic' | 'post' | 'none' }[] = [];
  const server = http.createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/token') {
      const basic = /^basic /i.test(request.headers.authorization ?? '');
      tokenRequests.push({ clientAuthentication: basic ? 'basic' : request.headers['content-type']?.includes('form') ? 'post' : 'none' });
    }
    if (callback) callback(request, response);
    else response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoints: { issuer, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, userInfoEndpoint: `${issuer}/me` },
    start(client) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: client.clientId,
            client_secret: client.clientSecret,
            redirect_uris: client.redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        findAccount: (_context, id) => ({ accountId: id, claims: () => claimsOf(id) as { sub: string } }),
        cookies: { keys: ['test-only-cookie-signing-key'] },
        // Lifetimes of its own, so that the library does not warn that the defaults were used.
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
        features: { devInteractions: { enabled: true } },
      });
      callback = provider.callback();
    },
    tokenRequests: () => tokenRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
