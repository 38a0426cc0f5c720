/**
 * The shape of each watched kind below its metadata: which fields are mappings, lists, strings,
 * booleans or integers, and which must be present. The API server decodes and checks these before it
 * stores an object; files never pass through it, so an object of the wrong shape is left out here
 * rather than reaching translate, which relies on the client-node types. Only types, ranges and
 * presence: what a value means for routing (path syntax, pathType values, hosts) is translate's.
 * Pure: one schema description per kind, walked by one function.
 * @module
 */
import type { WatchedKind } from './snapshot.js';
import { checkStringMap, describeValue, error, isMapping, isScalar } from './manifest-fields.js';
import type { Checked, Mapping, Problem } from './manifest-fields.js';

export type Shape =
  | { type: 'string' }
  | { type: 'boolean' }
  | { type: 'integer'; min: number; max: number }
  /** A Service targetPort: a port number or the name of a container port (IntOrString). */
  | { type: 'port-or-name' }
  /** String keys to string values; a null value is read as "" (labels, selectors). */
  | { type: 'string-map'; noun: string }
  | { type: 'list'; items: Shape; nonEmpty: boolean }
  | MappingShape;

export interface MappingShape {
  type: 'mapping';
  /** The fields checked; others are kept as they are. A null field is read as absent. */
  fields: Readonly<Record<string, FieldShape>>;
  /** Fields of which exactly one must be given. */
  exactlyOne?: readonly string[];
}

export type FieldShape = Shape | { required: Shape };

const string: Shape = { type: 'string' };
const boolean: Shape = { type: 'boolean' };
const PORT_RANGE = { min: 1, max: 65535 } as const;
const PORT: Shape = { type: 'integer', ...PORT_RANGE };
const PORT_OR_NAME: Shape = { type: 'port-or-name' };

function mapping(fields: Record<string, FieldShape>, options: { exactlyOne?: readonly string[] } = {}): MappingShape {
  return { type: 'mapping', fields, ...options };
}

function list(items: Shape, options: { nonEmpty?: boolean } = {}): Shape {
  return { type: 'list', items, nonEmpty: options.nonEmpty ?? false };
}

function required(shape: Shape): FieldShape {
  return { required: shape };
}

const INGRESS_BACKEND = mapping({
  service: mapping({
    name: required(string),
    port: required(mapping({ number: PORT, name: string }, { exactlyOne: ['number', 'name'] })),
  }),
  resource: mapping({ apiGroup: string, kind: required(string), name: required(string) }),
});

const LABEL_SELECTOR = mapping({
  matchLabels: { type: 'string-map', noun: 'label' },
  matchExpressions: list(mapping({ key: required(string), operator: required(string), values: list(string) })),
});

const PARENT_REFS = list(mapping({ group: string, kind: string, namespace: string, name: required(string), sectionName: string, port: PORT }));
const GATEWAY_BACKEND_REFS = list(
  mapping({ group: string, kind: string, namespace: string, name: required(string), port: PORT, weight: { type: 'integer', min: 0, max: 1000000 } }),
);
const HEADER_MATCHES = list(mapping({ type: string, name: required(string), value: required(string) }));
const ROUTE_FILTERS = list(mapping({ type: required(string) }));

/** The Gateway API kinds: types of the fields translate reads; values (enums, hostnames) are translate's to judge. */
const GATEWAY_KIND_SHAPES = {
  GatewayClass: mapping({ spec: required(mapping({ controllerName: required(string), description: string })), status: mapping({}) }),
  Gateway: mapping({
    spec: required(
      mapping({
        gatewayClassName: required(string),
        listeners: required(
          list(
            mapping({
              name: required(string),
              hostname: string,
              port: required(PORT),
              protocol: required(string),
              tls: mapping({ mode: string, certificateRefs: list(mapping({ group: string, kind: string, name: required(string), namespace: string })) }),
              allowedRoutes: mapping({
                namespaces: mapping({ from: string, selector: LABEL_SELECTOR }),
                kinds: list(mapping({ group: string, kind: required(string) })),
              }),
            }),
            { nonEmpty: true },
          ),
        ),
      }),
    ),
    status: mapping({}),
  }),
  HTTPRoute: mapping({
    spec: mapping({
      parentRefs: PARENT_REFS,
      hostnames: list(string),
      rules: list(
        mapping({
          name: string,
          matches: list(mapping({ path: mapping({ type: string, value: string }), headers: HEADER_MATCHES, queryParams: HEADER_MATCHES, method: string })),
          filters: ROUTE_FILTERS,
          backendRefs: GATEWAY_BACKEND_REFS,
        }),
      ),
    }),
    status: mapping({}),
  }),
  GRPCRoute: mapping({
    spec: mapping({
      parentRefs: PARENT_REFS,
      hostnames: list(string),
      rules: list(
        mapping({
          name: string,
          matches: list(mapping({ method: mapping({ type: string, service: string, method: string }), headers: HEADER_MATCHES })),
          filters: ROUTE_FILTERS,
          backendRefs: GATEWAY_BACKEND_REFS,
        }),
      ),
    }),
    status: mapping({}),
  }),
  ReferenceGrant: mapping({
    spec: required(
      mapping({
        from: required(list(mapping({ group: required(string), kind: required(string), namespace: required(string) }), { nonEmpty: true })),
        to: required(list(mapping({ group: required(string), kind: required(string), name: string }), { nonEmpty: true })),
      }),
    ),
  }),
} as const;

/** Each kind's fields other than apiVersion, kind and metadata, which manifest-validate checks. */
const KIND_SHAPES: Readonly<Record<WatchedKind, MappingShape>> = {
  Ingress: mapping({
    spec: mapping({
      ingressClassName: string,
      defaultBackend: INGRESS_BACKEND,
      rules: list(
        mapping({
          host: string,
          http: mapping({
            paths: required(list(mapping({ path: string, pathType: string, backend: required(INGRESS_BACKEND) }))),
          }),
        }),
      ),
      tls: list(mapping({ hosts: list(string), secretName: string })),
    }),
    status: mapping({}),
  }),
  IngressClass: mapping({
    spec: required(
      mapping({
        controller: required(string),
        parameters: mapping({ apiGroup: string, kind: required(string), name: required(string), namespace: string, scope: string }),
      }),
    ),
  }),
  IngressClassParams: mapping({
    spec: mapping({
      namespaceSelector: LABEL_SELECTOR,
      group: mapping({ name: string }),
      scheme: string,
      ipAddressType: string,
      inboundCIDRs: list(string),
      sslPolicy: string,
      subnets: mapping({ ids: list(string) }),
      tags: list(mapping({ key: required(string), value: required(string) })),
      loadBalancerAttributes: list(mapping({ key: required(string), value: required(string) })),
    }),
  }),
  Namespace: mapping({ spec: mapping({}), status: mapping({}) }),
  Service: mapping({
    spec: mapping({
      type: string,
      selector: { type: 'string-map', noun: 'selector' },
      ports: list(mapping({ name: string, protocol: string, appProtocol: string, port: required(PORT), targetPort: PORT_OR_NAME, nodePort: PORT })),
    }),
    status: mapping({}),
  }),
  EndpointSlice: mapping({
    addressType: required(string),
    endpoints: list(
      mapping({
        addresses: required(list(string, { nonEmpty: true })),
        conditions: mapping({ ready: boolean, serving: boolean, terminating: boolean }),
        hostname: string,
        nodeName: string,
        zone: string,
        targetRef: mapping({ apiVersion: string, kind: string, namespace: string, name: string, uid: string }),
      }),
    ),
    ports: list(mapping({ name: string, protocol: string, appProtocol: string, port: PORT })),
  }),
  Node: mapping({
    spec: mapping({ providerID: string, unschedulable: boolean }),
    status: mapping({
      conditions: list(mapping({ type: required(string), status: required(string) })),
      addresses: list(mapping({ type: required(string), address: required(string) })),
    }),
  }),
  Secret: mapping({ type: string }),
  Pod: mapping({
    spec: mapping({ readinessGates: list(mapping({ conditionType: required(string) })) }),
    status: mapping({
      podIP: string,
      conditions: list(mapping({ type: required(string), status: required(string), reason: string, message: string })),
    }),
  }),
  ...GATEWAY_KIND_SHAPES,
};

/**
 * Checks an object's fields against its kind's shape. The value comes back with null fields of
 * checked mappings removed and null string-map values read as "", as the API server decodes them.
 */
export function checkKindShape(kind: WatchedKind, object: Mapping): Checked<Mapping> {
  const problems: Problem[] = [];
  const value = checkFields(object, KIND_SHAPES[kind], { path: '', name: kind }, problems);
  return { value, problems };
}

/** Where a value sits: its full path for the diagnostic, and its own name for the message. */
interface At {
  path: string;
  name: string;
}

function checkValue(value: unknown, shape: Shape, at: At, problems: Problem[]): unknown {
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(wrongType(at, shape, value, quoteHint(value)));
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(wrongType(at, shape, value, unquotedBooleanHint(value)));
      return value;
    case 'integer':
      if (!isIntegerIn(value, shape)) problems.push(wrongType(at, shape, value, unquotedIntegerHint(value, shape)));
      return value;
    case 'port-or-name':
      // A numeric string is no port name: the API server rejects it, and translate would look it up by name.
      if ((typeof value !== 'string' || isIntegerText(value.trim())) && !isIntegerIn(value, PORT_RANGE)) {
        problems.push(wrongType(at, shape, value, unquotedIntegerHint(value, PORT_RANGE)));
      }
      return value;
    case 'string-map': {
      const map = checkStringMap(value, { field: at.path, noun: shape.noun, revealValues: true });
      problems.push(...map.problems);
      return map.value;
    }
    case 'list':
      if (!Array.isArray(value)) {
        problems.push(wrongType(at, shape, value, ''));
        return value;
      }
      if (shape.nonEmpty && value.length === 0) problems.push(error(at.path, `${at.name} must be ${expected(shape)}, not an empty list`));
      return value.map((item, index) => checkValue(item, shape.items, { path: `${at.path}[${index}]`, name: `${at.name}[${index}]` }, problems));
    case 'mapping':
      if (!isMapping(value)) {
        problems.push(wrongType(at, shape, value, ''));
        return value;
      }
      return checkFields(value, shape, at, problems);
  }
}

function checkFields(object: Mapping, shape: MappingShape, at: At, problems: Problem[]): Mapping {
  const checked: Mapping = { ...object };
  for (const [key, field] of Object.entries(shape.fields)) {
    const fieldShape = 'required' in field ? field.required : field;
    const fieldAt = { path: at.path ? `${at.path}.${key}` : key, name: key };
    const value = object[key];
    if (value === undefined || value === null) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a Mapping is parsed YAML: a plain record, keyed by the manifest's field names
      delete checked[key];
      if ('required' in field) problems.push(error(fieldAt.path, `${key} is missing; it must be ${expected(fieldShape)}`));
      continue;
    }
    checked[key] = checkValue(value, fieldShape, fieldAt, problems);
  }
  if (shape.exactlyOne) {
    const given = shape.exactlyOne.filter((key) => checked[key] !== undefined);
    if (given.length !== 1) {
      const choices = shape.exactlyOne.join(' or ');
      const found = given.length === 0 ? 'it gives neither' : `it gives ${given.join(' and ')}`;
      problems.push(error(at.path, `${at.name} must give exactly one of ${choices}, but ${found}`));
    }
  }
  return checked;
}

function isIntegerIn(value: unknown, range: { min: number; max: number }): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max;
}

function isIntegerText(text: string): boolean {
  return /^[+-]?\d+$/.test(text);
}

function isBooleanText(text: string): boolean {
  return text === 'true' || text === 'false';
}

function wrongType(at: At, shape: Shape, value: unknown, hint: string): Problem {
  return error(at.path, `${at.name} must be ${expected(shape)}, not ${describeFound(value)}${hint}`);
}

function expected(shape: Shape): string {
  switch (shape.type) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean (true or false)';
    case 'integer':
      return `an integer from ${shape.min} to ${shape.max}`;
    case 'port-or-name':
      return `a port number (an integer from ${PORT_RANGE.min} to ${PORT_RANGE.max}) or a port name`;
    case 'string-map':
      return 'a mapping of string keys to string values';
    case 'list':
      return shape.nonEmpty ? 'a non-empty list' : 'a list';
    case 'mapping':
      return 'a mapping';
  }
}

/** Numeric and boolean text is shown too, so the message can say to unquote it. */
function describeFound(value: unknown): string {
  if (typeof value === 'string' && (isIntegerText(value.trim()) || isBooleanText(value.trim()))) return `the string ${JSON.stringify(value)}`;
  return describeValue(value);
}

/** YAML read an unquoted `yes`, `80` or `1.5` as a boolean or number where text was meant. */
function quoteHint(value: unknown): string {
  return isScalar(value) ? '; quote the value in YAML' : '';
}

/** The reverse mistake: a quoted `"80"` where YAML should read a number. */
function unquotedIntegerHint(value: unknown, range: { min: number; max: number }): string {
  if (typeof value !== 'string' || !isIntegerText(value.trim())) return '';
  const number = Number(value.trim());
  return isIntegerIn(number, range) ? `; write ${number} without quotes` : '';
}

function unquotedBooleanHint(value: unknown): string {
  return typeof value === 'string' && isBooleanText(value.trim()) ? `; write ${value.trim()} without quotes` : '';
}
