/**
 * OIDC client secrets at apply time: a plan names one by `${ClientSecret:namespace/name}`
 * (plan/auth-actions.ts), and this lookup reads it from the runtime's Secret source when the call
 * that needs it is sent. The value goes into that call's input only: not into the plan, the
 * references (which the provider keeps), outcomes or errors — a missing Secret fails the call with
 * its name, never with a value. Like the other lookups, a failure is thrown and the executor records
 * it as the operation's error.
 * @module
 */
import type { ClientSecretSource } from '../../../src/provider.js';
import type { ResolveReference } from './references.js';

const CLIENT_SECRET = /^\$\{ClientSecret:([^/}]+)\/([^}]+)\}$/;

/** Resolves client-secret placeholders from `source`; any other placeholder goes on to `next`. */
export function withClientSecrets(next: ResolveReference, source: ClientSecretSource | undefined): ResolveReference {
  return async (ref) => {
    const match = CLIENT_SECRET.exec(ref);
    if (!match) return next(ref);
    const [, namespace = '', name = ''] = match;
    const credentials = source?.get(namespace, name);
    if (!credentials) throw new Error(`the OIDC client secret in Secret ${namespace}/${name} is not available (the Secret is missing, or has no clientSecret)`);
    return credentials.clientSecret;
  };
}
