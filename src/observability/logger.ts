/**
 * pino logs on stderr (stdout is for what a command prints for people). Every line about an object
 * carries its keys (`stack`, `ingress`); Secret material is never logged.
 *
 * Two formats: `json`, one object a line for log collectors (the default when stderr is not a
 * terminal), and `text`, one readable line each for a person at a terminal — the same records, so
 * nothing is logged in one format that the other lacks.
 * @module
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Text for a person at a terminal, JSON for anything else (a file, a pipe, a collector). */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? 'text' : 'json';
}

/** `write` (tests): where the lines go instead of stderr. */
export function createLogger(level: LogLevel, format: LogFormat = 'json', write?: (line: string) => void): Logger {
  const options = { level, base: { app: 'ingress-bridge' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return pino(options, write ? { write } : pino.destination(2));
  return pino(options, textDestination(write ?? ((line) => process.stderr.write(line))));
}

/** pino writes each record as one JSON line; this destination rewrites it as text. */
function textDestination(write: (line: string) => void): DestinationStream {
  return {
    write(json: string) {
      write(`${formatLogRecord(JSON.parse(json) as Record<string, unknown>)}\n`);
    },
  };
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every record has, shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

/** `12:00:01.234 INFO  load balancer updated stack=default/echo operations=3` */
function formatLogRecord(record: Record<string, unknown>): string {
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const message = typeof record.msg === 'string' ? record.msg : '';
  return [time, level, message, ...fields].filter((part) => part !== '').join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (isSerializedError(value)) return JSON.stringify(value.message);
  return JSON.stringify(value);
}

function isSerializedError(value: unknown): value is { message: string } {
  return typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
}
