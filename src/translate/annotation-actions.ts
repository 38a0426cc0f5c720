/**
 * `actions.<name>` values, in aws-load-balancer-controller's JSON format:
 * - `{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"…"}}`
 * - `{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"443","host":"…","path":"/…","query":"…","statusCode":"HTTP_301"}}`
 * - `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":"80","weight":20}],
 *   "targetGroupStickinessConfig":{"enabled":true,"durationSeconds":200}}}`
 * - a function, as an entry of `forwardConfig.targetGroups`: `{"functionName":"upload","weight":20}` names
 *   what a `backend.resource` of kind Function would (ingress-bridge's own; docs/serverless.md).
 * - a target group outside the cluster, by ARN or name: `{"type":"forward","targetGroupARN":"arn:…"}`
 *   (or `targetGroupName`), or as an entry of `forwardConfig.targetGroups`. It is referenced, never
 *   created, changed or deleted.
 * Numbers are also accepted where that format quotes them (`"statusCode":503`, `"port":443`).
 * @module
 */
import { MAX_FORWARD_WEIGHT } from '../limits.js';
import type { AnnotationAction, AnnotationForwardBackend } from './annotation-types.js';
import { describeJson, isJsonObject, member, optionalInteger, optionalString, stringOrNumber, type JsonObject } from './annotation-json.js';
import { accept, controlCharacterProblem, isPortName, orList, parseJson, parsePort, reject, SERVICE_NAME, type Parsed } from './annotation-values.js';

const FIXED_RESPONSE_CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'] as const;
const MAX_MESSAGE_BODY = 1024;
/** ALB's limits on a forward action. */
const MAX_TARGET_GROUPS = 5;
const WEIGHT_RANGE = { min: 0, max: MAX_FORWARD_WEIGHT };
const STICKINESS_SECONDS = { min: 1, max: 604800 };
/** ALB's limit on each redirect component (RedirectActionConfig: host, path and query of at most 128). */
const MAX_REDIRECT_PART = 128;
/**
 * What may go into the Location header the redirect builds. The ALB does not percent-encode host,
 * path or query (RedirectActionConfig), so they must already be valid URI text: a hostname (letters,
 * digits, `-`, `.`, `_`) around `#{host}`; path and query in visible ASCII.
 */
const REDIRECT_HOST = /^[A-Za-z0-9._-]+$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const TARGET_GROUP_ARN = /^arn:aws[-a-z]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const TARGET_GROUP_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

export function parseAction(raw: string): Parsed<AnnotationAction> {
  const json = parseJson(raw);
  if (!json.ok) return json;
  if (!isJsonObject(json.value)) return reject('expected a JSON object such as {"type":"fixed-response","fixedResponseConfig":{...}}');
  const action = json.value;
  const type = member(action, 'type');
  switch (type) {
    case 'fixed-response':
      return parseFixedResponse(action);
    case 'redirect':
      return parseRedirect(action);
    case 'forward':
      return parseForward(action);
    default:
      return reject(`type must be fixed-response, redirect or forward, got ${describeJson(type)}`);
  }
}

function parseFixedResponse(action: JsonObject): Parsed<AnnotationAction> {
  const config = member(action, 'fixedResponseConfig');
  if (!isJsonObject(config)) return reject('a fixed-response action needs fixedResponseConfig: {"statusCode":"503",...}');
  const statusCode = stringOrNumber(member(config, 'statusCode'));
  if (statusCode === undefined || !/^[245]\d\d$/.test(statusCode)) {
    return reject(`fixedResponseConfig.statusCode must be a 2XX, 4XX or 5XX code, got ${describeJson(member(config, 'statusCode'))}`);
  }
  const contentType = member(config, 'contentType');
  if (contentType !== undefined && !FIXED_RESPONSE_CONTENT_TYPES.some((allowed) => allowed === contentType)) {
    return reject(`fixedResponseConfig.contentType must be ${orList(FIXED_RESPONSE_CONTENT_TYPES)}, got ${describeJson(contentType)}`);
  }
  const messageBody = member(config, 'messageBody');
  if (messageBody !== undefined && (typeof messageBody !== 'string' || messageBody.length > MAX_MESSAGE_BODY)) {
    return reject(`fixedResponseConfig.messageBody must be a string of at most ${MAX_MESSAGE_BODY} characters, got ${describeJson(messageBody)}`);
  }
  return accept({
    type: 'fixed-response',
    statusCode,
    ...(typeof contentType === 'string' ? { contentType } : {}),
    ...(messageBody !== undefined ? { messageBody } : {}),
  });
}

type RedirectPart = 'protocol' | 'port' | 'host' | 'path' | 'query';

/** Redirect components that equal "keep the request's own value"; the model says that by leaving them unset. */
const KEEP_REQUEST_VALUE: Record<RedirectPart, string> = {
  protocol: '#{protocol}',
  port: '#{port}',
  host: '#{host}',
  path: '/#{path}',
  query: '#{query}',
};

function parseRedirect(action: JsonObject): Parsed<AnnotationAction> {
  const config = member(action, 'redirectConfig');
  if (!isJsonObject(config)) return reject('a redirect action needs redirectConfig: {"statusCode":"HTTP_301",...}');
  const statusCode = member(config, 'statusCode');
  if (statusCode !== 'HTTP_301' && statusCode !== 'HTTP_302') {
    return reject(`redirectConfig.statusCode must be HTTP_301 or HTTP_302, got ${describeJson(statusCode)}`);
  }
  const parts: Partial<Record<RedirectPart, string>> = {};
  for (const name of Object.keys(KEEP_REQUEST_VALUE) as RedirectPart[]) {
    const raw = member(config, name);
    if (raw === undefined) continue;
    const value = name === 'port' ? stringOrNumber(raw) : raw;
    // An empty query drops the request's: RedirectActionConfig's Query is 0–128 characters, the other parts 1–128.
    const empty = value === '' && name !== 'query';
    if (typeof value !== 'string' || empty || value.length > MAX_REDIRECT_PART) {
      const what = name === 'query' ? 'a string' : 'a non-empty string';
      return reject(`redirectConfig.${name} must be ${what} of at most ${MAX_REDIRECT_PART} characters, got ${describeJson(raw)}`);
    }
    const control = controlCharacterProblem(value);
    if (control !== undefined) return reject(`redirectConfig.${name} ${control}`);
    if (value !== KEEP_REQUEST_VALUE[name]) parts[name] = value;
  }
  const problem = redirectPartProblem(parts);
  if (problem !== undefined) return reject(problem);
  return accept({ type: 'redirect', statusCode, ...parts });
}

function redirectPartProblem(parts: Partial<Record<RedirectPart, string>>): string | undefined {
  const { protocol, port, host, path, query } = parts;
  // ALB's rule against redirect loops: the query alone does not count as a change.
  if ([protocol, port, host, path].every((part) => part === undefined)) {
    return 'redirectConfig must change at least one of protocol, port, host or path, or the redirect loops';
  }
  if (protocol !== undefined && protocol !== 'HTTP' && protocol !== 'HTTPS') {
    return `redirectConfig.protocol must be HTTP, HTTPS or #{protocol}, got ${describeJson(protocol)}`;
  }
  if (port !== undefined && !parsePort(port).ok) {
    return `redirectConfig.port must be a port from 1 to 65535 or #{port}, got ${describeJson(port)}`;
  }
  if (host !== undefined && !REDIRECT_HOST.test(host.replaceAll('#{host}', 'h'))) {
    return `redirectConfig.host must be a hostname (letters, digits, "-", "." and "_", may use #{host}), got ${describeJson(host)}`;
  }
  if (path !== undefined && !path.startsWith('/')) {
    return `redirectConfig.path must start with "/", got ${describeJson(path)}`;
  }
  if (path !== undefined && !VISIBLE_ASCII.test(path)) {
    return `redirectConfig.path must be visible ASCII without spaces (percent-encode the rest), got ${describeJson(path)}`;
  }
  if (query !== undefined && query !== '' && (!VISIBLE_ASCII.test(query) || query.startsWith('?'))) {
    return `redirectConfig.query must be visible ASCII without spaces or a leading "?" (percent-encode the rest), got ${describeJson(query)}`;
  }
  return undefined;
}

function parseForward(action: JsonObject): Parsed<AnnotationAction> {
  const config = member(action, 'forwardConfig');
  const external = parseExternalTargetGroup(action, '', 1);
  if (!external.ok) return external;
  if (external.value) {
    if (config !== undefined) return reject('a forward action names either targetGroupARN/targetGroupName or forwardConfig, not both');
    return accept({ type: 'forward', backends: [external.value] });
  }
  if (!isJsonObject(config)) return reject('a forward action needs forwardConfig: {"targetGroups":[{"serviceName":"…","servicePort":80}]}, or targetGroupARN');
  const groups = member(config, 'targetGroups');
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_TARGET_GROUPS) {
    return reject(`forwardConfig.targetGroups must list 1 to ${MAX_TARGET_GROUPS} target groups, got ${describeJson(groups)}`);
  }
  const backends: AnnotationForwardBackend[] = [];
  for (const [index, group] of groups.entries()) {
    const backend = parseForwardBackend(group, `forwardConfig.targetGroups[${index}]`, groups.length);
    if (!backend.ok) return backend;
    const identity = backendIdentity(backend.value);
    if (backends.some((other) => backendIdentity(other) === identity)) return reject(`forwardConfig.targetGroups[${index}] repeats ${identity}`);
    backends.push(backend.value);
  }
  const stickiness = parseStickiness(member(config, 'targetGroupStickinessConfig'));
  if (!stickiness.ok) return stickiness;
  return accept({ type: 'forward', backends, ...(stickiness.value ? { stickiness: stickiness.value } : {}) });
}

function backendIdentity(backend: AnnotationForwardBackend): string {
  if ('targetGroupArn' in backend) return `target group ${backend.targetGroupArn}`;
  if ('targetGroupName' in backend) return `target group ${backend.targetGroupName}`;
  if ('functionName' in backend) return `function ${backend.functionName}`;
  return `service ${backend.serviceName} port ${backend.servicePort}`;
}

/** `targetGroupARN` or `targetGroupName` (one of the two) of a target group the controller does not own. */
function parseExternalTargetGroup(object: JsonObject, path: string, weight: number): Parsed<AnnotationForwardBackend | undefined> {
  const arn = member(object, 'targetGroupARN');
  const name = member(object, 'targetGroupName');
  if (arn !== undefined && name !== undefined) return reject(`${path}targetGroupARN and ${path}targetGroupName are both set; name the target group once`);
  if (arn !== undefined) {
    if (typeof arn !== 'string' || !TARGET_GROUP_ARN.test(arn)) {
      return reject(
        `${path}targetGroupARN must be a target group ARN such as arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>, got ${describeJson(arn)}`,
      );
    }
    return accept({ targetGroupArn: arn, weight });
  }
  if (name !== undefined) {
    if (typeof name !== 'string' || !TARGET_GROUP_NAME.test(name)) {
      return reject(
        `${path}targetGroupName must be a target group name (1 to 32 letters, digits or "-", not starting or ending with "-"), got ${describeJson(name)}`,
      );
    }
    return accept({ targetGroupName: name, weight });
  }
  return accept(undefined);
}

function parseForwardBackend(group: unknown, path: string, count: number): Parsed<AnnotationForwardBackend> {
  if (!isJsonObject(group)) return reject(`${path} must be an object {"serviceName":"…","servicePort":80,"weight":1}`);
  const weight = optionalInteger(group, 'weight', `${path}.weight`, WEIGHT_RANGE);
  if (!weight.ok) return weight;
  // As in aws-load-balancer-controller: a weight may only be left out when there is one target group.
  if (weight.value === undefined && count > 1) return reject(`${path}.weight is required when forwarding to several target groups`);
  const external = parseExternalTargetGroup(group, `${path}.`, weight.value ?? 1);
  if (!external.ok) return external;
  if (external.value) {
    if (member(group, 'serviceName') !== undefined || member(group, 'servicePort') !== undefined) {
      return reject(`${path} names both a target group and a Service; name one`);
    }
    return accept(external.value);
  }
  const functionName = member(group, 'functionName');
  if (functionName !== undefined) {
    if (member(group, 'serviceName') !== undefined || member(group, 'servicePort') !== undefined) {
      return reject(`${path} names both a function and a Service; name one`);
    }
    // The reference name: resolved later as backend.resource's name is (function-backends.ts), which checks it.
    if (typeof functionName !== 'string' || functionName === '' || functionName.length > 253) {
      return reject(`${path}.functionName must be a function's reference name, got ${describeJson(functionName)}`);
    }
    return accept({ functionName, weight: weight.value ?? 1 });
  }
  const serviceName = optionalString(group, 'serviceName', `${path}.serviceName`, { maxLength: 253 });
  if (!serviceName.ok) return serviceName;
  if (serviceName.value === undefined) return reject(`${path}.serviceName is required`);
  if (!SERVICE_NAME.test(serviceName.value)) {
    return reject(
      `${path}.serviceName must be a Service name (at most 63 lower-case letters, digits or "-", starting with a letter), got ${describeJson(serviceName.value)}`,
    );
  }
  const servicePort = parseServicePort(member(group, 'servicePort'), `${path}.servicePort`);
  if (!servicePort.ok) return servicePort;
  return accept({ serviceName: serviceName.value, servicePort: servicePort.value, weight: weight.value ?? 1 });
}

/** A port number, a numeric string (read as the number, as aws-load-balancer-controller does), or a port name. */
function parseServicePort(value: unknown, path: string): Parsed<number | string> {
  const text = stringOrNumber(value);
  if (text !== undefined) {
    if (/^\d+$/.test(text)) {
      const port = parsePort(text);
      if (port.ok) return port;
    } else if (isPortName(text)) {
      return accept(text);
    }
  }
  return reject(`${path} must be a port number from 1 to 65535 or a port name, got ${describeJson(value)}`);
}

type Stickiness = { enabled: boolean; durationSeconds: number };

function parseStickiness(value: unknown): Parsed<Stickiness | undefined> {
  const path = 'forwardConfig.targetGroupStickinessConfig';
  if (value === undefined) return accept(undefined);
  if (!isJsonObject(value)) return reject(`${path} must be an object {"enabled":true,"durationSeconds":3600}`);
  const enabled = member(value, 'enabled');
  if (enabled !== undefined && typeof enabled !== 'boolean') return reject(`${path}.enabled must be true or false, got ${describeJson(enabled)}`);
  const duration = optionalInteger(value, 'durationSeconds', `${path}.durationSeconds`, STICKINESS_SECONDS);
  if (!duration.ok) return duration;
  if (enabled !== true) return accept(undefined);
  if (duration.value === undefined) return reject(`${path}.durationSeconds is required when stickiness is enabled`);
  return accept({ enabled, durationSeconds: duration.value });
}
