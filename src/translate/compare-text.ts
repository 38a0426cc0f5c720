/**
 * The one order translate sorts names and keys in: by UTF-16 code unit, as `<` compares strings.
 * Unlike `localeCompare`, it does not depend on the process's locale, so the same input yields the
 * same spec, rule priorities and plan on every machine.
 * @module
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
