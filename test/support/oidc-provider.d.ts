/**
 * The part of `oidc-provider` (a dev dependency without types of its own) that test/support/oidc-idp.ts
 * uses: a Provider made from an issuer and a configuration, serving Node's request listener.
 */
declare module 'oidc-provider' {
  import type { RequestListener } from 'node:http';

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
  }

  export interface Account {
    accountId: string;
    claims: () => { sub: string } | Promise<{ sub: string }>;
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    claims?: Record<string, string[]>;
    findAccount?: (context: unknown, id: string) => Account | undefined | Promise<Account | undefined>;
    cookies?: { keys?: string[] };
    ttl?: Record<string, number>;
    features?: { devInteractions?: { enabled: boolean } };
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): RequestListener;
  }
}
