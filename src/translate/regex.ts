/**
 * Regular expressions as the ALB takes them in `regexValues`, checked before any load balancer sees
 * them. AWS documents the dialect by what it leaves out: "The regular expressions used in rule
 * conditions and rule transforms do not support the following features: lookaheads, lookbehinds,
 * backreferences, atomic groups, possessive quantifiers, subroutines, recursion, and Unicode
 * character classes (such as \p{L})" (Elastic Load Balancing, Application Load Balancers guide,
 * "Listener rules", rule basics), and each RegexValues string is at most 128 characters
 * (API reference: HostHeaderConditionConfig, PathPatternConditionConfig, HttpHeaderConditionConfig).
 * What remains is what RE2 accepts, so a value must also compile in RE2 (re2js, Go's regexp syntax):
 * that is the engine the local provider matches with, in time linear in the input, so that no value
 * can stall a request with backtracking.
 * @module
 */
import { RE2JS } from 're2js';
import { controlCharacterProblem, escapeControls } from './annotation-values.js';

/** The ALB's limit on each RegexValues string. */
const MAX_REGEX_VALUE = 128;

/** Escapes a literal for use inside a regular expression (the ELBv2 RegexValues dialect is a subset of PCRE). */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** Why the ALB (or RE2) would refuse the pattern, phrased to follow "the value"; undefined when it is accepted. */
export function regexValueProblem(pattern: string, maxLength: number = MAX_REGEX_VALUE): string | undefined {
  if (pattern === '') return 'is empty';
  if (pattern.length > maxLength) return `is ${pattern.length} characters; the ALB allows ${maxLength}`;
  const control = controlCharacterProblem(pattern);
  if (control !== undefined) return control;
  if (hasUnicodeClass(pattern)) return 'uses a Unicode character class (\\p or \\P), which the ALB does not support';
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return `is not a regular expression the ALB accepts (RE2 syntax, without lookaround, backreferences, atomic groups or possessive quantifiers): ${escapeControls(detail.slice(0, 200))}`;
  }
  return undefined;
}

/** `\p…` or `\P…` outside an escaped backslash; one left-to-right pass. */
function hasUnicodeClass(pattern: string): boolean {
  for (let index = 0; index < pattern.length; index++) {
    if (pattern[index] !== '\\') continue;
    const next = pattern[index + 1];
    if (next === 'p' || next === 'P') return true;
    index++;
  }
  return false;
}
