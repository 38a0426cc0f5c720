/**
 * Chance that repeats with the seed: the generated cluster, the latency jitter and the churn are the
 * same on every run. The PRNG is the AWS fake's (fakes import no production or bench code, so it lives there).
 * @module
 */
export { seededRandom } from '../fakes/aws/random.js';

/** An integer in [0, n). */
export function pick(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
