/**
 * The sealed values the OIDC login hands the browser — the session cookie and the login's `state`
 * — and the cookie plumbing around them.
 *
 * Sealing is AES-256-GCM from node:crypto: a random 96-bit IV per value, the tag checked on open,
 * and an associated-data string that binds each value to its purpose and owner (e.g. the load
 * balancer and IdP a session was made for), so a session cookie of one load balancer is worthless to
 * another that shares the local port and host, and a `state` can never be replayed as a session.
 * The key lives in memory only: sessions end when the process does, which is what a development
 * load balancer should do.
 *
 * As the ALB does, a session that does not fit one cookie (about 4 KB) is split into shards named
 * `<name>-0`, `<name>-1`, … (the ALB's `AWSELBAuthSessionCookie-0`); at most 4 shards.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Room for the name, `=` and the attributes within a browser's 4096-byte cookie. */
export const SHARD_BYTES = 3800;
export const MAX_SHARDS = 4;

export class Sealer {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    if (key.length !== 32) throw new Error('a sealing key is 32 bytes (AES-256)');
    this.key = key;
  }

  seal(value: unknown, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The value, or undefined for anything that was not sealed by this key for this associated data. */
  open(sealed: string, associatedData: string): unknown {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}

/** The request's cookies by name (the first of a repeated name wins; values as sent). */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of Array.isArray(header) ? header : header === undefined ? [] : [header]) {
    for (const pair of line.split(';')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      if (!cookies.has(name)) cookies.set(name, pair.slice(equals + 1).trim());
    }
  }
  return cookies;
}

/** The shards of a sealed value joined again; undefined when the first is missing. */
export function joinShards(cookies: ReadonlyMap<string, string>, name: string): string | undefined {
  let joined = '';
  for (let index = 0; index < MAX_SHARDS; index += 1) {
    const shard = cookies.get(`${name}-${index}`);
    if (shard === undefined) break;
    joined += shard;
  }
  return joined === '' ? undefined : joined;
}

export interface CookieAttributes {
  maxAgeSeconds: number;
}

/**
 * Set-Cookie lines for a sealed value in shards, plus expired ones for the shards of a longer earlier
 * value that the request still carries; undefined when it needs more than MAX_SHARDS. Secure and
 * HttpOnly always; SameSite=None as the ALB sets it, so the session also rides requests that a page
 * of another site makes.
 */
export function shardCookies(name: string, sealed: string, attributes: CookieAttributes, carried: ReadonlyMap<string, string>): string[] | undefined {
  const count = Math.ceil(sealed.length / SHARD_BYTES);
  if (count > MAX_SHARDS) return undefined;
  const lines: string[] = [];
  for (let index = 0; index < MAX_SHARDS; index += 1) {
    const shard = `${name}-${index}`;
    if (index < count) lines.push(cookieLine(shard, sealed.slice(index * SHARD_BYTES, (index + 1) * SHARD_BYTES), attributes.maxAgeSeconds));
    else if (carried.has(shard)) lines.push(cookieLine(shard, '', 0));
  }
  return lines;
}

export function cookieLine(name: string, value: string, maxAgeSeconds: number): string {
  const expiry = maxAgeSeconds > 0 ? `Max-Age=${maxAgeSeconds}` : 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  return `${name}=${value}; Path=/; ${expiry}; Secure; HttpOnly; SameSite=None`;
}
