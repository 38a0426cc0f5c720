/**
 * OIDC client secrets for providers, read from the Snapshot only when a provider sends one to the
 * cloud (an `auth-idp-oidc` Secret's `clientID` and `clientSecret`), so that a secret never travels
 * through specs, plans, Events or logs.
 * @module
 */
import type { ClientSecretSource, OidcClientCredentials } from '../provider.js';
import type { SnapshotView } from './snapshot.js';

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** Reads from whatever Snapshot is current when asked (the runtime swaps it on every change). */
export function snapshotClientSecrets(current: () => SnapshotView): ClientSecretSource {
  return {
    get(namespace: string, name: string): OidcClientCredentials | undefined {
      const secret = current().secret(namespace, name);
      const clientId = decode(secret?.data?.clientID);
      const clientSecret = decode(secret?.data?.clientSecret);
      if (!clientId || !clientSecret) return undefined;
      return { clientId, clientSecret };
    },
  };
}
