/**
 * `X-Amzn-Oidc-Data`: the user's claims (from the IdP's user info endpoint) as a JWT signed by the
 * load balancer, as the ALB sends it ("Authenticate users using an Application Load Balancer",
 * "User claims encoding and signature verification"): ES256, and a protected header that names the
 * key (`kid`), the signer, the issuer, the client and the expiry.
 *
 * The ALB signs with a regional key whose public half it publishes by `kid`; the local load
 * balancer makes an ECDSA P-256 key pair when it starts and hands the public half to whoever embeds
 * it (`LocalProvider.userClaimsKey()`), so a target under test can verify the header as it would in
 * the cloud. Signing is jose's.
 *
 * Each token is minted for one forwarded request and expires two minutes later: a header that leaks
 * from a target's logs is worth little.
 * @module
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

const USER_CLAIMS_LIFETIME_SECONDS = 120;

export interface UserClaimsKey {
  kid: string;
  /** SPKI PEM, as the ALB publishes its keys. */
  publicKeyPem: string;
}

export class UserClaimsSigner {
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  get key(): UserClaimsKey {
    return { kid: this.kid, publicKeyPem: this.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  sign(claims: Record<string, unknown>, context: { signer: string; issuer: string; clientId: string; nowMs: number }): Promise<string> {
    const exp = Math.floor(context.nowMs / 1000) + USER_CLAIMS_LIFETIME_SECONDS;
    return new SignJWT({ ...claims, exp, iss: context.issuer })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.kid, signer: context.signer, iss: context.issuer, client: context.clientId, exp })
      .sign(this.privateKey);
  }
}
