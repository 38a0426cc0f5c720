/**
 * The annotations ingress-bridge reads, by key without prefix: how each value is parsed and where
 * it lands in the typed result. Formats are aws-load-balancer-controller's, so manifests written
 * for it read unchanged.
 * @module
 */
import type { IngressAnnotations, ListenPort, TargetGroupAnnotations } from './annotation-types.js';
import { parseAction } from './annotation-actions.js';
import { parseCognitoIdp, parseCookieName, parseExtraParams, parseJwtValidation, parseOidcIdp, parseScope, SESSION_TIMEOUT } from './annotation-auth.js';
import { parseConditions } from './annotation-conditions.js';
import { isJsonObject } from './annotation-json.js';
import { parseListenerAttributes, parseMutualAuthentication } from './annotation-listener.js';
import { parseTransforms } from './annotation-transforms.js';
import {
  accept,
  DNS_SUBDOMAIN,
  isPortName,
  listControlProblem,
  parseCidrList,
  parseEnum,
  parseInteger,
  parseJson,
  parsePort,
  parseStringList,
  parseStringMap,
  parseSuccessCodes,
  quote,
  reject,
  type Parsed,
} from './annotation-values.js';

/** Applies one raw value to the result: false when the value is empty and was ignored. */
export interface Setting<Target> {
  key: string;
  apply: (raw: string, target: Target) => Parsed<boolean>;
}

function setting<T, Target>(
  key: string,
  parse: (raw: string, target: Target) => Parsed<T | undefined>,
  assign: (target: Target, value: T) => void,
): Setting<Target> {
  return {
    key,
    apply: (raw, target) => {
      const parsed = parse(raw, target);
      if (!parsed.ok) return parsed;
      if (parsed.value === undefined) return accept(false);
      assign(target, parsed.value);
      return accept(true);
    },
  };
}

/** A stringList where an empty value means "not set", as in aws-load-balancer-controller. */
function optionalList(raw: string): Parsed<string[] | undefined> {
  const items = parseStringList(raw);
  const control = listControlProblem(items);
  if (control !== undefined) return reject(control);
  return accept(items.length > 0 ? items : undefined);
}

const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const LOAD_BALANCER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9]{0,30}[A-Za-z0-9])?$/;
const CERTIFICATE_ARN = /^arn:aws[-a-z]*:(acm|iam):/;
const WEB_ACL_ARN = /^arn:aws[-a-z]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;
const WEB_ACL_NAME = /^[\w-]{1,128}$/;
/** Kubernetes label syntax: an optional DNS-subdomain prefix and `/`, a name of at most 63; values of at most 63. */
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
/** Characters AWS allows in tag keys and values. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function parseGroupName(raw: string): Parsed<string> {
  return GROUP_NAME.test(raw) ? accept(raw) : reject('expected at most 63 lower-case alphanumerics, "-" or ".", starting and ending with an alphanumeric');
}

function parseLoadBalancerName(raw: string): Parsed<string> {
  if (LOAD_BALANCER_NAME.test(raw) && !raw.startsWith('internal-')) return accept(raw);
  return reject('expected at most 32 alphanumerics or "-", not starting or ending with "-" and not starting with "internal-"');
}

function parseCertificateArns(raw: string): Parsed<string[] | undefined> {
  const arns = optionalList(raw);
  const bad = arns.ok ? arns.value?.find((arn) => !CERTIFICATE_ARN.test(arn)) : undefined;
  if (bad !== undefined) return reject(`expected certificate ARNs such as arn:aws:acm:<region>:<account>:certificate/<id>; ${quote(bad)} is not one`);
  return arns;
}

function parseInboundCidrs(raw: string): Parsed<string[] | undefined> {
  const cidrs = parseStringList(raw);
  return cidrs.length > 0 ? parseCidrList(cidrs) : accept(undefined);
}

function parseTags(raw: string): Parsed<Record<string, string>> {
  const tags = parseStringMap(raw);
  if (!tags.ok) return tags;
  for (const [key, value] of Object.entries(tags.value)) {
    if (key.length > 128 || !TAG_TEXT.test(key)) return reject(`tag key ${quote(key)} must be at most 128 letters, digits, spaces or _.:/=+-@`);
    if (key.toLowerCase().startsWith('aws:')) return reject(`tag key ${quote(key)} must not start with "aws:", which AWS reserves`);
    if (value.length > 256 || !TAG_TEXT.test(value)) return reject(`the value of tag ${quote(key)} must be at most 256 letters, digits, spaces or _.:/=+-@`);
  }
  return tags;
}

/** A regional WAFv2 web ACL ARN, or `none` (aws-load-balancer-controller's way to remove any association). */
function parseWebAclArn(raw: string): Parsed<IngressAnnotations['webAcl']> {
  if (raw === 'none') return accept({ kind: 'none' });
  return WEB_ACL_ARN.test(raw)
    ? accept({ kind: 'arn', arn: raw })
    : reject('expected none or a regional WAFv2 web ACL ARN such as arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/<name>/<id>');
}

function parseWebAclName(raw: string): Parsed<IngressAnnotations['webAcl']> {
  return WEB_ACL_NAME.test(raw)
    ? accept({ kind: 'name', name: raw })
    : reject('expected the name of a regional WAFv2 web ACL: 1 to 128 letters, digits, "_" or "-"');
}

/** Go's strconv.ParseBool, which aws-load-balancer-controller reads booleans with. */
function parseBoolean(raw: string): Parsed<boolean> {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return accept(true);
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return accept(false);
  return reject('expected true or false');
}

/** `key=value` pairs in Kubernetes label syntax; an empty value means "the label is set to the empty string". */
function parseNodeLabels(raw: string): Parsed<Record<string, string> | undefined> {
  const labels = parseStringMap(raw);
  if (!labels.ok) return labels;
  for (const [key, value] of Object.entries(labels.value)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (!LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      return reject(`${quote(key)} is not a label key ([prefix/]name: a name of at most 63 letters, digits, "-", "_" or ".", a DNS-subdomain prefix)`);
    }
    if (!LABEL_VALUE.test(value))
      return reject(`the value of label ${quote(key)} must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`);
  }
  return accept(Object.keys(labels.value).length > 0 ? labels.value : undefined);
}

/** `[{"HTTP":80},{"HTTPS":443}]`; an entry may name several protocols, as Go decodes it into a map. */
function parseListenPorts(raw: string): Parsed<ListenPort[]> {
  const expected = 'expected a JSON list such as [{"HTTP":80},{"HTTPS":443}] with protocol HTTP or HTTPS and distinct ports from 1 to 65535';
  const json = parseJson(raw);
  if (!json.ok) return reject(`${expected}; ${json.problem}`);
  if (!Array.isArray(json.value) || json.value.length === 0) return reject(expected);
  const ports: ListenPort[] = [];
  for (const entry of json.value) {
    if (!isJsonObject(entry)) return reject(expected);
    for (const [protocol, port] of Object.entries(entry)) {
      if (protocol !== 'HTTP' && protocol !== 'HTTPS') return reject(`${expected}; ${quote(protocol)} is not a protocol`);
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return reject(`${expected}; ${JSON.stringify(port)} is not a port`);
      if (ports.some((other) => other.port === port)) return reject(`${expected}; port ${port} is listed twice`);
      ports.push({ protocol, port });
    }
  }
  return accept(ports);
}

/** The path goes into the health-check request line: visible ASCII only, so no CR/LF can end the line. */
function parseHealthCheckPath(raw: string): Parsed<string> {
  return raw.startsWith('/') && raw.length <= 1024 && /^[\x21-\x7e]+$/.test(raw)
    ? accept(raw)
    : reject('expected a path starting with "/" (at most 1024 characters, visible ASCII without spaces; percent-encode the rest)');
}

/** `traffic-port`, a port number, or a Service port name. */
function parseHealthCheckPort(raw: string): Parsed<number | string> {
  if (raw === 'traffic-port') return accept(raw);
  if (/^\d+$/.test(raw)) {
    const port = parsePort(raw);
    if (port.ok) return port;
  } else if (isPortName(raw)) {
    return accept(raw);
  }
  return reject('expected traffic-port, a port number from 1 to 65535, or the name of a Service port');
}

/** A security-policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06; the listener maps it to protocols and ciphers. */
function parseSslPolicy(raw: string): Parsed<string> {
  if (raw.trim() === '') return reject('expected a non-empty value');
  return /^[A-Za-z0-9._-]{1,128}$/.test(raw)
    ? accept(raw)
    : reject('expected a security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06 (letters, digits, "-", "_" and ".")');
}

/** Settings that may be given on an Ingress or on a Service (the Service's win). */
export const TARGET_GROUP_SETTINGS: readonly Setting<TargetGroupAnnotations>[] = [
  setting(
    'target-type',
    (raw) => parseEnum(raw, ['instance', 'ip'] as const),
    (t, v) => {
      t.targetType = v;
    },
  ),
  setting(
    'backend-protocol',
    (raw) => parseEnum(raw, ['HTTP', 'HTTPS'] as const),
    (t, v) => {
      t.backendProtocol = v;
    },
  ),
  setting(
    'backend-protocol-version',
    (raw) => parseEnum(raw, ['HTTP1', 'HTTP2', 'GRPC'] as const),
    (t, v) => {
      t.backendProtocolVersion = v;
    },
  ),
  setting('healthcheck-path', parseHealthCheckPath, (t, v) => {
    t.healthCheck.path = v;
  }),
  setting('healthcheck-port', parseHealthCheckPort, (t, v) => {
    t.healthCheck.port = v;
  }),
  setting(
    'healthcheck-protocol',
    (raw) => parseEnum(raw, ['HTTP', 'HTTPS'] as const),
    (t, v) => {
      t.healthCheck.protocol = v;
    },
  ),
  setting(
    'healthcheck-interval-seconds',
    (raw) => parseInteger(raw, { min: 5, max: 300 }),
    (t, v) => {
      t.healthCheck.intervalSeconds = v;
    },
  ),
  setting(
    'healthcheck-timeout-seconds',
    (raw) => parseInteger(raw, { min: 2, max: 120 }),
    (t, v) => {
      t.healthCheck.timeoutSeconds = v;
    },
  ),
  setting(
    'healthy-threshold-count',
    (raw) => parseInteger(raw, { min: 2, max: 10 }),
    (t, v) => {
      t.healthCheck.healthyThresholdCount = v;
    },
  ),
  setting(
    'unhealthy-threshold-count',
    (raw) => parseInteger(raw, { min: 2, max: 10 }),
    (t, v) => {
      t.healthCheck.unhealthyThresholdCount = v;
    },
  ),
  // After backend-protocol-version (annotations.ts applies settings in this order): the code range depends on it.
  setting(
    'success-codes',
    (raw, t) => parseSuccessCodes(raw, t.backendProtocolVersion),
    (t, v) => {
      t.healthCheck.successCodes = v;
    },
  ),
  setting('target-group-attributes', parseStringMap, (t, v) => {
    t.targetGroupAttributes = v;
  }),
  setting('tags', parseTags, (t, v) => {
    t.tags = v;
  }),
  setting('target-node-labels', parseNodeLabels, (t, v) => {
    t.targetNodeLabels = v;
  }),
];

/** Settings read from an Ingress only. */
export const INGRESS_SETTINGS: readonly Setting<IngressAnnotations>[] = [
  setting('group.name', parseGroupName, (t, v) => {
    t.groupName = v;
  }),
  setting(
    'group.order',
    (raw) => parseInteger(raw, { min: -1000, max: 1000 }),
    (t, v) => {
      t.groupOrder = v;
    },
  ),
  setting('load-balancer-name', parseLoadBalancerName, (t, v) => {
    t.loadBalancerName = v;
  }),
  setting(
    'scheme',
    (raw) => parseEnum(raw, ['internet-facing', 'internal'] as const),
    (t, v) => {
      t.scheme = v;
    },
  ),
  setting(
    'load-balancer-scope',
    (raw) => parseEnum(raw, ['regional', 'global'] as const),
    (t, v) => {
      t.loadBalancerScope = v;
    },
  ),
  setting(
    'ip-address-type',
    (raw) => parseEnum(raw, ['ipv4', 'dualstack'] as const),
    (t, v) => {
      t.ipAddressType = v;
    },
  ),
  setting('subnets', optionalList, (t, v) => {
    t.subnets = v;
  }),
  setting('security-groups', optionalList, (t, v) => {
    t.securityGroups = v;
  }),
  setting('inbound-cidrs', parseInboundCidrs, (t, v) => {
    t.inboundCidrs = v;
  }),
  setting('load-balancer-attributes', parseStringMap, (t, v) => {
    t.loadBalancerAttributes = v;
  }),
  setting('listen-ports', parseListenPorts, (t, v) => {
    t.listenPorts = v;
  }),
  setting('ssl-redirect', parsePort, (t, v) => {
    t.sslRedirect = v;
  }),
  setting('certificate-arn', parseCertificateArns, (t, v) => {
    t.certificateArns = v;
  }),
  setting('ssl-policy', parseSslPolicy, (t, v) => {
    t.sslPolicy = v;
  }),
  setting('wafv2-acl-arn', parseWebAclArn, (t, v) => {
    t.webAcl = v;
  }),
  // After wafv2-acl-arn: annotations.ts refuses the two together, naming this one.
  setting('wafv2-acl-name', parseWebAclName, (t, v) => {
    t.webAcl ??= v;
  }),
  setting('shield-advanced-protection', parseBoolean, (t, v) => {
    t.shieldAdvancedProtection = v;
  }),
  setting('mutual-authentication', parseMutualAuthentication, (t, v) => {
    t.mutualAuthentication = v;
  }),
  setting(
    'auth-type',
    (raw) => parseEnum(raw, ['none', 'oidc', 'cognito'] as const),
    (t, v) => {
      t.auth.type = v;
    },
  ),
  setting('auth-idp-oidc', parseOidcIdp, (t, v) => {
    t.auth.oidc = v;
  }),
  setting('auth-idp-cognito', parseCognitoIdp, (t, v) => {
    t.auth.cognito = v;
  }),
  setting(
    'auth-on-unauthenticated-request',
    (raw) => parseEnum(raw, ['authenticate', 'allow', 'deny'] as const),
    (t, v) => {
      t.auth.onUnauthenticatedRequest = v;
    },
  ),
  setting('auth-scope', parseScope, (t, v) => {
    t.auth.scope = v;
  }),
  setting('auth-session-cookie', parseCookieName, (t, v) => {
    t.auth.sessionCookieName = v;
  }),
  setting(
    'auth-session-timeout',
    (raw) => parseInteger(raw, SESSION_TIMEOUT),
    (t, v) => {
      t.auth.sessionTimeoutSeconds = v;
    },
  ),
  setting('auth-authentication-request-extra-params', parseExtraParams, (t, v) => {
    t.auth.authenticationRequestExtraParams = v;
  }),
  setting('jwt-validation', parseJwtValidation, (t, v) => {
    t.jwtValidation = v;
  }),
];

/** Keys that end in a name: `actions.<name>`, `conditions.<name>` and `transforms.<name>` (a backend Service's name), `listener-attributes.<PROTOCOL>-<port>`. */
export interface NamedSetting {
  prefix: string;
  apply: (name: string, raw: string, target: IngressAnnotations) => Parsed<boolean>;
}

export const INGRESS_NAMED_SETTINGS: readonly NamedSetting[] = [
  {
    prefix: 'actions.',
    apply: (name, raw, target) => {
      const action = parseAction(raw);
      if (action.ok) target.actions.set(name, action.value);
      return action.ok ? accept(true) : action;
    },
  },
  {
    prefix: 'conditions.',
    apply: (name, raw, target) => {
      const conditions = parseConditions(raw);
      if (conditions.ok) target.conditions.set(name, conditions.value);
      return conditions.ok ? accept(true) : conditions;
    },
  },
  {
    prefix: 'transforms.',
    apply: (name, raw, target) => {
      const transforms = parseTransforms(raw);
      if (transforms.ok) target.transforms.set(name, transforms.value);
      return transforms.ok ? accept(true) : transforms;
    },
  },
  {
    prefix: 'listener-attributes.',
    apply: (suffix, raw, target) => {
      const parsed = parseListenerAttributes(suffix, raw);
      if (!parsed.ok) return parsed;
      if (target.listenerAttributes.has(parsed.value.port))
        return reject(`port ${parsed.value.port} already has a listener-attributes annotation; one per port`);
      if (Object.keys(parsed.value.value.attributes).length === 0) return accept(false);
      target.listenerAttributes.set(parsed.value.port, parsed.value.value);
      return accept(true);
    },
  },
];
