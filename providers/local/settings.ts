/**
 * The local provider's settings (`ProviderOptions.settings`, from the command line) and the mapping
 * from a spec listener port to the port this machine listens on.
 *
 * A cloud load balancer listens on 80 and 443; a process on a developer's machine usually may not,
 * so spec port 80 is served on `httpPort` (default 8080) and 443 on `httpsPort` (default 8443).
 * Any other spec port (a Gateway listener on 8080, a listen-ports annotation) is served on its own
 * number, unless `listenerPorts` (`--listener-ports 8080=18080,9000=0`) maps it to another. A port
 * setting of 0 lets the system choose a free port (tests use it); `LocalProvider.boundPort` then
 * tells which one it chose.
 *
 * Client-side limits, like the ALB's:
 * - `clientIdleTimeoutMs` (default 60,000): a keep-alive connection with no request open is closed
 *   after this long — the ALB's default idle timeout (`idle_timeout.timeout_seconds` = 60, Elastic
 *   Load Balancing, Application Load Balancers guide, "Connection idle timeout");
 * - `headersTimeoutMs` (default 20,000): a client must have sent its request line and headers this
 *   long after it started; this is what ends a slow-loris connection that trickles a byte at a
 *   time (and so is never idle). The ALB documents no header timeout of its own; 20 s is under its
 *   60 s idle timeout and well above what any real client needs;
 * - `requestTimeoutMs` (default 300,000, Node's own default): the whole request, body included,
 *   must have arrived by then, which bounds a slow upload without cutting off large ones;
 * - `maxConnections` (default 4,096, or half the open-files limit if lower) and
 *   `maxConnectionsPerListener` (default 2,048): see connection-limits.ts.
 *
 * ALB features:
 * - `mtlsTrustStore` (`--mtls-trust-store`): a PEM file of CA certificates that client
 *   certificates of `verify` listeners must chain to, read once at start (mutual-tls.ts);
 * - `jwksTimeoutMs` (default 5,000): how long an issuer's JWKS endpoint may take (jwt-validation.ts).
 * @module
 */
import type { ProviderOptions } from '../../src/provider.js';
import { DEFAULT_MAX_CONNECTIONS_PER_LISTENER, defaultMaxConnections, processOpenFilesLimit } from './connection-limits.js';

export interface LocalSettings {
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Spec ports other than 80 and 443 served on another local port (0: the system chooses). */
  listenerPorts: ReadonlyMap<number, number>;
  /** Set: overrides every load balancer's `idle_timeout.timeout_seconds`. */
  upstreamTimeoutMs: number | undefined;
  /** Multiplies health-check intervals and timeouts (tests run them faster with e.g. 0.01). */
  healthCheckTimeScale: number;
  maxConnections: number;
  maxConnectionsPerListener: number;
  clientIdleTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** A PEM file of CA certificates: the trust store of listeners whose mutual authentication is `verify` (mutual-tls.ts). */
  mtlsTrustStore: string | undefined;
  /** How long a JWKS endpoint may take to answer (jwt-validation.ts). */
  jwksTimeoutMs: number;
  /** `--functions DIR`: the local handlers of function targets, `DIR/<name>.mjs` or `.js` (functions.ts). */
  functionsDir: string | undefined;
}

const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;
const DEFAULT_CLIENT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

type RawSettings = ProviderOptions['settings'];

export class LocalSettingsError extends Error {
  override readonly name = 'LocalSettingsError';
}

export function readLocalSettings(raw: RawSettings): LocalSettings {
  const listenAddress = raw?.listenAddress ?? '127.0.0.1';
  if (typeof listenAddress !== 'string' || listenAddress === '') {
    throw new LocalSettingsError(`local provider: listenAddress must be an IP address, got ${JSON.stringify(listenAddress)}`);
  }
  const upstreamTimeoutMs = raw?.upstreamTimeoutMs;
  const headersTimeoutMs = numberSetting('headersTimeoutMs', raw?.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, { zero: false });
  const requestTimeoutMs = numberSetting('requestTimeoutMs', raw?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, { zero: false });
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new LocalSettingsError(`local provider: headersTimeoutMs (${headersTimeoutMs}) must not be greater than requestTimeoutMs (${requestTimeoutMs})`);
  }
  return {
    listenAddress,
    httpPort: portSetting(raw, 'httpPort', 8080),
    httpsPort: portSetting(raw, 'httpsPort', 8443),
    listenerPorts: listenerPortsSetting(raw?.listenerPorts),
    upstreamTimeoutMs: upstreamTimeoutMs === undefined ? undefined : numberSetting('upstreamTimeoutMs', upstreamTimeoutMs, { zero: false }),
    healthCheckTimeScale: numberSetting('healthCheckTimeScale', raw?.healthCheckTimeScale ?? 1, { zero: false }),
    maxConnections: countSetting('maxConnections', raw?.maxConnections ?? defaultMaxConnections(processOpenFilesLimit())),
    maxConnectionsPerListener: countSetting('maxConnectionsPerListener', raw?.maxConnectionsPerListener ?? DEFAULT_MAX_CONNECTIONS_PER_LISTENER),
    clientIdleTimeoutMs: numberSetting('clientIdleTimeoutMs', raw?.clientIdleTimeoutMs ?? DEFAULT_CLIENT_IDLE_TIMEOUT_MS, { zero: false }),
    headersTimeoutMs,
    requestTimeoutMs,
    mtlsTrustStore: pathSetting(raw, 'mtlsTrustStore'),
    jwksTimeoutMs: numberSetting('jwksTimeoutMs', raw?.jwksTimeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, { zero: false }),
    functionsDir: typeof raw?.functionsDir === 'string' && raw.functionsDir !== '' ? raw.functionsDir : undefined,
  };
}

function pathSetting(raw: RawSettings, name: 'mtlsTrustStore'): string | undefined {
  const value = raw?.[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new LocalSettingsError(`local provider: ${name} must be a file path, got ${JSON.stringify(value)}`);
  return value;
}

/** The port configured for a spec listener port (0 when the system is to choose). */
export function configuredLocalPort(settings: LocalSettings, specPort: number): number {
  if (specPort === 80) return settings.httpPort;
  if (specPort === 443) return settings.httpsPort;
  return settings.listenerPorts.get(specPort) ?? specPort;
}

/** `8080=18080,9000=0`: spec port = local port, comma-separated. 80 and 443 have their own settings. */
export function listenerPortsSetting(raw: string | number | boolean | undefined): Map<number, number> {
  const ports = new Map<number, number>();
  if (raw === undefined || raw === '') return ports;
  const problem = (detail: string): LocalSettingsError =>
    new LocalSettingsError(
      `local provider: listenerPorts must be SPEC=LOCAL pairs separated by commas, e.g. 8080=18080 (${detail}), got ${JSON.stringify(raw)}`,
    );
  if (typeof raw !== 'string') throw problem('not a string');
  const port = (text: string | undefined, min: number): number => {
    const value = Number(text);
    if (text === undefined || !/^\d+$/.test(text.trim()) || value < min || value > 65535) throw problem(`${JSON.stringify(text)} is not a port number`);
    return value;
  };
  for (const pair of raw.split(',')) {
    const [spec, local, ...extra] = pair.split('=');
    if (extra.length > 0 || local === undefined) throw problem(`${JSON.stringify(pair)} is not SPEC=LOCAL`);
    const specPort = port(spec, 1);
    if (specPort === 80 || specPort === 443) throw problem(`spec port ${specPort} is set by ${specPort === 80 ? 'httpPort' : 'httpsPort'}`);
    if (ports.has(specPort)) throw problem(`spec port ${specPort} is given twice`);
    ports.set(specPort, port(local, 0));
  }
  return ports;
}

/** How long a forwarded request may wait on its target: the setting, else the LB's idle timeout. */
export function upstreamTimeoutFor(settings: LocalSettings, attributes: Record<string, string>): number {
  if (settings.upstreamTimeoutMs !== undefined) return settings.upstreamTimeoutMs;
  const idleSeconds = Number(attributes['idle_timeout.timeout_seconds']);
  return Number.isFinite(idleSeconds) && idleSeconds > 0 ? idleSeconds * 1000 : DEFAULT_UPSTREAM_TIMEOUT_MS;
}

function portSetting(raw: RawSettings, name: 'httpPort' | 'httpsPort', fallback: number): number {
  const port = numberSetting(name, raw?.[name] ?? fallback, { zero: true });
  if (!Number.isInteger(port) || port > 65535) {
    throw new LocalSettingsError(`local provider: ${name} must be a port number 0-65535, got ${JSON.stringify(raw?.[name])}`);
  }
  return port;
}

function countSetting(name: string, value: string | number | boolean): number {
  const count = numberSetting(name, value, { zero: false });
  if (!Number.isInteger(count)) throw new LocalSettingsError(`local provider: ${name} must be a whole number, got ${JSON.stringify(value)}`);
  return count;
}

/** Numbers may come as strings from the command line. */
function numberSetting(name: string, value: string | number | boolean, accepts: { zero: boolean }): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < 0 || (number === 0 && !accepts.zero)) {
    const expected = accepts.zero ? 'a number of 0 or more' : 'a number greater than 0';
    throw new LocalSettingsError(`local provider: ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return number;
}
