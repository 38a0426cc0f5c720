/**
 * When each key started waiting: the first event sets it, later events keep it, and resolving the
 * key ends the wait. It answers both "how long did that wait take" (for a histogram) and "how long
 * has the oldest wait lasted so far" — the second is what an alert needs, since a histogram only
 * ever sees waits that ended, and a target that is never registered would never show in one.
 * @module
 */
export class WaitingSince {
  private readonly since = new Map<string, number>();

  /** `at` in milliseconds, from the same clock as every other call. */
  start(key: string, at: number): void {
    if (!this.since.has(key)) this.since.set(key, at);
  }

  /**
   * The wait that ended, in milliseconds; undefined when the key was not waiting, or when its wait
   * began after `startedBy` (what resolves it may not have seen its event, so the wait goes on).
   */
  resolve(key: string, at: number, startedBy = at): number | undefined {
    const started = this.since.get(key);
    if (started === undefined || started > startedBy) return undefined;
    this.since.delete(key);
    return Math.max(0, at - started);
  }

  /** Ends the key's wait, whenever it began. */
  end(key: string): void {
    this.since.delete(key);
  }

  /** How many keys wait. */
  get size(): number {
    return this.since.size;
  }

  /** How long the oldest wait has lasted, in milliseconds; 0 when nothing waits. */
  oldestMs(at: number): number {
    let oldest = at;
    for (const started of this.since.values()) oldest = Math.min(oldest, started);
    return Math.max(0, at - oldest);
  }

  clear(): void {
    this.since.clear();
  }
}
