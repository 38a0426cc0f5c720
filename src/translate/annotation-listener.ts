/**
 * Listener-level annotations, in aws-load-balancer-controller's formats:
 * - `mutual-authentication`: `[{"port":443,"mode":"verify","trustStore":"arn:…:truststore/…",
 *   "ignoreClientCertificateExpiry":true,"advertiseTrustStoreCaNames":"on"}]` — per HTTPS port, mode off,
 *   passthrough or verify; the trust store (ARN or name) only with verify (ELBv2 API reference,
 *   MutualAuthenticationAttributes);
 * - `listener-attributes.<PROTOCOL>-<port>`: a stringMap of the ALB's listener attributes
 *   (ListenerAttribute in the ELBv2 API reference), e.g. `routing.http.response.server.enabled=false`.
 * Header names and values set here are what the load balancer writes into requests and responses,
 * so they are held to what a header can carry.
 * @module
 */
import type { ListenerProtocol, MutualAuthentication } from '../model.js';
import type { ListenerAttributesAnnotation } from './annotation-types.js';
import { describeJson, isJsonObject, member } from './annotation-json.js';
import { accept, controlCharacterProblem, HTTP_TOKEN, orList, parseJson, parsePort, parseStringMap, quote, reject, type Parsed } from './annotation-values.js';

const MODES = ['off', 'passthrough', 'verify'] as const;
const TRUST_STORE_ARN = /^arn:aws[-a-z]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:truststore\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
/** A trust store name: like a target group's, 1-32 alphanumerics or "-", not starting or ending with "-". */
const TRUST_STORE_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
/** The ALB's limit on a header name it writes. */
const MAX_HEADER_NAME = 40;

/** The ALB's listener attributes (ListenerAttribute, ELBv2 API reference), by the kind of value each takes. */
const LISTENER_ATTRIBUTES: Readonly<Record<string, 'header-name' | 'header-value' | 'boolean'>> = {
  'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name': 'header-name',
  'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name': 'header-name',
  'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'header-name',
  'routing.http.request.x_amzn_mtls_clientcert_validity.header_name': 'header-name',
  'routing.http.request.x_amzn_mtls_clientcert_leaf.header_name': 'header-name',
  'routing.http.request.x_amzn_mtls_clientcert.header_name': 'header-name',
  'routing.http.request.x_amzn_tls_version.header_name': 'header-name',
  'routing.http.request.x_amzn_tls_cipher_suite.header_name': 'header-name',
  'routing.http.response.server.enabled': 'boolean',
  'routing.http.response.strict_transport_security.header_value': 'header-value',
  'routing.http.response.access_control_allow_origin.header_value': 'header-value',
  'routing.http.response.access_control_allow_methods.header_value': 'header-value',
  'routing.http.response.access_control_allow_headers.header_value': 'header-value',
  'routing.http.response.access_control_allow_credentials.header_value': 'header-value',
  'routing.http.response.access_control_expose_headers.header_value': 'header-value',
  'routing.http.response.access_control_max_age.header_value': 'header-value',
  'routing.http.response.content_security_policy.header_value': 'header-value',
  'routing.http.response.x_content_type_options.header_value': 'header-value',
  'routing.http.response.x_frame_options.header_value': 'header-value',
};

export function parseMutualAuthentication(raw: string): Parsed<Map<number, MutualAuthentication>> {
  const expected = 'expected a JSON list such as [{"port":443,"mode":"verify","trustStore":"arn:aws:elasticloadbalancing:…:truststore/…"}]';
  const json = parseJson(raw);
  if (!json.ok) return reject(`${expected}; ${json.problem}`);
  if (!Array.isArray(json.value) || json.value.length === 0) return reject(expected);
  const byPort = new Map<number, MutualAuthentication>();
  for (const [index, item] of json.value.entries()) {
    const entry = parseEntry(item, `[${index}]`);
    if (!entry.ok) return entry;
    if (byPort.has(entry.value.port)) return reject(`[${index}].port ${entry.value.port} is listed twice`);
    byPort.set(entry.value.port, entry.value.settings);
  }
  return accept(byPort);
}

function parseEntry(item: unknown, path: string): Parsed<{ port: number; settings: MutualAuthentication }> {
  if (!isJsonObject(item)) return reject(`${path} must be an object {"port":443,"mode":"off|passthrough|verify",…}`);
  const rawPort = member(item, 'port');
  const port = typeof rawPort === 'number' && Number.isInteger(rawPort) ? parsePort(String(rawPort)) : undefined;
  if (!port?.ok) return reject(`${path}.port must be a port number from 1 to 65535, got ${describeJson(rawPort)}`);
  const mode = MODES.find((candidate) => candidate === member(item, 'mode'));
  if (mode === undefined) return reject(`${path}.mode must be ${orList(MODES)}, got ${describeJson(member(item, 'mode'))}`);
  const trustStore = member(item, 'trustStore');
  const ignoreExpiry = member(item, 'ignoreClientCertificateExpiry');
  const advertise = member(item, 'advertiseTrustStoreCaNames');
  if (mode !== 'verify') {
    for (const [name, value] of [
      ['trustStore', trustStore],
      ['ignoreClientCertificateExpiry', ignoreExpiry],
      ['advertiseTrustStoreCaNames', advertise],
    ] as const) {
      if (value !== undefined) return reject(`${path}.${name} applies to mode verify only, and the mode is ${mode}`);
    }
    return accept({ port: port.value, settings: { mode } });
  }
  if (typeof trustStore !== 'string' || !(TRUST_STORE_ARN.test(trustStore) || TRUST_STORE_NAME.test(trustStore))) {
    return reject(
      `${path}.trustStore must be a trust store ARN (arn:aws:elasticloadbalancing:<region>:<account>:truststore/<name>/<id>) or name, which mode verify needs; got ${describeJson(trustStore)}`,
    );
  }
  if (ignoreExpiry !== undefined && typeof ignoreExpiry !== 'boolean')
    return reject(`${path}.ignoreClientCertificateExpiry must be true or false, got ${describeJson(ignoreExpiry)}`);
  if (advertise !== undefined && advertise !== 'on' && advertise !== 'off')
    return reject(`${path}.advertiseTrustStoreCaNames must be "on" or "off", got ${describeJson(advertise)}`);
  return accept({
    port: port.value,
    settings: {
      mode,
      ...(TRUST_STORE_ARN.test(trustStore) ? { trustStoreArn: trustStore } : { trustStoreName: trustStore }),
      ...(ignoreExpiry !== undefined && { ignoreClientCertificateExpiry: ignoreExpiry }),
      ...(advertise !== undefined && { advertiseTrustStoreCaNames: advertise === 'on' }),
    },
  });
}

/** The `<PROTOCOL>-<port>` at the end of a `listener-attributes.` key. */
function parseListenerKey(suffix: string): Parsed<{ protocol: ListenerProtocol; port: number }> {
  const match = /^(HTTP|HTTPS)-(\d{1,5})$/.exec(suffix);
  const port = match ? parsePort(match[2] ?? '') : undefined;
  if (!match || !port?.ok)
    return reject(`the key must end in <PROTOCOL>-<port> with protocol HTTP or HTTPS, such as listener-attributes.HTTPS-443; ${quote(suffix)} is not one`);
  return accept({ protocol: match[1] as ListenerProtocol, port: port.value });
}

export function parseListenerAttributes(suffix: string, raw: string): Parsed<{ port: number; value: ListenerAttributesAnnotation }> {
  const key = parseListenerKey(suffix);
  if (!key.ok) return key;
  const attributes = parseStringMap(raw);
  if (!attributes.ok) return attributes;
  for (const [name, value] of Object.entries(attributes.value)) {
    const problem = attributeProblem(name, value);
    if (problem !== undefined) return reject(problem);
  }
  return accept({ port: key.value.port, value: { protocol: key.value.protocol, attributes: attributes.value } });
}

function attributeProblem(name: string, value: string): string | undefined {
  const kind = LISTENER_ATTRIBUTES[name];
  if (kind === undefined)
    return `${quote(name)} is not a listener attribute of an Application Load Balancer (see ListenerAttribute in the ELBv2 API reference)`;
  switch (kind) {
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : `${name} must be true or false, got ${quote(value)}`;
    case 'header-name':
      return value.length <= MAX_HEADER_NAME && HTTP_TOKEN.test(value)
        ? undefined
        : `${name} must be an HTTP header name (at most ${MAX_HEADER_NAME} letters, digits and !#$%&'*+.^_\`|~-), got ${quote(value)}`;
    case 'header-value': {
      const control = controlCharacterProblem(value);
      if (control !== undefined) return `${name} ${control}`;
      return value.length <= 1024 && value !== '' ? undefined : `${name} must be a header value of 1 to 1024 characters, got ${quote(value)}`;
    }
  }
}
