/**
 * ALB wildcard values (`*` any run of characters, `?` exactly one) matched without backtracking.
 *
 * A RegExp built from `*a*a*a*a*b` backtracks exponentially on a subject of many `a`s with no `b`
 * (seconds for 200 characters, and every tenant of the process waits). Here the value is split at
 * its `*`s into segments: the first must match at the start, the last at the end, and each one in
 * between at its leftmost position after the previous one. Taking the leftmost place is always
 * safe for a glob — it leaves the most subject for the segments after it — so no choice is ever
 * revisited, and the cost is at most (subject length × value length) character comparisons.
 * @module
 */

/** One character of a segment: a literal, or `?` (any one character). */
type SegmentChar = { kind: 'literal'; char: string } | { kind: 'any' };

interface CompiledWildcard {
  /** The value had no `*`: the subject must match this single segment exactly. */
  starless: boolean;
  segments: SegmentChar[][];
}

export interface WildcardOptions {
  caseInsensitive: boolean;
  /** `\*`, `\?` and `\\` are literals (AWS documents this for query-string values alone). */
  backslashEscapes: boolean;
}

/** A predicate for one ALB wildcard value, compiled once. */
export function compileWildcard(value: string, options: WildcardOptions): (subject: string) => boolean {
  const compiled = parseWildcard(options.caseInsensitive ? value.toLowerCase() : value, options.backslashEscapes);
  return (subject) => matchesWildcard(compiled, options.caseInsensitive ? subject.toLowerCase() : subject);
}

function parseWildcard(value: string, backslashEscapes: boolean): CompiledWildcard {
  const segments: SegmentChar[][] = [[]];
  for (let index = 0; index < value.length; index += 1) {
    const char = value.charAt(index);
    const next = value.charAt(index + 1);
    const current = segments[segments.length - 1] ?? [];
    if (backslashEscapes && char === '\\' && (next === '*' || next === '?' || next === '\\')) {
      current.push({ kind: 'literal', char: next });
      index += 1;
    } else if (char === '*') segments.push([]);
    else if (char === '?') current.push({ kind: 'any' });
    else current.push({ kind: 'literal', char });
  }
  return { starless: segments.length === 1, segments };
}

function matchesWildcard(wildcard: CompiledWildcard, subject: string): boolean {
  const { segments } = wildcard;
  const first = segments[0] ?? [];
  if (wildcard.starless) return first.length === subject.length && segmentMatchesAt(first, subject, 0);
  const last = segments[segments.length - 1] ?? [];
  if (first.length + last.length > subject.length) return false;
  if (!segmentMatchesAt(first, subject, 0)) return false;
  const lastStart = subject.length - last.length;
  if (!segmentMatchesAt(last, subject, lastStart)) return false;
  let position = first.length;
  for (const segment of segments.slice(1, -1)) {
    const found = leftmostMatch(segment, subject, position, lastStart);
    if (found === -1) return false;
    position = found + segment.length;
  }
  return true;
}

/** The first index ≥ from where the segment matches and ends by `end`; -1 when none does. */
function leftmostMatch(segment: readonly SegmentChar[], subject: string, from: number, end: number): number {
  for (let start = from; start + segment.length <= end; start += 1) {
    if (segmentMatchesAt(segment, subject, start)) return start;
  }
  return -1;
}

function segmentMatchesAt(segment: readonly SegmentChar[], subject: string, start: number): boolean {
  if (start + segment.length > subject.length) return false;
  for (let offset = 0; offset < segment.length; offset += 1) {
    const expected = segment[offset];
    if (expected?.kind === 'literal' && subject.charAt(start + offset) !== expected.char) return false;
  }
  return true;
}
