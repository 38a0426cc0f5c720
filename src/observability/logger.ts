/**
 * pino JSON logs on stderr (stdout is for what a command prints for people). Every line about an
 * object carries its keys (`stack`, `ingress`); Secret material is never logged.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { app: 'ingress-bridge' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
