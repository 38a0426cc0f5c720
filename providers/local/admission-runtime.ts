/**
 * The state admission.ts needs for the life of the provider: the JWKS key sets, the sealing key of
 * sessions and logins, the key that signs user claims, and the CA bundle of mutual TLS. Made once,
 * when the provider starts; a CA bundle that cannot be used stops the start with a settings error
 * naming the file, rather than a listener that quietly refuses everyone later.
 * @module
 */
import type { ListenerSpec } from '../../src/model.js';
import type { ClientSecretSource } from '../../src/provider.js';
import { listenerAuthentications, type AdmissionRuntime } from './admission.js';
import { JwtValidator } from './jwt-validation.js';
import type { LocalLog } from './log.js';
import { readTrustStore, type TrustStore } from './mutual-tls.js';
import { OidcLogin } from './oidc-login.js';
import { compileTransforms } from './rewrite.js';
import { Sealer } from './session-cookie.js';
import { LocalSettingsError, type LocalSettings } from './settings.js';
import { UserClaimsSigner, type UserClaimsKey } from './user-claims.js';

export interface LocalAdmission {
  runtime: AdmissionRuntime;
  /** The public key that verifies X-Amzn-Oidc-Data. */
  userClaimsKey: UserClaimsKey;
}

export function createAdmission(options: { settings: LocalSettings; clientSecrets: ClientSecretSource | undefined; log: LocalLog }): LocalAdmission {
  const signer = new UserClaimsSigner();
  return {
    runtime: {
      jwt: new JwtValidator({ timeoutMs: options.settings.jwksTimeoutMs }),
      oidc: new OidcLogin({ sealer: new Sealer(), signer, credentials: options.clientSecrets, log: options.log }),
      trustStore: trustStoreOf(options.settings),
      log: options.log,
    },
    userClaimsKey: signer.key,
  };
}

function trustStoreOf(settings: LocalSettings): TrustStore | undefined {
  if (settings.mtlsTrustStore === undefined) return undefined;
  const read = readTrustStore(settings.mtlsTrustStore);
  if (!read.ok) throw new LocalSettingsError(`local provider: mtlsTrustStore ${read.problem}`);
  return read.store;
}

/** Compiles a listener's rule transforms when it is installed; the problems are those that never apply. */
export function compileListenerTransforms(listener: ListenerSpec): string[] {
  return listener.rules.flatMap((rule) => compileTransforms(rule.transforms));
}

/** The JWKS endpoints the listeners name, so the validator can forget the others. */
export function jwksEndpointsOf(listeners: readonly ListenerSpec[]): Set<string> {
  const endpoints = new Set<string>();
  for (const authentication of listeners.flatMap(listenerAuthentications)) {
    if (authentication.type === 'jwt-validation') endpoints.add(authentication.jwksEndpoint);
  }
  return endpoints;
}
