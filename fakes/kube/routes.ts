/**
 * URL paths and methods to resources and verbs: `/api/v1/...` for the core group,
 * `/apis/<group>/<version>/...` for the others, namespaced and all-namespaces forms.
 */
import type { RequestAttributes, Verb } from './faults.js';
import { findResourceByPath, type ResourceType } from './resources.js';

export interface Route {
  type: ResourceType;
  /** The namespace in the path; undefined for cluster-scoped types and all-namespaces collections. */
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
}

/** `unserved`: `group/version/plural` paths answered 404, as by a cluster whose CRDs do not serve that version. */
export function parseRoute(pathname: string, unserved: ReadonlySet<string> = new Set()): Route | undefined {
  const segments = pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  const [root, ...afterRoot] = segments;
  let group: string | undefined;
  let version: string | undefined;
  let rest: string[];
  if (root === 'api') {
    [version, ...rest] = afterRoot;
    group = '';
  } else if (root === 'apis') {
    [group, version, ...rest] = afterRoot;
  } else {
    return undefined;
  }
  if (group === undefined || version === undefined) return undefined;

  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const [plural, name, subresource, ...extra] = namespaced ? rest.slice(2) : rest;
  const type = plural === undefined || unserved.has(`${group}/${version}/${plural}`) ? undefined : findResourceByPath(group, version, plural);
  if (!type || extra.length > 0) return undefined;
  if (namespaced && !type.namespaced) return undefined;
  // A namespaced type is only served without a namespace as an all-namespaces collection.
  if (!namespaced && type.namespaced && name !== undefined) return undefined;
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource)) return undefined;
  return { type, namespace: namespaced ? rest[1] : undefined, name, subresource };
}

/** The verb a request means; undefined when the method is not allowed on that path. */
export function verbOf(method: string, route: Route, query: URLSearchParams): Verb | undefined {
  const isCollection = route.name === undefined;
  switch (method) {
    case 'GET':
      if (!isCollection) return 'get';
      return ['true', '1'].includes(query.get('watch') ?? '') ? 'watch' : 'list';
    case 'POST':
      return isCollection && route.subresource === undefined && (route.namespace !== undefined || !route.type.namespaced) ? 'create' : undefined;
    case 'PUT':
      return isCollection ? undefined : 'update';
    case 'PATCH':
      return isCollection ? undefined : 'patch';
    case 'DELETE':
      return isCollection || route.subresource !== undefined ? undefined : 'delete';
    default:
      return undefined;
  }
}

export function attributesOf(verb: Verb, route: Route): RequestAttributes {
  return {
    verb,
    group: route.type.group,
    resource: route.type.plural,
    ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
    ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route.name !== undefined ? { name: route.name } : {}),
  };
}

/** Attributes for a request the fake cannot route, so it is still recorded. */
export function unroutedAttributes(method: string): RequestAttributes {
  const verbs: Record<string, Verb> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return { verb: verbs[method] ?? 'get', group: '', resource: '' };
}
