/**
 * Function targets on the local load balancer, over real sockets on loopback: the event a handler
 * gets is checked field by field against the ALB's documented Lambda event, bodies go base64 both
 * ways, multi-value headers and query parameters on and off, and the ALB's answers for a body over
 * 1 MB (413), a failing or malformed function (502) and a function with no handler (503).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Action, FunctionTargetGroupSpec, LoadBalancerSpec } from '../../../src/model.js';
import type { LocalProvider } from '../../../providers/local/index.js';
import { applySpec } from '../../support/local-lb.js';
import { simpleSpec, startProvider, type RecordingLog } from './support.js';

const HANDLERS: Record<string, string> = {
  'echo.mjs': `export const handler = async (event, context) => {
  globalThis.__echoInvocations = (globalThis.__echoInvocations ?? 0) + 1;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, functionName: context.functionName }) };
};`,
  'bytes.mjs': `export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/octet-stream' },
  body: Buffer.from(Array.from({ length: 256 }, (_, index) => index)).toString('base64'),
  isBase64Encoded: true,
});`,
  'cookies.mjs': `export const handler = async () => ({
  statusCode: 201,
  statusDescription: '201 Made It',
  headers: { 'set-cookie': 'only=1', 'x-single': 'yes' },
  multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'x-multi': ['yes'] },
  body: 'made',
});`,
  'throws.mjs': `export const handler = async () => { throw new Error('secret boom'); };`,
  'callback.js': `export function handler(event, context, callback) { callback(null, { statusCode: 202, body: 'by callback ' + event.httpMethod }); }`,
  'failing-callback.mjs': `export function handler(event, context, callback) { callback(new Error('callback boom')); }`,
  'no-status.mjs': `export const handler = async () => ({ body: 'no status' });`,
  'number-body.mjs': `export const handler = async () => ({ statusCode: 200, body: 42 });`,
  'huge.mjs': `export const handler = async () => ({ statusCode: 200, body: 'x'.repeat(1024 * 1024) });`,
  'bad-header.mjs': `export const handler = async () => ({ statusCode: 200, headers: { 'x-bad': 'a\\r\\nx-injected: 1' }, body: 'x' });`,
  'no-export.mjs': `export const other = 1;`,
  'length.mjs': `export const handler = async (event) => {
  globalThis.__lengthInvocations = (globalThis.__lengthInvocations ?? 0) + 1;
  return { statusCode: 200, body: String(Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').length) };
};`,
  'reload.mjs': `export const handler = async () => ({ statusCode: 200, body: 'first' });`,
};

let directory: string;
let provider: LocalProvider;
let log: RecordingLog;
let port: number;

function functionGroup(name: string, options: { key?: string; multiValueHeaders?: boolean } = {}): FunctionTargetGroupSpec {
  return {
    key: options.key ?? `function:${name}`,
    name: `k8s-fn-${name}-0123456789`,
    function: { name },
    multiValueHeaders: options.multiValueHeaders ?? false,
    tags: {},
  };
}

const forward = (key: string): Action => ({ type: 'forward', targetGroups: [{ targetGroupKey: key, weight: 1 }] });

/** A Service's target: an HTTP server on loopback answering `service`. */
let upstream: http.Server;

/**
 * `/<name>…` forwards to function `<name>`; `/mv/<name>…` to the same function with multi-value
 * headers on; `/split…` weighs function echo 3 to 1 against the Service target group `tg`, as an
 * `actions.<name>` forward with a `functionName` entry translates.
 */
function functionSpec(names: readonly string[], servicePort: number): LoadBalancerSpec {
  const spec = simpleSpec({ target: { ip: '127.0.0.1', port: servicePort }, defaultForward: false, rules: [] });
  const groups = names.flatMap((name) => [functionGroup(name), functionGroup(name, { key: `function:${name}:mv`, multiValueHeaders: true })]);
  const listener = spec.listeners[0];
  assert.ok(listener);
  listener.rules = names.flatMap((name, index) => [
    {
      priority: index * 2 + 1,
      conditions: [{ field: 'path-pattern', values: [`/mv/${name}*`] }],
      actions: [forward(`function:${name}:mv`)],
      origin: { ingress: { namespace: 'default', name: 'hardening' } },
    },
    {
      priority: index * 2 + 2,
      conditions: [{ field: 'path-pattern', values: [`/${name}*`] }],
      actions: [forward(`function:${name}`)],
      origin: { ingress: { namespace: 'default', name: 'hardening' } },
    },
  ]);
  listener.rules.push({
    priority: names.length * 2 + 1,
    conditions: [{ field: 'path-pattern', values: ['/split*'] }],
    actions: [
      {
        type: 'forward',
        targetGroups: [
          { targetGroupKey: 'function:echo', weight: 3 },
          { targetGroupKey: 'tg', weight: 1 },
        ],
      },
    ],
    origin: { ingress: { namespace: 'default', name: 'hardening' } },
  });
  return { ...spec, functionTargetGroups: groups };
}

interface Answer {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** Raw header lists get no Host from Node, and HTTP/1.1 requires one. */
function withHost(headers: string[]): string[] {
  return headers.some((entry, index) => index % 2 === 0 && entry.toLowerCase() === 'host') ? headers : ['Host', 'shop.test', ...headers];
}

function send(options: { method?: string; path: string; headers?: string[]; body?: Buffer | string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: withHost(options.headers ?? []), agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            statusMessage: response.statusMessage ?? '',
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

interface Echoed {
  event: Record<string, unknown>;
  functionName: string;
}

async function echo(options: Parameters<typeof send>[0]): Promise<Echoed> {
  const answer = await send(options);
  assert.equal(answer.status, 200, answer.body.toString());
  return JSON.parse(answer.body.toString()) as Echoed;
}

const invocations = (): number => (globalThis as { __lengthInvocations?: number }).__lengthInvocations ?? 0;

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'ib-functions-'));
  for (const [file, source] of Object.entries(HANDLERS)) writeFileSync(join(directory, file), source);
  upstream = http.createServer((_request, response) => response.end('service'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  assert.ok(address !== null && typeof address === 'object');
  ({ provider, log } = startProvider({ functionsDir: directory }));
  const names = [...Object.keys(HANDLERS).map((file) => file.replace(/\.m?js$/, '')), 'missing'];
  const result = await applySpec(provider, functionSpec(names, address.port));
  // The function without a handler file is named in a warning at apply, on the Ingress that routes to it.
  const warnings = result.diagnostics.filter((entry) => entry.severity === 'warning' && entry.message.includes('function missing'));
  assert.equal(warnings.length, 1, JSON.stringify(result.diagnostics));
  assert.deepEqual(warnings[0]?.object, { kind: 'Ingress', namespace: 'default', name: 'hardening' });
  port = provider.boundPort(80) ?? assert.fail('port 80 must be served');
});

after(async () => {
  await provider.close();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

describe('the event a function gets (single-value headers)', () => {
  it('has exactly the documented fields, each as the ALB fills it', async () => {
    const { event, functionName } = await echo({
      path: '/echo/a%20b/c?a=1&b=%2F%20x&a=2&flag',
      headers: ['Host', 'shop.test', 'X-Custom', 'One', 'X-Dup', '1', 'X-Dup', '2', 'X-Forwarded-Proto', 'spoofed'],
    });
    assert.equal(functionName, 'echo');
    assert.deepEqual(Object.keys(event).sort(), ['body', 'headers', 'httpMethod', 'isBase64Encoded', 'path', 'queryStringParameters', 'requestContext']);
    assert.deepEqual(event.requestContext, {
      elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/k8s-fn-echo-0123456789/0000000000000000' },
    });
    assert.equal(event.httpMethod, 'GET');
    // Path and query arrive as the client sent them: nothing is URL-decoded.
    assert.equal(event.path, '/echo/a%20b/c');
    assert.deepEqual(event.queryStringParameters, { a: '2', b: '%2F%20x', flag: '' });
    const headers = event.headers as Record<string, string>;
    assert.equal(headers.host, 'shop.test');
    assert.equal(headers['x-custom'], 'One', 'names lower-case, values as sent');
    assert.equal(headers['x-dup'], '2', 'a repeated header carries its last value');
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http', "the load balancer's own, not the client's");
    assert.equal(headers['x-forwarded-port'], '80', 'the spec port, not the local one');
    assert.match(headers['x-amzn-trace-id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(
      Object.keys(headers).every((name) => name === name.toLowerCase()),
      true,
    );
    assert.equal(event.body, '');
    assert.equal(event.isBase64Encoded, false);
  });

  it('an empty query is an empty object, as the ALB sends it', async () => {
    const { event } = await echo({ path: '/echo' });
    assert.deepEqual(event.queryStringParameters, {});
  });

  const textTypes = [
    'text/plain',
    'text/html; charset=utf-8',
    'application/json',
    'application/javascript',
    'application/xml',
    'Application/JSON; charset=UTF-8',
  ];
  for (const contentType of textTypes) {
    it(`a ${contentType} body arrives as text`, async () => {
      const body = '{"greeting":"grüß dich"}';
      const { event } = await echo({ method: 'POST', path: '/echo', headers: ['content-type', contentType], body });
      assert.equal(event.body, body);
      assert.equal(event.isBase64Encoded, false);
      assert.equal(event.httpMethod, 'POST');
    });
  }

  for (const contentType of ['application/octet-stream', 'image/png', 'application/x-www-form-urlencoded', undefined]) {
    it(`a ${contentType ?? 'typeless'} body arrives base64-encoded, byte for byte`, async () => {
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => 255 - index));
      const { event } = await echo({ method: 'PUT', path: '/echo', headers: contentType ? ['content-type', contentType] : [], body: bytes });
      assert.equal(event.isBase64Encoded, true);
      assert.deepEqual(Buffer.from(event.body as string, 'base64'), bytes);
    });
  }
});

describe('the event a function gets (multi-value headers on)', () => {
  it('carries every value of a header and query key, in order, and no single-value maps', async () => {
    const { event } = await echo({ path: '/mv/echo?a=1&b=%2F&a=2', headers: ['Host', 'shop.test', 'X-Dup', '1', 'x-dup', '2', 'Cookie', 'c=1'] });
    assert.deepEqual(Object.keys(event).sort(), [
      'body',
      'httpMethod',
      'isBase64Encoded',
      'multiValueHeaders',
      'multiValueQueryStringParameters',
      'path',
      'requestContext',
    ]);
    assert.deepEqual(event.multiValueQueryStringParameters, { a: ['1', '2'], b: ['%2F'] });
    const headers = event.multiValueHeaders as Record<string, string[]>;
    assert.deepEqual(headers['x-dup'], ['1', '2']);
    assert.deepEqual(headers.cookie, ['c=1']);
    assert.deepEqual(headers['x-forwarded-port'], ['80']);
  });
});

describe('the answer a function gives', () => {
  it('a base64 body reaches the client as the bytes it encodes', async () => {
    const answer = await send({ path: '/bytes' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/octet-stream');
    assert.equal(answer.headers['content-length'], '256');
    assert.deepEqual(answer.body, Buffer.from(Array.from({ length: 256 }, (_, index) => index)));
  });

  it('without multi-value headers, `headers` is used and statusDescription gives the reason phrase', async () => {
    const answer = await send({ path: '/cookies' });
    assert.equal(answer.status, 201);
    assert.equal(answer.statusMessage, 'Made It');
    assert.deepEqual(answer.headers['set-cookie'], ['only=1']);
    assert.equal(answer.headers['x-single'], 'yes');
    assert.equal(answer.headers['x-multi'], undefined);
    assert.equal(answer.body.toString(), 'made');
  });

  it('with multi-value headers, `multiValueHeaders` is used: every value reaches the client', async () => {
    const answer = await send({ path: '/mv/cookies' });
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(answer.headers['x-multi'], 'yes');
    assert.equal(answer.headers['x-single'], undefined);
  });

  it('a callback-style handler answers through its callback', async () => {
    const answer = await send({ method: 'DELETE', path: '/callback' });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.toString(), 'by callback DELETE');
  });
});

describe("the ALB's limits and errors", () => {
  it('a body of exactly 1 MB is invoked; one byte more is a 413 and the function is not invoked', async () => {
    const limit = 1024 * 1024;
    const accepted = await send({ method: 'POST', path: '/length', headers: ['content-type', 'text/plain'], body: 'x'.repeat(limit) });
    assert.equal(accepted.body.toString(), String(limit));
    const before = invocations();
    const refused = await send({ method: 'POST', path: '/length', headers: ['content-type', 'text/plain'], body: 'x'.repeat(limit + 1) });
    assert.equal(refused.status, 413);
    // Chunked, so no Content-Length warns the load balancer: it counts as it reads.
    const chunked = await send({ method: 'POST', path: '/length', headers: ['transfer-encoding', 'chunked'], body: Buffer.alloc(limit + 10) });
    assert.equal(chunked.status, 413);
    assert.equal(invocations(), before);
  });

  const failures: [string, string, RegExp][] = [
    ['a handler that throws', '/throws', /secret boom/],
    ['a callback with an error', '/failing-callback', /callback boom/],
    ['an answer without statusCode', '/no-status', /statusCode/],
    ['an answer whose body is not a string', '/number-body', /body is not a string/],
    ['an answer whose JSON is over 1 MB', '/huge', /over the ALB's limit/],
    ['an answer with a header that is not valid HTTP', '/bad-header', /not valid HTTP/],
    ['a handler file that exports no handler', '/no-export', /exports no function named handler/],
  ];
  for (const [what, path, logged] of failures) {
    it(`${what} is a 502; the cause is logged, never sent`, async () => {
      const answer = await send({ path });
      assert.equal(answer.status, 502);
      assert.equal(answer.body.toString(), '502 Bad Gateway\n');
      assert.equal(answer.headers['x-injected'], undefined);
      assert.match(log.text(), logged);
    });
  }

  it('a function with no handler file is a 503, as a target group without a target is', async () => {
    const answer = await send({ path: '/missing' });
    assert.equal(answer.status, 503);
    assert.match(log.text(), /has no missing\.mjs or missing\.js/);
  });

  it('a WebSocket handshake to a function is refused with 400, as the ALB refuses it', async () => {
    const answer = await send({
      path: '/echo',
      headers: ['connection', 'Upgrade', 'upgrade', 'websocket', 'sec-websocket-version', '13', 'sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    });
    assert.equal(answer.status, 400);
  });

  it('an edited handler file is loaded again on the next request', async () => {
    assert.equal((await send({ path: '/reload' })).body.toString(), 'first');
    const file = join(directory, 'reload.mjs');
    writeFileSync(file, `export const handler = async () => ({ statusCode: 200, body: 'edited' });`);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    assert.equal((await send({ path: '/reload' })).body.toString(), 'edited');
  });
});

describe('a weighted forward between a function and a Service', () => {
  it('honours the weights: 3 of every 4 requests to the function, the 4th to the Service', async () => {
    const answers: string[] = [];
    for (let index = 0; index < 8; index += 1) {
      const answer = await send({ path: `/split/${index}` });
      assert.equal(answer.status, 200, answer.body.toString());
      answers.push(answer.body.toString() === 'service' ? 'service' : (JSON.parse(answer.body.toString()) as Echoed).functionName);
    }
    assert.deepEqual(answers.filter((entry) => entry === 'echo').length, 6, answers.join(' '));
    assert.deepEqual(answers.filter((entry) => entry === 'service').length, 2, answers.join(' '));
  });
});
