/**
 * ingress-nginx's source ranges: `whitelist-source-range` (or `allowlist-source-range`) and
 * `denylist-source-range`, nginx's `allow` and `deny`. Each becomes a source-ip condition; the
 * clients they shut out are answered 403, as nginx answers them.
 * @module
 */
import { isCidr, quote } from '../annotation-values.js';
import type { Json, NginxAnnotationReader } from './reader.js';

export const FORBIDDEN: Json = {
  type: 'fixed-response',
  fixedResponseConfig: { statusCode: '403', contentType: 'text/html', messageBody: '<html><body><h1>403 Forbidden</h1></body></html>' },
};

export interface SourceRanges {
  allow?: string[];
  deny?: string[];
}

export function readSourceRanges(reader: NginxAnnotationReader): SourceRanges {
  const allow = readCidrs(reader, 'whitelist-source-range') ?? readCidrs(reader, 'allowlist-source-range');
  const deny = readCidrs(reader, 'denylist-source-range');
  return { ...(allow && { allow }), ...(deny && { deny }) };
}

function readCidrs(reader: NginxAnnotationReader, key: string): string[] | undefined {
  const value = reader.use(key);
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const bad = items.find((item) => !isCidr(item) && !isCidr(`${item}/${item.includes(':') ? 128 : 32}`));
  if (bad !== undefined || items.length === 0) {
    reader.invalid(key, `expected a comma-separated list of IP addresses or CIDRs${bad ? `; ${quote(bad)} is not one` : ''}`);
    return undefined;
  }
  // A bare address is a /32 (or /128) in nginx's allow and deny.
  return items.map((item) => (item.includes('/') ? item : `${item}/${item.includes(':') ? 128 : 32}`));
}

export function sourceIpCondition(cidrs: string[]): Json {
  return { field: 'source-ip', sourceIpConfig: { values: cidrs } };
}
