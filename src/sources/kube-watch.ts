/**
 * A watch stream: a GET with `watch=true` whose answer is one JSON event per line, `{type, object}`,
 * for as long as the server keeps it open. The decoder is pure (chunks in, events out, a line or a
 * character split across chunks put back together); `openWatch` is the thin I/O around it.
 * @module
 */
import { StringDecoder } from 'node:string_decoder';
import type { KubeClient, QueryValue } from './kube-http.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  /** The object, a BOOKMARK's resourceVersion holder, or an ERROR's Status. */
  object: unknown;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export interface DecodedLines {
  events: WatchEvent[];
  /** Lines that were not a watch event (not JSON, or no known type): counted, never fatal. */
  invalid: number;
}

export class WatchLineDecoder {
  private readonly text = new StringDecoder('utf8');
  private partial = '';

  push(chunk: Buffer | string): DecodedLines {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.text.write(chunk));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return decodeLines(lines);
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): DecodedLines {
    const rest = this.partial + this.text.end();
    this.partial = '';
    return decodeLines([rest]);
  }
}

function decodeLines(lines: readonly string[]): DecodedLines {
  const decoded: DecodedLines = { events: [], invalid: 0 };
  for (const line of lines) {
    if (line.trim() === '') continue;
    const event = parseEvent(line);
    if (event) decoded.events.push(event);
    else decoded.invalid += 1;
  }
  return decoded;
}

function parseEvent(line: string): WatchEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { type, object } = parsed as { type?: unknown; object?: unknown };
    return typeof type === 'string' && EVENT_TYPES.has(type) ? { type: type as WatchEventType, object } : undefined;
  } catch {
    return undefined;
  }
}

/** The code of an ERROR event's Status (410 when the resourceVersion is too old), if any. */
export function errorEventCode(event: WatchEvent): number | undefined {
  const code = typeof event.object === 'object' && event.object !== null ? (event.object as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

export interface WatchOptions {
  query: Readonly<Record<string, QueryValue>>;
  signal: AbortSignal;
  /** Each event, in order. What it throws ends the watch with that error. */
  onEvent: (event: WatchEvent) => void;
  /** A stream silent this long is taken as a dead connection and ended (a clean end: resume from where it was). */
  idleTimeoutMs: number;
}

export interface OpenWatch {
  /** Resolves when the stream ends cleanly (the server's timeout, the idle timeout); rejects when it breaks or an event handler throws. */
  ended: Promise<void>;
}

/** Opens the watch; rejects (a KubeApiError for an HTTP error, such as 410) when it cannot. */
export async function openWatch(client: KubeClient, path: string, options: WatchOptions): Promise<OpenWatch> {
  const response = await client.stream(path, { query: { ...options.query, watch: true }, signal: options.signal });
  const decoder = new WatchLineDecoder();
  const ended = new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      response.destroy();
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(`watch of ${path} failed`, { cause: error }));
    };
    const deliver = (decoded: DecodedLines): void => {
      try {
        for (const event of decoded.events) options.onEvent(event);
      } catch (error) {
        finish(error);
      }
    };
    const idleTimer = (): NodeJS.Timeout => setTimeout(() => finish(), options.idleTimeoutMs).unref();
    let idle = idleTimer();
    response.on('data', (chunk: Buffer) => {
      clearTimeout(idle);
      idle = idleTimer();
      deliver(decoder.push(chunk));
    });
    response.once('end', () => {
      deliver(decoder.end());
      finish();
    });
    response.once('error', (error) => finish(error));
    response.once('close', () =>
      finish(options.signal.aborted ? abortError() : response.complete ? undefined : new Error(`watch of ${path}: the connection broke`)),
    );
  });
  return { ended };
}

function abortError(): Error {
  return Object.assign(new Error('the watch was stopped'), { name: 'AbortError' });
}
