/**
 * Percentiles and rounding for the report.
 * @module
 */

/** The nearest-rank percentile (p in [0, 100]) of the values; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Rounds to a few significant digits, for figures that should read as measured, not exact. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

export function ratio(measured: number, floor: number): number | undefined {
  return floor > 0 ? round(measured / floor) : undefined;
}
