/**
 * A bearer token kept in a file that something else rewrites: the pod's projected service account
 * token (the kubelet rotates it about hourly, long before it expires) or a kubeconfig's tokenFile.
 * It is read again at most once a minute, as client-go does, and at once after a 401. A read that
 * fails while an earlier token is known keeps that token: the kubelet replaces the file by a rename,
 * so a failed read is the rare moment in between, and the old token is still valid for a while.
 * @module
 */
import { readFile } from 'node:fs/promises';

export const TOKEN_FILE_REREAD_MS = 60_000;

export interface TokenFileOptions {
  /** Default TOKEN_FILE_REREAD_MS. */
  rereadMs?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

export class TokenFile {
  private token: string | undefined;
  private readAt = -Infinity;
  private reading: Promise<string> | undefined;

  constructor(
    readonly path: string,
    private readonly options: TokenFileOptions = {},
  ) {}

  /** The token, read again when the last read is older than the re-read period or `refresh` is set. */
  async current(refresh = false): Promise<string> {
    const now = (this.options.now ?? performance.now.bind(performance))();
    if (this.token !== undefined && !refresh && now - this.readAt < (this.options.rereadMs ?? TOKEN_FILE_REREAD_MS)) return this.token;
    // Requests that find the token stale together share one read.
    this.reading ??= this.read(now).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(now: number): Promise<string> {
    try {
      const token = (await readFile(this.path, 'utf8')).trim();
      if (token === '') throw new Error('the file is empty');
      this.token = token;
      this.readAt = now;
      return token;
    } catch (error) {
      if (this.token !== undefined) return this.token;
      throw new Error(`cannot read the token file ${this.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
