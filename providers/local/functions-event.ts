/**
 * The ALB's Lambda contract as plain data, both ways (Elastic Load Balancing, Application Load
 * Balancers guide, "Lambda functions as targets"):
 *
 * - the event: `requestContext.elb.targetGroupArn`, `httpMethod`, `path`, the query and headers, `body`
 *   and `isBase64Encoded`. Query keys and values arrive as the client sent them: the ALB does not
 *   URL-decode them. Header names are lower-case. A body whose content type is `text/*`,
 *   `application/json`, `application/javascript` or `application/xml` is sent as is; any other body
 *   is base64-encoded with `isBase64Encoded: true`;
 * - without multi-value headers, `headers` and `queryStringParameters` carry the last value of a
 *   repeated name; with them, `multiValueHeaders` and `multiValueQueryStringParameters` carry every
 *   value in order, and the single-value maps are absent (never both);
 * - the answer: `statusCode`, optional `statusDescription`, `headers` (or `multiValueHeaders` when
 *   they are on), `body`, and `isBase64Encoded` for a binary body. An answer that is not this shape,
 *   or whose JSON is over 1 MB, is a 502; so is a function that fails.
 *
 * Pure: no I/O; functions.ts is the shell that reads the request and writes the answer.
 * @module
 */

/** The largest request body the ALB sends to a function, and the largest answer JSON it accepts. */
export const FUNCTION_BODY_LIMIT_BYTES = 1024 * 1024;

export interface AlbLambdaEvent {
  requestContext: { elb: { targetGroupArn: string } };
  httpMethod: string;
  path: string;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export interface FunctionRequest {
  method: string;
  /** The request target as received: `/path?query`, nothing decoded. */
  target: string;
  /** Node's rawHeaders: name, value, name, value… in the order the client sent them. */
  rawHeaders: readonly string[];
  /** Added as the ALB adds them (x-forwarded-for, -proto, -port, x-amzn-trace-id). */
  addedHeaders: readonly (readonly [string, string])[];
  body: Buffer;
}

const TEXT_TYPES = new Set(['application/json', 'application/javascript', 'application/xml']);

/** Whether the ALB passes a body of this Content-Type as text (otherwise base64). */
export function isTextContentType(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media.startsWith('text/') || TEXT_TYPES.has(media);
}

export function albLambdaEvent(request: FunctionRequest, options: { targetGroupArn: string; multiValueHeaders: boolean }): AlbLambdaEvent {
  const queryStart = request.target.indexOf('?');
  const path = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
  const query = queryStart === -1 ? '' : request.target.slice(queryStart + 1);
  const queryPairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part): [string, string] => {
      const equals = part.indexOf('=');
      return equals === -1 ? [part, ''] : [part.slice(0, equals), part.slice(equals + 1)];
    });
  const headerPairs: [string, string][] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    headerPairs.push([(request.rawHeaders[index] ?? '').toLowerCase(), request.rawHeaders[index + 1] ?? '']);
  }
  // The ALB's own headers replace any a client sent under those names.
  const added = new Set(request.addedHeaders.map(([name]) => name));
  const headers = [...headerPairs.filter(([name]) => !added.has(name)), ...request.addedHeaders.map(([name, value]): [string, string] => [name, value])];
  const contentType = lastValue(headers, 'content-type');
  const text = isTextContentType(contentType);
  const body = request.body.length === 0 ? '' : text ? request.body.toString('utf8') : request.body.toString('base64');
  const event: AlbLambdaEvent = {
    requestContext: { elb: { targetGroupArn: options.targetGroupArn } },
    httpMethod: request.method,
    path,
    ...(options.multiValueHeaders
      ? { multiValueQueryStringParameters: multiMap(queryPairs), multiValueHeaders: multiMap(headers) }
      : { queryStringParameters: lastValueMap(queryPairs), headers: lastValueMap(headers) }),
    body,
    isBase64Encoded: request.body.length > 0 && !text,
  };
  return event;
}

function lastValue(pairs: readonly (readonly [string, string])[], name: string): string | undefined {
  let value: string | undefined;
  for (const [key, entry] of pairs) if (key === name) value = entry;
  return value;
}

/** A null-prototype map, so a client's `__proto__` key is a key like any other. */
function lastValueMap(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const map = Object.create(null) as Record<string, string>;
  for (const [key, value] of pairs) map[key] = value;
  return map;
}

function multiMap(pairs: readonly (readonly [string, string])[]): Record<string, string[]> {
  const map = Object.create(null) as Record<string, string[]>;
  for (const [key, value] of pairs) (map[key] ??= []).push(value);
  return map;
}

export type FunctionAnswer =
  | { ok: true; status: number; statusMessage?: string; headers: [string, string][]; body: Buffer }
  /** Why the ALB would answer 502: for the log, never for the client. */
  | { ok: false; problem: string };

/** Framing is the load balancer's (it knows the body it sends); hop-by-hop headers are not a function's to set. */
const NOT_FROM_FUNCTION = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

/** What the function returned → the HTTP answer, or why it is a 502. */
export function functionAnswer(result: unknown, options: { multiValueHeaders: boolean }): FunctionAnswer {
  let size: number;
  try {
    // undefined (a handler that returns nothing) stringifies to undefined, and is refused below.
    const json = JSON.stringify(result) as unknown;
    size = typeof json === 'string' ? Buffer.byteLength(json) : 0;
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (size > FUNCTION_BODY_LIMIT_BYTES)
    return { ok: false, problem: `the answer's JSON is ${size} bytes, over the ALB's limit of ${FUNCTION_BODY_LIMIT_BYTES}` };
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { ok: false, problem: 'the answer is not an object' };
  const answer = result as Record<string, unknown>;
  const status = typeof answer.statusCode === 'string' && /^[0-9]{3}$/.test(answer.statusCode) ? Number(answer.statusCode) : answer.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    return { ok: false, problem: `statusCode ${JSON.stringify(answer.statusCode)} is not an HTTP status code` };
  }
  const headers: [string, string][] = [];
  const headerField = options.multiValueHeaders ? 'multiValueHeaders' : 'headers';
  const given = answer[headerField];
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) return { ok: false, problem: `${headerField} is not an object` };
    for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
      const values = options.multiValueHeaders ? value : [value];
      if (!Array.isArray(values)) return { ok: false, problem: `multiValueHeaders.${name} is not a list` };
      for (const entry of values as unknown[]) {
        if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
          return { ok: false, problem: `${headerField}.${name} holds a value that is not a string` };
        }
        if (!NOT_FROM_FUNCTION.has(name.toLowerCase())) headers.push([name, String(entry)]);
      }
    }
  }
  const body = answer.body ?? '';
  if (typeof body !== 'string') return { ok: false, problem: 'body is not a string' };
  const base64 = answer.isBase64Encoded === true;
  const statusMessage = typeof answer.statusDescription === 'string' ? /^[0-9]{3} (.+)$/.exec(answer.statusDescription)?.[1] : undefined;
  return {
    ok: true,
    status,
    ...(statusMessage !== undefined && { statusMessage }),
    headers,
    body: base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}
