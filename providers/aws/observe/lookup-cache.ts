/**
 * A time-bounded memo for read-only AWS lookups whose answers change rarely (subnets, the account's
 * issued certificates, the security groups of a node): every reconcile asks, few need to call AWS.
 * Concurrent askers of the same key share one call; a failed call is not remembered.
 * @module
 */

/** Milliseconds, for expiry only; tests pass a clock they can move. */
export type Now = () => number;

export interface LookupOptions<V> {
  now?: Now;
  /** Whether to remember an answer (e.g. not a "not found" that the user is about to fix). */
  keep?: (value: V) => boolean;
}

interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
}

class LookupCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The remembered answer for `key`, or the answer `load` gives. */
  get(key: string, load: () => Promise<V>, options: LookupOptions<V> = {}): Promise<V> {
    const now = (options.now ?? Date.now)();
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    const value = load();
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs });
    const forget = (): void => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    };
    const keep = options.keep;
    value.then((settled) => {
      if (keep && !keep(settled)) forget();
    }, forget);
    return value;
  }

  /** Drops a remembered answer that a call of ours has just made wrong (the next ask calls AWS). */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}

/**
 * One cache per owner object (the AWS clients of one provider), so providers — and tests, each with
 * its own clients — never see each other's answers.
 */
export function cachePerOwner<V>(ttlMs: number): (owner: object) => LookupCache<V> {
  const caches = new WeakMap<object, LookupCache<V>>();
  return (owner) => {
    let cache = caches.get(owner);
    if (!cache) {
      cache = new LookupCache<V>(ttlMs);
      caches.set(owner, cache);
    }
    return cache;
  };
}

/** EC2 Describe* pages at most this size (its maximum); asking for pages keeps each answer bounded. */
export const EC2_PAGE_SIZE = 1000;
