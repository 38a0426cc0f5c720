/**
 * Parsers for the value formats annotations share with aws-load-balancer-controller: enums,
 * bounded integers, stringList `a,b`, stringMap `k1=v1,k2=v2`, JSON, CIDRs, port names. Each
 * returns the typed value or a problem phrased as what is accepted, for the caller's diagnostic.
 * @module
 */
import { isIP } from 'node:net';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function accept<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function reject<T>(problem: string): Parsed<T> {
  return { ok: false, problem };
}

const MAX_ECHO = 100;

/**
 * Text from the input made safe for a one-line message: every control character (JSON.stringify
 * leaves C1 ones such as U+0085, a line break to some readers) becomes a `\uXXXX` escape.
 */
export function escapeControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** A value quoted for a message; long values are cut so that a message never carries a whole manifest. */
export function quote(value: string): string {
  if (value.length <= MAX_ECHO) return escapeControls(JSON.stringify(value));
  return `${escapeControls(JSON.stringify(value.slice(0, MAX_ECHO)))}… (${value.length} characters)`;
}

const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Control characters (C0 with CR and LF, DEL, C1) have no place in a value that becomes part of a
 * request match, a header, a redirect or a regex: CR/LF would split a header in two.
 */
export function controlCharacterProblem(value: string): string | undefined {
  const match = CONTROL_CHARACTER.exec(value);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
  return `contains the control character U+${code} at position ${match.index}; CR, LF and other control characters are not allowed`;
}

export function parseEnum<T extends string>(raw: string, allowed: readonly T[]): Parsed<T> {
  const match = allowed.find((candidate) => candidate === raw);
  return match === undefined ? reject(`expected ${orList(allowed)}`) : accept(match);
}

/** `a, b or c` (the caller's words, in order). */
export function orList(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

export interface IntegerRange {
  min: number;
  max: number;
}

/** A decimal integer as Go's strconv.ParseInt reads it (optional sign, no spaces), within a range. */
export function parseInteger(raw: string, range: IntegerRange): Parsed<number> {
  const expected = `expected an integer from ${range.min} to ${range.max}`;
  if (!/^[+-]?\d+$/.test(raw)) return reject(expected);
  const value = Number(raw);
  return value < range.min || value > range.max ? reject(expected) : accept(value);
}

const PORT_RANGE: IntegerRange = { min: 1, max: 65535 };

export function parsePort(raw: string): Parsed<number> {
  return parseInteger(raw, PORT_RANGE);
}

/** The first list item with a control character, as a problem; undefined when there is none. */
export function listControlProblem(items: readonly string[]): string | undefined {
  for (const item of items) {
    const control = controlCharacterProblem(item);
    if (control !== undefined) return `${quote(item)} ${control}`;
  }
  return undefined;
}

/** stringList: comma-separated, each item trimmed, empty items dropped (as aws-load-balancer-controller). */
export function parseStringList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * stringMap: stringList items of the form `key=value`; the key must not be empty, the value may be.
 * Unlike aws-load-balancer-controller, spaces around `=` are trimmed: no AWS key ends in a space.
 */
export function parseStringMap(raw: string): Parsed<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const item of parseStringList(raw)) {
    const separator = item.indexOf('=');
    const key = item.slice(0, Math.max(separator, 0)).trim();
    if (separator < 0 || key === '') return reject(`expected key=value pairs separated by commas; ${quote(item)} is not one`);
    const control = controlCharacterProblem(item);
    if (control !== undefined) return reject(`${quote(item)} ${control}`);
    entries[key] = item.slice(separator + 1).trim();
  }
  return accept(entries);
}

/**
 * Bounds on the JSON annotations (`actions.*`, `conditions.*`, `listen-ports`): real values are a few
 * hundred characters, a few levels deep. Deeper values are refused before JSON.parse, because code
 * that walks or prints a parsed value (JSON.stringify among it) recurses once per level and a value
 * nested thousands deep would overflow the stack.
 */
export const MAX_JSON_LENGTH = 32 * 1024;
export const MAX_JSON_DEPTH = 32;

export function parseJson(raw: string): Parsed<unknown> {
  if (raw.length > MAX_JSON_LENGTH) return reject(`expected JSON of at most ${MAX_JSON_LENGTH} characters, got ${raw.length}`);
  if (exceedsJsonDepth(raw, MAX_JSON_DEPTH)) return reject(`expected JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
  try {
    return accept(JSON.parse(raw) as unknown);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return reject(`expected valid JSON (${escapeControls(detail.slice(0, MAX_ECHO))})`);
  }
}

/** True when brackets and braces outside strings nest deeper than `limit`; one pass, no recursion. */
function exceedsJsonDepth(raw: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      if (++depth > limit) return true;
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return false;
}

/** An IPv4 or IPv6 CIDR such as `10.0.0.0/8` or `2001:db8::/32`. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (address.includes('%') || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function parseCidrList(values: readonly string[]): Parsed<string[]> {
  const bad = values.find((value) => !isCidr(value));
  return bad === undefined ? accept([...values]) : reject(`expected IPv4 or IPv6 CIDRs such as 10.0.0.0/8 or 2001:db8::/32; ${quote(bad)} is not one`);
}

/** A Service name, as the API server requires: a DNS-1035 label. */
export const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS-1123 subdomain (Secret names, label-key prefixes); the caller checks the 253-character bound. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An RFC 7230 token: what an HTTP header name or a cookie name may be; the caller bounds the length. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A Kubernetes port name (IANA_SVC_NAME): 1-15 lower-case alphanumerics and `-`, with a letter, no `--`. */
export function isPortName(value: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(value) && /[a-z]/.test(value) && !value.includes('--');
}

export type ProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

const SUCCESS_CODE_RANGES: Record<'HTTP' | 'GRPC', IntegerRange> = {
  HTTP: { min: 200, max: 499 },
  GRPC: { min: 0, max: 99 },
};

/**
 * ALB success codes: `200`, `200,202`, `200-299`. HTTP codes lie in 200-499 and gRPC codes in 0-99;
 * without a known protocol version either family is accepted: check again once the version is known.
 */
export function parseSuccessCodes(raw: string, version: ProtocolVersion | undefined): Parsed<string> {
  const families = version === undefined ? (['HTTP', 'GRPC'] as const) : version === 'GRPC' ? (['GRPC'] as const) : (['HTTP'] as const);
  const codes: number[] = [];
  for (const item of raw.split(',')) {
    const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(item);
    if (!match) return reject(successCodesExpectation(families));
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low) return reject(successCodesExpectation(families));
    codes.push(low, high);
  }
  const fits = families.some((family) => {
    const range = SUCCESS_CODE_RANGES[family];
    return codes.every((code) => code >= range.min && code <= range.max);
  });
  return fits ? accept(raw) : reject(successCodesExpectation(families));
}

function successCodesExpectation(families: readonly ('HTTP' | 'GRPC')[]): string {
  const ranges = families.map((family) => {
    const range = SUCCESS_CODE_RANGES[family];
    return `${family} codes ${range.min}-${range.max}`;
  });
  return `expected a code, a list (200,202) or a range (200-299) of ${orList(ranges)}`;
}
