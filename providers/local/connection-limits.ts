/**
 * Caps on open client connections, per listening socket and for the whole process, so that
 * thousands of slow or idle connections cannot use up the file descriptors every load balancer of
 * the process needs (each proxied request also holds a connection to its target). A connection over
 * either cap is closed as soon as it is accepted; the ones already open are not disturbed.
 *
 * The default overall cap is 4,096, lowered to fit the process's open-files limit where Linux tells
 * it (/proc/self/limits): half of it, since a proxied connection uses two descriptors.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';

const DEFAULT_MAX_CONNECTIONS = 4096;
export const DEFAULT_MAX_CONNECTIONS_PER_LISTENER = 2048;
/** Descriptors kept for everything else: health checks, files, the Kubernetes client. */
const RESERVED_DESCRIPTORS = 64;

export class ConnectionBudget {
  private open = 0;

  constructor(readonly limit: number) {}

  get count(): number {
    return this.open;
  }

  tryTake(): boolean {
    if (this.open >= this.limit) return false;
    this.open += 1;
    return true;
  }

  give(): void {
    this.open = Math.max(0, this.open - 1);
  }
}

/** Admits a new connection of `server` only while both budgets have room; gives back on close. */
export function limitConnections(server: Server, budgets: { listener: ConnectionBudget; overall: ConnectionBudget }): void {
  server.on('connection', (socket: { destroy(): void; once(event: 'close', listener: () => void): void }) => {
    if (!budgets.listener.tryTake()) {
      socket.destroy();
      return;
    }
    if (!budgets.overall.tryTake()) {
      budgets.listener.give();
      socket.destroy();
      return;
    }
    socket.once('close', () => {
      budgets.listener.give();
      budgets.overall.give();
    });
  });
}

/** The soft "Max open files" limit from the text of /proc/self/limits; undefined when absent or unlimited. */
export function openFilesLimit(limitsText: string): number | undefined {
  const line = /^Max open files\s+(\S+)/m.exec(limitsText);
  const soft = line?.[1];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

/** The default overall cap for a process allowed `openFiles` descriptors. */
export function defaultMaxConnections(openFiles: number | undefined): number {
  if (openFiles === undefined) return DEFAULT_MAX_CONNECTIONS;
  return Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, Math.floor((openFiles - RESERVED_DESCRIPTORS) / 2)));
}

export function processOpenFilesLimit(): number | undefined {
  try {
    return openFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}
