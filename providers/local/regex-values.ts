/**
 * `regexValues` of rule conditions, executed by RE2 (re2js) so that matching is linear in the
 * subject: `^(a+)+$` against 5,000 `a`s and a `b` is answered at once instead of stalling the
 * event loop that serves every tenant.
 *
 * Why re2js and not the `re2` package: `re2` binds Google's C++ RE2 as a native addon, so
 * `npm ci` on a clean clone must compile it with node-gyp (or fetch a prebuilt binary, which this
 * project's machines cannot download), and the container image would carry a compiler or a
 * platform-specific binary. re2js is a pure JavaScript port of RE2/J with the same linear-time
 * guarantee and the same syntax (translate validates values with it too), so it installs
 * everywhere the rest of the project does. It is slower per match than the native engine, which
 * does not matter for values of at most 128 characters matched against one request's fields.
 *
 * A value RE2 cannot compile never throws at request time: it is compiled when the listener's
 * rules are installed, and a value that fails makes its condition value never match (the problem
 * is reported to the caller, which logs it). Translate rejects such values earlier.
 * @module
 */
import { RE2JS } from 're2js';

export type CompiledRegexValue = { ok: true; test: (subject: string) => boolean } | { ok: false; problem: string };

/**
 * As the ALB uses them: unanchored (RegExp.test semantics — anchoring is the translator's job),
 * case-insensitive for hosts and header values.
 */
export function compileRegexValue(source: string, options: { caseInsensitive: boolean }): CompiledRegexValue {
  try {
    const pattern = RE2JS.compile(source, options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    return { ok: true, test: (subject) => pattern.test(subject) };
  } catch (error) {
    return {
      ok: false,
      problem: `regex value ${JSON.stringify(source)} cannot be compiled by RE2 and never matches: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
