/**
 * Label and field selectors in the API's query syntax, parsed once per request and matched against
 * stored objects. Bad syntax is a 400, as on the real API server.
 */
import { ApiError } from './errors.js';
import { isJsonObject, type KubeObject } from './object.js';

export interface LabelRequirement {
  key: string;
  operator: 'in' | 'notin' | 'exists' | 'doesnotexist';
  values: string[];
}

export interface FieldRequirement {
  /** A dotted path such as `metadata.name`, `type` (Secrets) or `involvedObject.name` (Events). */
  path: string;
  operator: '=' | '!=';
  value: string;
}

export interface Selectors {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

export function parseSelectors(query: URLSearchParams): Selectors {
  return {
    labels: parseLabelSelector(query.get('labelSelector') ?? ''),
    fields: parseFieldSelector(query.get('fieldSelector') ?? ''),
  };
}

export function matchesSelectors(object: KubeObject, selectors: Selectors): boolean {
  const labels = object.metadata.labels ?? {};
  return (
    selectors.labels.every((requirement) => matchesLabel(labels, requirement)) &&
    selectors.fields.every((requirement) => (fieldValue(object, requirement.path) === requirement.value) === (requirement.operator === '='))
  );
}

export function parseLabelSelector(text: string): LabelRequirement[] {
  return splitTerms(text).map(parseLabelTerm);
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTerms(text).map((term) => {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badSelector('field', term);
    const [, path = '', operator, value = ''] = match;
    return { path, operator: operator === '!=' ? '!=' : '=', value: value.trim() };
  });
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseLabelTerm(term: string): LabelRequirement {
  const requirement = parseLabelTermSyntax(term);
  if (!LABEL_KEY.test(requirement.key) || !requirement.values.every((value) => LABEL_VALUE.test(value))) throw badSelector('label', term);
  return requirement;
}

function parseLabelTermSyntax(term: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const [, key = '', operator, values = ''] = setMatch;
    return { key, operator: operator === 'in' ? 'in' : 'notin', values: values.split(',').map((value) => value.trim()) };
  }
  const equalityMatch = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(term);
  if (equalityMatch) {
    const [, key = '', operator, value = ''] = equalityMatch;
    return { key, operator: operator === '!=' ? 'notin' : 'in', values: [value] };
  }
  const existsMatch = /^(!?)([^=!\s()]+)$/.exec(term);
  if (existsMatch) {
    const [, negated, key = ''] = existsMatch;
    return { key, operator: negated ? 'doesnotexist' : 'exists', values: [] };
  }
  throw badSelector('label', term);
}

function matchesLabel(labels: Record<string, string>, requirement: LabelRequirement): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case 'doesnotexist':
      return value === undefined;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
      // As on the API server, `a!=b` also matches objects without the label.
      return value === undefined || !requirement.values.includes(value);
  }
}

/** The field as a string; absent fields read as '' (so `metadata.namespace=` matches cluster-scoped objects). */
function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    current = isJsonObject(current) ? current[segment] : undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- field selectors name scalar fields; any other value is stringified as the loose lookup finds it
  return current === undefined || current === null ? '' : String(current);
}

/** Splits on commas outside parentheses, so `a in (x,y),b` is two terms. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index <= text.length; index += 1) {
    const char = text[index];
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (index === text.length || (char === ',' && depth === 0)) {
      const term = text.slice(start, index).trim();
      if (term !== '') terms.push(term);
      start = index + 1;
    }
  }
  return terms;
}

function badSelector(which: 'label' | 'field', term: string): ApiError {
  return new ApiError({ code: 400, message: `unable to parse requirement: invalid ${which} selector term "${term}"` });
}
