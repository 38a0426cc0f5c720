/**
 * One function per verb, from a routed request to the reply body. Watches are handed to the
 * WatchHub, which writes its own streaming response.
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { Verb } from './faults.js';
import { createObject, deleteObject, getExisting, updateObject, type LifecycleContext } from './lifecycle.js';
import { asKubeObject, isJsonObject, objectKey, type KubeObject } from './object.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { apiVersionOf, servesApiVersion, type ResourceType } from './resources.js';
import type { Route } from './routes.js';
import { matchesSelectors, parseSelectors } from './selectors.js';
import type { WatchHub } from './watch.js';

export interface RoutedRequest {
  verb: Verb;
  route: Route;
  query: URLSearchParams;
  /** The decoded JSON body, undefined when there was none. */
  body: unknown;
  contentType: string | undefined;
}

export interface Reply {
  code: number;
  body: unknown;
}

export interface HandlerContext {
  lifecycle: LifecycleContext;
  watches: WatchHub;
}

/** Serves a request; returns undefined when a watch took over the response. */
export function handleRequest(context: HandlerContext, request: RoutedRequest, response: ServerResponse): Reply | undefined {
  const { route, query } = request;
  const { type, namespace } = route;
  const name = route.name ?? '';
  switch (request.verb) {
    case 'list':
      return { code: 200, body: listBody(context, request) };
    case 'watch':
      context.watches.open(
        {
          type,
          namespace,
          selectors: parseSelectors(query),
          resourceVersion: query.get('resourceVersion') ?? undefined,
          timeoutSeconds: positiveNumber(query.get('timeoutSeconds')),
          bookmarks: query.get('allowWatchBookmarks') === 'true',
        },
        response,
      );
      return undefined;
    case 'get':
      return { code: 200, body: getExisting(context.lifecycle, type, namespace, name) };
    case 'create':
      return { code: 201, body: createObject(context.lifecycle, type, { namespace, body: requireObject(request.body, type), keepStatus: false }) };
    case 'update':
      return { code: 200, body: updateObject(context.lifecycle, type, { namespace, name, body: requireObject(request.body, type), scope: scopeOf(route) }) };
    case 'patch': {
      const patchType = patchTypeOf(request.contentType);
      const current = getExisting(context.lifecycle, type, namespace, name);
      const patched = asKubeObject(applyPatch(current, request.body, patchType));
      if (!patched) throw new ApiError({ code: 422, message: 'the patched object is not a Kubernetes object' });
      return { code: 200, body: updateObject(context.lifecycle, type, { namespace, name, body: patched, scope: scopeOf(route) }) };
    }
    case 'delete': {
      const result = deleteObject(context.lifecycle, type, { namespace, name, preconditions: preconditionsOf(request.body) });
      return { code: 200, body: result.removed ? deletedStatus(type, result.object) : result.object };
    }
  }
}

function listBody(context: HandlerContext, request: RoutedRequest): unknown {
  const { type, namespace } = request.route;
  const selectors = parseSelectors(request.query);
  const matching = context.lifecycle.store.list(type, namespace).filter((object) => matchesSelectors(object, selectors));
  const after = decodeContinue(request.query.get('continue'));
  const remaining = after === undefined ? matching : matching.filter((object) => keyOf(object) > after);
  const limit = positiveNumber(request.query.get('limit'));
  const page = limit === undefined ? remaining : remaining.slice(0, limit);
  const more = remaining.length - page.length;
  const lastOnPage = page.at(-1);
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: {
      resourceVersion: String(context.lifecycle.store.currentRevision),
      ...(more > 0 && lastOnPage ? { continue: Buffer.from(keyOf(lastOnPage)).toString('base64url'), remainingItemCount: more } : {}),
    },
    // The real API leaves kind and apiVersion off list items.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- kind and apiVersion are destructured only to leave them out
    items: page.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item),
  };
}

function keyOf(object: KubeObject): string {
  return objectKey(object.metadata.namespace, object.metadata.name ?? '');
}

function decodeContinue(token: string | null): string | undefined {
  if (token === null || token === '') return undefined;
  return Buffer.from(token, 'base64url').toString('utf8');
}

function scopeOf(route: Route): 'main' | 'status' {
  return route.subresource === 'status' ? 'status' : 'main';
}

function requireObject(body: unknown, type: ResourceType): KubeObject {
  const object = asKubeObject(body);
  if (!object) throw new ApiError({ code: 400, message: 'the request body must be a JSON object with object metadata' });
  if (
    (object.kind !== undefined && object.kind !== type.kind) ||
    (object.apiVersion !== undefined && (typeof object.apiVersion !== 'string' || !servesApiVersion(type, object.apiVersion)))
  ) {
    throw new ApiError({
      code: 400,
      message: `the object's ${String(object.apiVersion)} ${String(object.kind)} does not match the expected ${apiVersionOf(type)} ${type.kind}`,
    });
  }
  return object;
}

function preconditionsOf(body: unknown): { resourceVersion?: string; uid?: string } | undefined {
  const preconditions = isJsonObject(body) ? body.preconditions : undefined;
  if (!isJsonObject(preconditions)) return undefined;
  const { resourceVersion, uid } = preconditions;
  return {
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    ...(typeof uid === 'string' ? { uid } : {}),
  };
}

/** What the API returns for an immediate delete of most resources: a success Status naming the object. */
function deletedStatus(type: ResourceType, object: KubeObject): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: object.metadata.name, group: type.group, kind: type.plural, uid: object.metadata.uid },
  };
}

function positiveNumber(text: string | null): number | undefined {
  const value = Number(text);
  return text !== null && Number.isFinite(value) && value > 0 ? value : undefined;
}
