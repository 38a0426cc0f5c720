/**
 * PATCH bodies: RFC 7386 merge patch, RFC 6902 JSON patch, and strategic merge patch treated as a
 * plain merge patch. That last one is a simplification: the real server merges some lists by key
 * (containers by `name`) and unions `metadata.finalizers`, where this fake replaces the whole list.
 * Server-side apply is not supported (415).
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from './errors.js';
import { isJsonObject } from './object.js';

export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const type = PATCH_TYPES[mediaType];
  if (!type) {
    throw new ApiError({
      code: 415,
      message: `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`,
    });
  }
  return type;
}

export function applyPatch(target: unknown, patch: unknown, type: PatchType): unknown {
  return type === 'json' ? applyJsonPatch(target, patch) : applyMergePatch(target, patch);
}

/** RFC 7386: objects merge recursively, `null` removes a member, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- RFC 7386: a null member removes that key from the JSON object
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 operations add, remove, replace, move, copy and test; any failure is a 422 as on the API server. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw new ApiError({ code: 400, message: 'a JSON patch must be an array of operations' });
  }
  let document = structuredClone(target);
  for (const operation of operations) {
    document = applyOperation(document, operation);
  }
  return document;
}

function applyOperation(document: unknown, operation: unknown): unknown {
  if (!isJsonObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
    throw patchInvalid(`malformed operation ${JSON.stringify(operation)}`);
  }
  const { op, path } = operation;
  switch (op) {
    case 'add':
      return insert(document, path, requireValue(operation));
    case 'remove':
      return remove(document, path);
    case 'replace':
      read(document, path);
      return insert(remove(document, path), path, requireValue(operation));
    case 'move': {
      const from = requireFrom(operation);
      const value = read(document, from);
      return insert(remove(document, from), path, value);
    }
    case 'copy':
      return insert(document, path, structuredClone(read(document, requireFrom(operation))));
    case 'test':
      if (!isDeepStrictEqual(read(document, path), requireValue(operation))) {
        throw patchInvalid(`testing value ${path} failed`);
      }
      return document;
    default:
      throw patchInvalid(`unknown operation "${op}"`);
  }
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchInvalid(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function read(document: unknown, pointer: string): unknown {
  let current = document;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current) && /^\d+$/.test(token) && Number(token) < current.length) current = current[Number(token)];
    else if (isJsonObject(current) && Object.hasOwn(current, token)) current = current[token];
    else throw patchInvalid(`path ${pointer} does not exist`);
  }
  return current;
}

/** Splits a pointer into its parent container (which must exist) and the last token. */
function parentOf(document: unknown, pointer: string): { parent: unknown; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop();
  if (token === undefined) throw patchInvalid('an operation on the whole document is not supported');
  const parentPointer = tokens.map((entry) => '/' + entry.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return { parent: read(document, parentPointer), token };
}

function insert(document: unknown, pointer: string, value: unknown): unknown {
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) {
    const index = token === '-' ? parent.length : Number(token);
    if (!/^(\d+|-)$/.test(token) || index > parent.length) throw patchInvalid(`index ${token} is out of range in ${pointer}`);
    parent.splice(index, 0, structuredClone(value));
  } else if (isJsonObject(parent)) {
    parent[token] = structuredClone(value);
  } else {
    throw patchInvalid(`cannot add ${pointer}: the parent is not an object or array`);
  }
  return document;
}

function remove(document: unknown, pointer: string): unknown {
  read(document, pointer);
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) parent.splice(Number(token), 1);
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- RFC 6902 remove: the pointer's last token names the member to delete
  else if (isJsonObject(parent)) delete parent[token];
  return document;
}

function requireValue(operation: Record<string, unknown>): unknown {
  if (!Object.hasOwn(operation, 'value')) throw patchInvalid(`operation "${String(operation.op)}" needs a value`);
  return operation.value;
}

function requireFrom(operation: Record<string, unknown>): string {
  if (typeof operation.from !== 'string') throw patchInvalid(`operation "${String(operation.op)}" needs "from"`);
  return operation.from;
}

function patchInvalid(message: string): ApiError {
  return new ApiError({ code: 422, message: `the server rejected our request due to an error in our request: ${message}` });
}
