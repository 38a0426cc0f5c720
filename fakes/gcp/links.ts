/**
 * Resource addresses as Compute writes them. A resource's key is its partial URL
 * (`projects/p/regions/r/urlMaps/name`); its selfLink is that key under the API's base URL. Clients
 * may name a resource by either, and the API stores every reference as a full URL.
 * @module
 */
export const API_BASE = 'https://www.googleapis.com/compute/v1/';

export interface ResourcePath {
  /** `projects/p/regions/r`, `projects/p/zones/z` or `projects/p/global`. */
  scope: string;
  collection: string;
  name: string;
}

const PATH = /^(projects\/[^/]+\/(?:regions|zones)\/[^/]+|projects\/[^/]+\/global)\/([A-Za-z]+)\/([^/]+)$/;

/** The key of a reference, or undefined when the string is not a resource URL. */
export function referenceKey(value: string): string | undefined {
  const partial = value.startsWith(API_BASE) ? value.slice(API_BASE.length) : value;
  return PATH.test(partial) ? partial : undefined;
}

export function parseKey(key: string): ResourcePath | undefined {
  const match = PATH.exec(key);
  if (!match) return undefined;
  return { scope: match[1]!, collection: match[2]!, name: match[3]! };
}

export const selfLink = (key: string): string => API_BASE + key;
