/** Escapes a literal for use inside a regular expression (the ELBv2 RegexValues dialect is a subset of PCRE). */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
