/**
 * Requests to the Kubernetes API over node:http(s) with one keep-alive pool: JSON in and out, query
 * parameters, the three patch content types, a timeout, and failures as a KubeApiError carrying the
 * HTTP code and the API server's Status (message, reason). A 401 asks the connection for fresh
 * credentials (a rotated token file, an exec plugin run again) and is tried once more with them.
 * Watches use `stream`: the open response, read by kube-watch.ts.
 *
 * This is the controller's whole Kubernetes client; @kubernetes/client-node is used for its types
 * only, since loading it costs tens of MiB of memory for the few calls made here.
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeConnection, KubeCredentials } from './kube-connection.js';

export type PatchType = 'merge' | 'json' | 'strategic';

/** The Content-Type of each kind of patch, as the API server tells them apart. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequestOptions {
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  /** A PATCH's kind (default merge). */
  patch?: PatchType;
  signal?: AbortSignal;
  /** Until the whole answer has arrived (for `stream`, until its headers); default the client's. */
  timeoutMs?: number;
}

/** The metav1.Status the API server answers a failure with. */
export interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { message?: string; field?: string }[] };
}

/** The API server answered with an HTTP error. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    readonly code: number,
    /** The Status body, when the answer had one. */
    readonly status: KubeStatus | undefined,
    method: string,
    path: string,
    text: string,
  ) {
    const said = status?.message ?? (text.trim().slice(0, 300) || 'no message');
    super(`${method} ${path}: HTTP ${code}${status?.reason ? ` ${status.reason}` : ''}: ${said}`);
  }

  get reason(): string | undefined {
    return this.status?.reason;
  }
}

/** The HTTP code of a KubeApiError (or of anything else carrying a numeric `code`), else undefined. */
export function httpCodeOf(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'number' ? code : undefined;
}

export interface KubeClientOptions {
  /** Default per-request timeout (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class KubeClient {
  private readonly agent: HttpAgent;
  private readonly secure: boolean;

  constructor(
    readonly connection: KubeConnection,
    private readonly options: KubeClientOptions = {},
  ) {
    this.secure = connection.server.startsWith('https:');
    // TCP keep-alive probes find a connection the network dropped silently, which a watch would otherwise wait on for good.
    const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000 };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  get<T>(path: string, options: KubeRequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  create<T>(path: string, body: unknown, options: KubeRequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  replace<T>(path: string, body: unknown, options: KubeRequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, patch: PatchType, body: unknown, options: KubeRequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, patch, body });
  }

  /** The parsed JSON answer; a KubeApiError for an HTTP error, an Error for a network failure or a timeout. */
  async request<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options, false);
    const text = await readText(response);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A GET whose answer is read as it arrives (a watch); resolves once a 2xx answer's headers are in. */
  stream(path: string, options: KubeRequestOptions = {}): Promise<IncomingMessage> {
    return this.send('GET', path, options, true);
  }

  /** Closes the pooled connections; requests still in flight finish. */
  close(): void {
    this.agent.destroy();
  }

  private async send(method: string, path: string, options: KubeRequestOptions, streaming: boolean): Promise<IncomingMessage> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    let response = await this.attempt(method, path, options, payload, await this.connection.credentials(false), streaming);
    if (response.statusCode === 401) {
      // Expired or rotated credentials: fresh ones, once.
      response.resume();
      response = await this.attempt(method, path, options, payload, await this.connection.credentials(true), streaming);
    }
    const code = response.statusCode ?? 0;
    if (code >= 200 && code < 300) return response;
    const text = await readText(response);
    throw new KubeApiError(code, statusOf(text), method, path, text);
  }

  private attempt(
    method: string,
    path: string,
    options: KubeRequestOptions,
    payload: string | undefined,
    credentials: KubeCredentials,
    streaming: boolean,
  ): Promise<IncomingMessage> {
    const url = new URL(`${this.connection.server}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': 'ingress-bridge' };
    if (credentials.authorization) headers.Authorization = credentials.authorization;
    if (payload !== undefined) {
      headers['Content-Type'] = method === 'PATCH' ? PATCH_CONTENT_TYPES[options.patch ?? 'merge'] : 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const requestOptions: RequestOptions & Record<string, unknown> = {
      method,
      headers,
      agent: this.agent,
      ...(options.signal && { signal: options.signal }),
      ...(this.secure && this.tlsOptions(credentials)),
    };
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const where = `${method} ${url.pathname}`;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const request = (this.secure ? httpsRequest : httpRequest)(url, requestOptions);
      const timer = setTimeout(() => request.destroy(timeoutError(`${where}: no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      request.on('response', (response) => {
        if (streaming) {
          clearTimeout(timer);
          resolve(response);
          return;
        }
        // The timeout covers the body too: a JSON answer is read whole by request().
        response.once('end', () => clearTimeout(timer));
        response.once('close', () => clearTimeout(timer));
        resolve(response);
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error.name === 'AbortError' || error.name === 'TimeoutError' ? error : new Error(`${where}: ${error.message}`, { cause: error }));
      });
      request.end(payload);
    });
  }

  private tlsOptions(credentials: KubeCredentials): Record<string, unknown> {
    const { connection } = this;
    return {
      ...(connection.certificateAuthority !== undefined && { ca: connection.certificateAuthority }),
      ...(connection.insecureSkipTlsVerify === true && { rejectUnauthorized: false }),
      ...(connection.tlsServerName !== undefined && { servername: connection.tlsServerName }),
      ...(credentials.clientCertificate && { cert: credentials.clientCertificate.cert, key: credentials.clientCertificate.key }),
    };
  }
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
    // Settled already when it ended; otherwise the connection broke (or timed out) mid-answer.
    response.once('close', () => reject(new Error('the answer was cut off')));
  });
}

function statusOf(text: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
