/**
 * Where the local load balancer writes what clients must not see: which target failed and how, a
 * regex value that cannot be compiled, an unknown ssl-policy. Error bodies stay generic (a client
 * learns no target address); the details are here.
 *
 * ProviderOptions carries no logger, so the default writes pino JSON lines to stderr like the
 * rest of the program (src/observability/logger.ts); tests and embedders pass their own.
 * @module
 */
import { pino } from 'pino';

export interface LocalLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export function stderrLog(): LocalLog {
  const logger = pino({ level: 'warn', base: { app: 'ingress-bridge', provider: 'local' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
  return { warn: (details, message) => logger.warn(details, message) };
}
