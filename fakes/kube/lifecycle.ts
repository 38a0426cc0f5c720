/**
 * The API server's write rules on top of the plain store: system metadata on create, optimistic
 * concurrency on resourceVersion, what the main resource and its status subresource may change,
 * generation, and finalizers (a delete only marks an object until its finalizers are gone).
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './errors.js';
import { formatTime, type KubeObject, type ObjectMeta } from './object.js';
import { apiVersionOf, qualifiedKind, qualifiedResource, type ResourceType } from './resources.js';
import type { ObjectStore } from './store.js';
import { validateObject } from './validation.js';

export interface LifecycleContext {
  store: ObjectStore;
  now: () => Date;
}

/**
 * Which parts of the body an update may change: `main` everything but status (for types with a
 * status subresource), `status` only status, `all` both (the fake's direct test access).
 */
export type UpdateScope = 'main' | 'status' | 'all';

/** Metadata the server owns: kept from the stored object whatever an update sends. */
const SERVER_OWNED_METADATA = [
  'name',
  'namespace',
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'resourceVersion',
] as const;

export function createObject(context: LifecycleContext, type: ResourceType, args: { namespace?: string; body: KubeObject; keepStatus: boolean }): KubeObject {
  const { body } = args;
  if (body.metadata.resourceVersion) {
    throw new ApiError({ code: 500, message: 'resourceVersion should not be set on objects to be created' });
  }
  const namespace = type.namespaced ? requestNamespace(args.namespace, body.metadata.namespace) : undefined;
  const name = body.metadata.name || (body.metadata.generateName ? body.metadata.generateName + randomSuffix() : undefined);
  const metadata: ObjectMeta = { ...body.metadata, uid: randomUUID(), creationTimestamp: formatTime(context.now()), generation: 1 };
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  delete metadata.resourceVersion;
  if (name === undefined) delete metadata.name;
  else metadata.name = name;
  if (namespace === undefined) delete metadata.namespace;
  else metadata.namespace = namespace;
  const object: KubeObject = { ...body, apiVersion: apiVersionOf(type), kind: type.kind, metadata };
  if (type.statusSubresource && !args.keepStatus) delete object.status;
  assertValid(type, object);
  if (context.store.get(type, namespace, name ?? '')) {
    throw new ApiError({ code: 409, reason: 'AlreadyExists', message: `${qualifiedResource(type)} "${name}" already exists`, details: details(type, name) });
  }
  return context.store.write(type, object, 'ADDED');
}

export function updateObject(
  context: LifecycleContext,
  type: ResourceType,
  args: { namespace?: string; name: string; body: KubeObject; scope: UpdateScope },
): KubeObject {
  const current = getExisting(context, type, args.namespace, args.name);
  assertResourceVersion(type, current, args.body.metadata.resourceVersion);
  if (args.body.metadata.name !== undefined && args.body.metadata.name !== args.name) {
    throw new ApiError({ code: 400, message: `the name of the object (${args.body.metadata.name}) does not match the name on the URL (${args.name})` });
  }
  const next = compose(type, current, args.body, args.scope);
  if (args.scope !== 'status') assertValid(type, next);
  assertNoNewFinalizersWhileDeleting(type, current, next);
  if (isDeepStrictEqual(next, current)) return current;
  if (!isDeepStrictEqual(specOf(next), specOf(current))) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
    return context.store.delete(type, next);
  }
  return context.store.write(type, next, 'MODIFIED');
}

export interface DeleteResult {
  object: KubeObject;
  /** False when finalizers keep the object, now marked with a deletionTimestamp. */
  removed: boolean;
}

export function deleteObject(
  context: LifecycleContext,
  type: ResourceType,
  args: { namespace?: string; name: string; preconditions?: { resourceVersion?: string; uid?: string } },
): DeleteResult {
  const current = getExisting(context, type, args.namespace, args.name);
  const { resourceVersion, uid } = args.preconditions ?? {};
  assertResourceVersion(type, current, resourceVersion);
  if (uid !== undefined && uid !== current.metadata.uid) {
    throw new ApiError({
      code: 409,
      message: `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
      details: details(type, args.name),
    });
  }
  if ((current.metadata.finalizers ?? []).length === 0) {
    return { object: context.store.delete(type, current), removed: true };
  }
  if (current.metadata.deletionTimestamp !== undefined) return { object: current, removed: false };
  const marked = structuredClone(current);
  marked.metadata.deletionTimestamp = formatTime(context.now());
  marked.metadata.deletionGracePeriodSeconds = 0;
  marked.metadata.generation = (current.metadata.generation ?? 0) + 1;
  return { object: context.store.write(type, marked, 'MODIFIED'), removed: false };
}

export function getExisting(context: LifecycleContext, type: ResourceType, namespace: string | undefined, name: string): KubeObject {
  const current = context.store.get(type, type.namespaced ? namespace : undefined, name);
  if (!current) {
    throw new ApiError({ code: 404, message: `${qualifiedResource(type)} "${name}" not found`, details: details(type, name) });
  }
  return current;
}

function compose(type: ResourceType, current: KubeObject, body: KubeObject, scope: UpdateScope): KubeObject {
  if (scope === 'status') {
    const next = structuredClone(current);
    if (body.status === undefined) delete next.status;
    else next.status = structuredClone(body.status);
    return next;
  }
  const metadata: ObjectMeta = structuredClone(body.metadata);
  const fields: Record<string, unknown> = metadata;
  for (const field of SERVER_OWNED_METADATA) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- field is one of the fixed server-owned metadata keys
    if (current.metadata[field] === undefined) delete fields[field];
    else fields[field] = current.metadata[field];
  }
  const next: KubeObject = { ...structuredClone(body), apiVersion: apiVersionOf(type), kind: type.kind, metadata };
  if (scope === 'main' && type.statusSubresource) {
    if (current.status === undefined) delete next.status;
    else next.status = structuredClone(current.status);
  }
  return next;
}

function assertResourceVersion(type: ResourceType, current: KubeObject, expected: string | undefined): void {
  if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
    throw new ApiError({
      code: 409,
      message: `Operation cannot be fulfilled on ${qualifiedResource(type)} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      details: details(type, current.metadata.name),
    });
  }
}

function assertNoNewFinalizersWhileDeleting(type: ResourceType, current: KubeObject, next: KubeObject): void {
  if (current.metadata.deletionTimestamp === undefined) return;
  const existing = new Set(current.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((finalizer) => !existing.has(finalizer));
  if (added.length > 0) {
    throw invalid(type, current.metadata.name, [
      `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((entry) => JSON.stringify(entry)).join(', ')}}`,
    ]);
  }
}

function assertValid(type: ResourceType, object: KubeObject): void {
  const problems = validateObject(type, object);
  if (problems.length > 0) throw invalid(type, object.metadata.name, problems);
}

function invalid(type: ResourceType, name: string | undefined, problems: string[]): ApiError {
  const list = problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`;
  return new ApiError({
    code: 422,
    message: `${qualifiedKind(type)} "${name ?? ''}" is invalid: ${list}`,
    details: { ...details(type, name), kind: type.kind },
  });
}

function requestNamespace(fromPath: string | undefined, fromBody: string | undefined): string {
  if (fromPath !== undefined && fromBody !== undefined && fromBody !== '' && fromBody !== fromPath) {
    throw new ApiError({ code: 400, message: 'the namespace of the provided object does not match the namespace sent on the request' });
  }
  const namespace = fromPath ?? fromBody;
  if (!namespace) throw new ApiError({ code: 400, message: 'an empty namespace may not be set during creation' });
  return namespace;
}

/** Everything but metadata and status: a change here is a new generation. */
function specOf(object: KubeObject): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the named fields are destructured only to leave them out of the spec
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...spec } = object;
  return spec;
}

function details(type: ResourceType, name: string | undefined): { name?: string; group: string; kind: string } {
  return { ...(name !== undefined ? { name } : {}), group: type.group, kind: type.plural };
}

/** Five characters from the alphabet the API server uses for generateName (no vowels, no confusables). */
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}
