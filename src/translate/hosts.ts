/**
 * Ingress hosts → host-header conditions. Hosts match case-insensitively; `*.foo.com` matches exactly
 * one extra DNS label. The ALB's own `*` spans dots (`*.foo.com` would also match `a.b.foo.com`), so a
 * wildcard host is written as an anchored regex instead of a wildcard value.
 * @module
 */
import type { Condition } from '../model.js';
import { quote } from './annotation-values.js';
import { escapeRegex } from './regex.js';

export type HostClass = 'exact' | 'wildcard' | 'none';

export type ParsedHost = { ok: true; host?: string; hostClass: HostClass } | { ok: false; message: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_DNS_NAME = 253;
const MAX_LABEL = 63;

function isDnsSubdomain(name: string): boolean {
  if (name.length === 0 || name.length > MAX_DNS_NAME) return false;
  return name.split('.').every((label) => label.length <= MAX_LABEL && DNS_LABEL.test(label));
}

/** Validates an Ingress rule host as the API server does (RFC 1123, optional leading `*.`, no IPs). */
export function parseHost(raw: string | undefined): ParsedHost {
  if (raw === undefined || raw === '') return { ok: true, hostClass: 'none' };
  const host = raw.toLowerCase();
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (!isDnsSubdomain(name)) {
    return {
      ok: false,
      message:
        `host ${quote(raw)} is not a valid DNS name: lower-case letters, digits, '-' and '.', ` +
        `labels of at most 63 characters, optionally starting with "*." (one wildcard label)`,
    };
  }
  if (/^[0-9.]+$/.test(name)) return { ok: false, message: `host ${quote(raw)} is an IP address; Ingress hosts must be DNS names` };
  return { ok: true, host, hostClass: wildcard ? 'wildcard' : 'exact' };
}

/** The host-header condition for a valid host; none for a host-less rule. */
export function hostCondition(host: string | undefined): Condition | undefined {
  if (!host) return undefined;
  if (!host.startsWith('*.')) return { field: 'host-header', values: [host] };
  // One label, then the literal suffix; a port after the name is tolerated as in the Host header.
  return { field: 'host-header', regexValues: [`^[^.]+${escapeRegex(host.slice(1))}(:[0-9]+)?$`] };
}
