/**
 * The ALB's predefined security policies (the `ssl-policy` annotation) as TLS settings for Node:
 * protocol versions and ciphers by their OpenSSL names. From AWS's published table, "Security
 * policies for your Application Load Balancer" (Elastic Load Balancing, Application Load Balancers
 * guide: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
 * "Protocols by policy" and "Ciphers by policy"; `aws elbv2 describe-ssl-policies` prints the same).
 * The post-quantum (`-PQ-`) variants add only key-exchange groups, so they map to the policy they
 * extend; FIPS policies are not listed (Node's OpenSSL is not in FIPS mode here).
 *
 * A listener without a policy gets ELBSecurityPolicy-2016-08, the ALB's default for listeners
 * created through the API (as the controller creates them). An unknown name also gets it, and the
 * apply reports it; translate takes the name as written (it does not know AWS's list).
 *
 * Locally, OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level, so the policies that
 * allow them serve TLS 1.2 and up here. Pure.
 * @module
 */

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsPolicy {
  name: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** OpenSSL names, in the policy's order of preference (TLS 1.3 suites first). */
  ciphers: readonly string[];
}

export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const ECDHE_GCM = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];
const ECDHE_SHA2 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
];
const ECDHE_ALL = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES256-SHA',
];
const RSA_SHA2 = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256'];
const RSA_ALL = ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA'];
const LEGACY = [...ECDHE_ALL, ...RSA_ALL];

function policy(name: string, minVersion: TlsVersion, maxVersion: TlsVersion, ciphers: readonly string[]): TlsPolicy {
  return { name, minVersion, maxVersion, ciphers };
}

const POLICIES: readonly TlsPolicy[] = [
  policy('ELBSecurityPolicy-TLS13-1-3-2021-06', 'TLSv1.3', 'TLSv1.3', TLS13),
  policy('ELBSecurityPolicy-TLS13-1-2-2021-06', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...ECDHE_SHA2]),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-2021-06', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...ECDHE_GCM]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...ECDHE_SHA2, ...RSA_SHA2]),
  policy('ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...LEGACY]),
  policy('ELBSecurityPolicy-TLS13-1-1-2021-06', 'TLSv1.1', 'TLSv1.3', [...TLS13, ...LEGACY]),
  policy('ELBSecurityPolicy-TLS13-1-0-2021-06', 'TLSv1', 'TLSv1.3', [...TLS13, ...LEGACY]),
  policy('ELBSecurityPolicy-TLS13-1-3-PQ-2025-09', 'TLSv1.3', 'TLSv1.3', TLS13),
  policy('ELBSecurityPolicy-TLS13-1-2-PQ-2025-09', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...ECDHE_SHA2]),
  policy('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09', 'TLSv1.2', 'TLSv1.3', [...TLS13, ...ECDHE_GCM]),
  policy('ELBSecurityPolicy-2016-08', 'TLSv1', 'TLSv1.2', LEGACY),
  policy('ELBSecurityPolicy-TLS-1-0-2015-04', 'TLSv1', 'TLSv1.2', [...LEGACY, 'DES-CBC3-SHA']),
  policy('ELBSecurityPolicy-TLS-1-1-2017-01', 'TLSv1.1', 'TLSv1.2', LEGACY),
  policy('ELBSecurityPolicy-TLS-1-2-2017-01', 'TLSv1.2', 'TLSv1.2', [...ECDHE_SHA2, ...RSA_SHA2]),
  policy('ELBSecurityPolicy-TLS-1-2-Ext-2018-06', 'TLSv1.2', 'TLSv1.2', LEGACY),
  policy('ELBSecurityPolicy-FS-2018-06', 'TLSv1', 'TLSv1.2', ECDHE_ALL),
  policy('ELBSecurityPolicy-FS-1-1-2019-08', 'TLSv1.1', 'TLSv1.2', ECDHE_ALL),
  policy('ELBSecurityPolicy-FS-1-2-2019-08', 'TLSv1.2', 'TLSv1.2', ECDHE_ALL),
  policy('ELBSecurityPolicy-FS-1-2-Res-2019-08', 'TLSv1.2', 'TLSv1.2', ECDHE_SHA2),
  policy('ELBSecurityPolicy-FS-1-2-Res-2020-10', 'TLSv1.2', 'TLSv1.2', ECDHE_GCM),
];

const BY_NAME = new Map(POLICIES.map((each) => [each.name, each]));

/** The policy a listener is served with, and whether its name was known. */
export function resolveSslPolicy(name: string | undefined): { policy: TlsPolicy; known: boolean } {
  const found = BY_NAME.get(name ?? DEFAULT_SSL_POLICY);
  const fallback = BY_NAME.get(DEFAULT_SSL_POLICY);
  if (!fallback) throw new Error(`${DEFAULT_SSL_POLICY} is missing from the policy table`);
  return found ? { policy: found, known: true } : { policy: fallback, known: false };
}

const VERSION_ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * What one socket shared by several load balancers offers in the handshake: every version and
 * cipher any of their policies allows. Each connection is then held to the policy of the load
 * balancer whose certificate it got (`sessionAllowed`).
 */
export function handshakeSettings(policies: readonly TlsPolicy[]): { minVersion: TlsVersion; maxVersion: TlsVersion; ciphers: string } {
  const used = policies.length > 0 ? policies : [resolveSslPolicy(undefined).policy];
  const min = Math.min(...used.map((each) => VERSION_ORDER.indexOf(each.minVersion)));
  const max = Math.max(...used.map((each) => VERSION_ORDER.indexOf(each.maxVersion)));
  const ciphers = [...new Set(used.flatMap((each) => each.ciphers))];
  return { minVersion: VERSION_ORDER[min] ?? 'TLSv1.2', maxVersion: VERSION_ORDER[max] ?? 'TLSv1.3', ciphers: ciphers.join(':') };
}

/** Whether a negotiated session (protocol as tls.getProtocol(), cipher by its OpenSSL name) is within the policy. */
export function sessionAllowed(policy: TlsPolicy, session: { protocol: string | null; cipher: string | undefined }): boolean {
  const version = VERSION_ORDER.indexOf(session.protocol as TlsVersion);
  if (version === -1 || version < VERSION_ORDER.indexOf(policy.minVersion) || version > VERSION_ORDER.indexOf(policy.maxVersion)) return false;
  return session.cipher !== undefined && policy.ciphers.includes(session.cipher);
}
