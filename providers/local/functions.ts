/**
 * Function targets on the local load balancer: a request a rule forwards to a function target group
 * becomes the ALB's Lambda event (functions-event.ts) and is handed to a local handler, the Lambda
 * Node.js programming model — `DIR/<function name>.mjs` (or `.js`) exporting
 * `handler(event, context)` (async, or with a third `callback` argument). `--functions DIR` names the
 * directory. What it returns becomes the HTTP answer. So a function runs behind the routing it will
 * have in the cloud.
 *
 * As the ALB answers: a request body over 1 MB is a 413 (the function is not invoked); a handler that
 * throws, rejects, times out or returns something that is not an ALB answer (or an answer over 1 MB)
 * is a 502; a function with no handler file is a 503, as a target group with no target is. Details go
 * to the log, never to the client. A handler file that changes is loaded again on the next request,
 * so a developer's edit shows without a restart.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Action, Diagnostic, FunctionTargetGroupSpec, IngressRef, ListenerProtocol, LoadBalancerSpec } from '../../src/model.js';
import { plainAnswer, writeAnswer } from './answers.js';
import { clientAddress } from './dispatch.js';
import { albLambdaEvent, FUNCTION_BODY_LIMIT_BYTES, functionAnswer, type AlbLambdaEvent } from './functions-event.js';
import type { LocalLog } from './log.js';

/** What the Lambda Node.js runtime passes as `context` (the parts a handler commonly reads). */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

type Handler = (event: AlbLambdaEvent, context: LocalLambdaContext, callback?: (error?: unknown, result?: unknown) => void) => unknown;

type Loaded = { ok: true; handler: Handler } | { ok: false; status: 502 | 503; problem: string };

/** The same check as translate's: a name that could leave the directory is never a file name. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const EXTENSIONS = ['.mjs', '.js'];

/** Handlers by function name from one directory, loaded when first invoked and again when their file changes. */
export class LocalFunctionDirectory {
  private readonly cache = new Map<string, { mtimeMs: number; handler: Handler }>();

  constructor(readonly directory: string | undefined) {}

  /** The handler file a function would be loaded from, or undefined when there is none. */
  async fileOf(name: string): Promise<{ file: string; mtimeMs: number } | undefined> {
    if (this.directory === undefined || !FUNCTION_NAME.test(name)) return undefined;
    for (const extension of EXTENSIONS) {
      const file = join(this.directory, `${name}${extension}`);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) return { file, mtimeMs: info.mtimeMs };
    }
    return undefined;
  }

  async load(name: string): Promise<Loaded> {
    if (this.directory === undefined) return { ok: false, status: 503, problem: `no --functions directory is set, so function ${name} has no local handler` };
    const found = await this.fileOf(name);
    if (!found) return { ok: false, status: 503, problem: `${this.directory} has no ${name}.mjs or ${name}.js` };
    const cached = this.cache.get(found.file);
    if (cached?.mtimeMs === found.mtimeMs) return { ok: true, handler: cached.handler };
    try {
      // The modification time in the URL makes an edited file a new module: import() caches by URL.
      const module = (await import(`${pathToFileURL(found.file).href}?mtime=${found.mtimeMs}`)) as { handler?: unknown; default?: { handler?: unknown } };
      const handler = module.handler ?? module.default?.handler;
      if (typeof handler !== 'function') return { ok: false, status: 502, problem: `${found.file} exports no function named handler` };
      this.cache.set(found.file, { mtimeMs: found.mtimeMs, handler: handler as Handler });
      return { ok: true, handler: handler as Handler };
    } catch (error) {
      return { ok: false, status: 502, problem: `${found.file} could not be loaded: ${describeError(error)}` };
    }
  }
}

export interface FunctionExchange {
  request: IncomingMessage;
  response: ServerResponse;
  group: FunctionTargetGroupSpec;
  listener: { protocol: ListenerProtocol; specPort: number };
  functions: LocalFunctionDirectory;
  /** How long the handler may take before the client gets a 502 (a timed-out Lambda is a failed one). */
  timeoutMs: number;
  log: LocalLog;
}

/** The ARN the event names: shaped like the ALB's, in a region and account that say it is local. */
export function localTargetGroupArn(group: FunctionTargetGroupSpec): string {
  return `arn:aws:elasticloadbalancing:local:000000000000:targetgroup/${group.name}/0000000000000000`;
}

/** A failure with the status the ALB answers it with. */
class FunctionFailure extends Error {
  constructor(
    readonly status: 502 | 503,
    message: string,
  ) {
    super(message);
  }
}

export function serveFunction(exchange: FunctionExchange): void {
  const { request, response, group, log } = exchange;
  const fail = (status: number, problem: string): void => {
    log.warn({ function: group.function.name, status, detail: problem }, 'the local load balancer could not answer with a function');
    if (response.headersSent) response.destroy();
    // The rest of a body we stopped reading cannot be skipped on this connection.
    else writeAnswer(response, plainAnswer(status, status === 413 ? { connection: 'close' } : {}));
  };
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > FUNCTION_BODY_LIMIT_BYTES) {
    fail(413, `the request body of ${declared} bytes is over the ALB's limit of ${FUNCTION_BODY_LIMIT_BYTES} for a function`);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > FUNCTION_BODY_LIMIT_BYTES) {
      refused = true;
      fail(413, `the request body is over the ALB's limit of ${FUNCTION_BODY_LIMIT_BYTES} bytes for a function`);
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (refused) return;
    invoke(exchange, Buffer.concat(chunks)).catch((error: unknown) =>
      error instanceof FunctionFailure ? fail(error.status, error.message) : fail(502, describeError(error)),
    );
  });
}

async function invoke(exchange: FunctionExchange, body: Buffer): Promise<void> {
  const { request, response, group, listener } = exchange;
  const loaded = await exchange.functions.load(group.function.name);
  if (!loaded.ok) throw new FunctionFailure(loaded.status, loaded.problem);
  const previous = request.headers['x-forwarded-for'];
  const clientIp = clientAddress(request);
  const added: [string, string][] = [
    ['x-forwarded-for', previous ? `${Array.isArray(previous) ? previous.join(', ') : previous}, ${clientIp}` : clientIp],
    ['x-forwarded-proto', listener.protocol.toLowerCase()],
    ['x-forwarded-port', String(listener.specPort)],
  ];
  if (request.headers['x-amzn-trace-id'] === undefined) added.push(['x-amzn-trace-id', traceId()]);
  const event = albLambdaEvent(
    { method: request.method ?? 'GET', target: request.url ?? '/', rawHeaders: request.rawHeaders, addedHeaders: added, body },
    { targetGroupArn: localTargetGroupArn(group), multiValueHeaders: group.multiValueHeaders },
  );
  const result = await callHandler(loaded.handler, event, lambdaContext(group, exchange.timeoutMs), exchange.timeoutMs);
  const answer = functionAnswer(result, { multiValueHeaders: group.multiValueHeaders });
  if (!answer.ok) throw new FunctionFailure(502, `function ${group.function.name} answered with something the ALB refuses: ${answer.problem}`);
  if (response.destroyed) return;
  try {
    for (const [name, value] of answer.headers) response.appendHeader(name, value);
    response.setHeader('content-length', answer.body.length);
    if (answer.statusMessage !== undefined) response.statusMessage = answer.statusMessage;
    response.statusCode = answer.status;
  } catch (error) {
    // A header name or value Node refuses (CR/LF): the ALB refuses such an answer too.
    for (const name of response.getHeaderNames()) response.removeHeader(name);
    throw new FunctionFailure(502, `function ${group.function.name} answered with a header that is not valid HTTP: ${describeError(error)}`);
  }
  response.end(request.method === 'HEAD' ? undefined : answer.body);
}

function callHandler(handler: Handler, event: AlbLambdaEvent, context: LocalLambdaContext, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new FunctionFailure(502, `the handler did not answer within ${timeoutMs} ms`)), timeoutMs);
    const settle = (error: unknown, result?: unknown): void => {
      clearTimeout(timer);
      if (error) reject(new FunctionFailure(502, `the handler failed: ${describeError(error)}`));
      else resolve(result);
    };
    try {
      // The runtime's two styles: a third parameter means the handler answers through the callback.
      if (handler.length >= 3) {
        void handler(event, context, (error, result) => settle(error, result));
        return;
      }
      Promise.resolve(handler(event, context)).then(
        (result) => settle(undefined, result),
        (error: unknown) => settle(error ?? new Error('the handler rejected')),
      );
    } catch (error) {
      settle(error ?? new Error('the handler threw'));
    }
  });
}

function lambdaContext(group: FunctionTargetGroupSpec, timeoutMs: number): LocalLambdaContext {
  const deadline = Date.now() + timeoutMs;
  const { name, arn, qualifier } = group.function;
  const base = arn ?? `arn:aws:lambda:local:000000000000:function:${name}`;
  return {
    functionName: name,
    functionVersion: qualifier !== undefined && /^[0-9]+$/.test(qualifier) ? qualifier : '$LATEST',
    invokedFunctionArn: qualifier === undefined ? base : `${base}:${qualifier}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** `Root=1-<epoch seconds, hex>-<96 random bits, hex>`, the X-Ray trace header the ALB adds. */
function traceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/**
 * A warning for each function of the spec that has no local handler, on the Ingresses whose rules
 * forward to it: their requests get 503 until the file is there.
 */
export async function functionDiagnostics(spec: LoadBalancerSpec, functions: LocalFunctionDirectory): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const group of spec.functionTargetGroups ?? []) {
    if (await functions.fileOf(group.function.name)) continue;
    const where =
      functions.directory === undefined
        ? 'no --functions directory is set'
        : `${functions.directory} has no ${group.function.name}.mjs or ${group.function.name}.js`;
    for (const ingress of ingressesForwardingTo(spec, group.key)) {
      // One function may have several target groups (qualifiers, multi-value headers): one warning each.
      const once = `${group.function.name}\u0000${ingress.namespace}/${ingress.name}`;
      if (reported.has(once)) continue;
      reported.add(once);
      diagnostics.push({
        severity: 'warning',
        object: { kind: 'Ingress', namespace: ingress.namespace, name: ingress.name },
        field: 'spec',
        message: `function ${group.function.name} has no local handler (${where}): the local load balancer answers its requests with 503`,
      });
    }
  }
  return diagnostics;
}

function ingressesForwardingTo(spec: LoadBalancerSpec, key: string): IngressRef[] {
  const found = new Map<string, IngressRef>();
  const forwards = (action: Action): boolean => action.type === 'forward' && action.targetGroups.some((group) => group.targetGroupKey === key);
  for (const listener of spec.listeners) {
    for (const rule of listener.rules) {
      if (rule.actions.some(forwards)) found.set(`${rule.origin.ingress.namespace}/${rule.origin.ingress.name}`, rule.origin.ingress);
    }
    // A default action has no origin: it is the group's, so every member hears of it.
    if (forwards(listener.defaultAction)) for (const member of spec.stack.members) found.set(`${member.namespace}/${member.name}`, member);
  }
  return [...found.values()];
}

/** A thrown value as text for the log: handlers throw strings and plain objects too. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    const json = JSON.stringify(error) as unknown;
    return typeof json === 'string' ? json : typeof error;
  } catch {
    return typeof error;
  }
}
