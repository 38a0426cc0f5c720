/**
 * The HTTP front of the fake: authentication, the authorize hook, injected failures, request
 * recording, and Status replies for every failure. Verb handling is in handlers.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { Authorizer, FaultPlan, RequestAttributes, RequestRecord } from './faults.js';
import { handleRequest, type HandlerContext } from './handlers.js';
import { asKubeObject, type KubeObject } from './object.js';
import { qualifiedResource } from './resources.js';
import { attributesOf, parseRoute, unroutedAttributes, verbOf, type Route } from './routes.js';

export interface ServerDependencies extends HandlerContext {
  /** The bearer token every request must carry; undefined accepts any request. */
  token: string | undefined;
  /** A second token whose requests skip the authorizer: a cluster admin, as other actors in a test (kubectl, controllers). */
  adminToken: string;
  authorizer: () => Authorizer;
  faults: FaultPlan;
  record: (record: RequestRecord) => void;
  /** Mutating admission of a create (admission.ts): the object to store, or a rejection. */
  admitCreate: (type: Route['type'], namespace: string | undefined, body: KubeObject) => Promise<KubeObject>;
  /** `group/version/plural` paths answered 404. */
  unservedVersions: ReadonlySet<string>;
}

export function createFakeApiServer(dependencies: ServerDependencies): Server {
  return createServer((request, response) => {
    serve(dependencies, request, response).catch((error: unknown) => {
      // serve() answers every failure itself; reaching here means the socket is already gone.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });
}

async function serve(dependencies: ServerDependencies, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://kube-fake');
  const route = parseRoute(url.pathname, dependencies.unservedVersions);
  const verb = route && verbOf(method, route, url.searchParams);
  const attributes = route && verb ? attributesOf(verb, route) : unroutedAttributes(method);
  const contentType = request.headers['content-type'];
  const admin = request.headers.authorization === `Bearer ${dependencies.adminToken}`;
  const record = (code: number): void =>
    dependencies.record({
      ...attributes,
      ...(admin ? { admin } : {}),
      method,
      path: url.pathname,
      code,
      ...(method === 'PATCH' && contentType !== undefined ? { patchContentType: contentType } : {}),
    });

  let retryAfterSeconds: number | undefined;
  try {
    const rawBody = await readBody(request);
    if (dependencies.token !== undefined && !admin && request.headers.authorization !== `Bearer ${dependencies.token}`) {
      throw new ApiError({ code: 401, message: 'Unauthorized' });
    }
    if (!route) throw new ApiError({ code: 404, message: 'the server could not find the requested resource' });
    if (!verb) throw new ApiError({ code: 405, message: 'the server does not allow this method on the requested resource' });
    if (!admin && !dependencies.authorizer()(attributes)) throw forbidden(qualifiedResource(route.type), attributes);
    const injected = dependencies.faults.take(attributes);
    if (injected) {
      retryAfterSeconds = injected.retryAfterSeconds;
      throw injected.error;
    }
    let body = parseJson(rawBody);
    const created = verb === 'create' ? asKubeObject(body) : undefined;
    if (created) body = await dependencies.admitCreate(route.type, route.namespace, created);
    const reply = handleRequest(dependencies, { verb, route, query: url.searchParams, body, contentType }, response);
    if (!reply) {
      record(200);
      return;
    }
    sendJson(response, reply.code, reply.body);
    record(reply.code);
  } catch (error) {
    const failure = error instanceof ApiError ? error : new ApiError({ code: 500, message: error instanceof Error ? error.message : String(error) });
    if (response.headersSent) {
      response.destroy();
    } else {
      sendJson(response, failure.code, failure.toStatus(), retryAfterSeconds);
    }
    record(failure.code);
  }
}

function sendJson(response: ServerResponse, code: number, body: unknown, retryAfterSeconds?: number): void {
  response.writeHead(code, {
    'Content-Type': 'application/json',
    ...(retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {}),
  });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError({ code: 400, message: 'the request body is not valid JSON' });
  }
}

function forbidden(resourceName: string, attributes: RequestAttributes): ApiError {
  const subject = attributes.name !== undefined ? `${resourceName} "${attributes.name}"` : resourceName;
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const scope = attributes.namespace !== undefined ? `in the namespace "${attributes.namespace}"` : 'at the cluster scope';
  return new ApiError({
    code: 403,
    message: `${subject} is forbidden: User "system:serviceaccount:kube-fake:client" cannot ${attributes.verb} resource "${resource}" in API group "${attributes.group}" ${scope}`,
    details: { ...(attributes.name !== undefined ? { name: attributes.name } : {}), group: attributes.group, kind: attributes.resource },
  });
}
