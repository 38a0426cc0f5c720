/**
 * The local provider's settings (`ProviderOptions.settings`, from the command line) and the mapping
 * from a spec listener port to the port this machine listens on.
 *
 * A cloud load balancer listens on 80 and 443; a process on a developer's machine usually may not,
 * so spec port 80 is served on `httpPort` (default 8080) and 443 on `httpsPort` (default 8443).
 * Any other spec port is served on its own number. A port setting of 0 lets the system choose a free
 * port (tests use it); `LocalProvider.boundPort` then tells which one it chose.
 * @module
 */
import type { ProviderOptions } from '../../src/provider.js';

export interface LocalSettings {
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  /** Set: overrides every load balancer's `idle_timeout.timeout_seconds`. */
  upstreamTimeoutMs: number | undefined;
  /** Multiplies health-check intervals and timeouts (tests run them faster with e.g. 0.01). */
  healthCheckTimeScale: number;
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;

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
  return {
    listenAddress,
    httpPort: portSetting(raw, 'httpPort', 8080),
    httpsPort: portSetting(raw, 'httpsPort', 8443),
    upstreamTimeoutMs: upstreamTimeoutMs === undefined ? undefined : numberSetting('upstreamTimeoutMs', upstreamTimeoutMs, { zero: false }),
    healthCheckTimeScale: numberSetting('healthCheckTimeScale', raw?.healthCheckTimeScale ?? 1, { zero: false }),
  };
}

/** The port configured for a spec listener port (0 when the system is to choose). */
export function configuredLocalPort(settings: LocalSettings, specPort: number): number {
  if (specPort === 80) return settings.httpPort;
  if (specPort === 443) return settings.httpsPort;
  return specPort;
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

/** Numbers may come as strings from the command line. */
function numberSetting(name: string, value: string | number | boolean, accepts: { zero: boolean }): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < 0 || (number === 0 && !accepts.zero)) {
    const expected = accepts.zero ? 'a number of 0 or more' : 'a number greater than 0';
    throw new LocalSettingsError(`local provider: ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return number;
}
