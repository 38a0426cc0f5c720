/**
 * Listener settings besides certificates and actions: mutual TLS (ELBv2 API reference,
 * MutualAuthenticationAttributes) and listener attributes (ListenerAttribute,
 * Describe/ModifyListenerAttributes); plus the trust stores mutual TLS verify names, which the
 * controller only reads (DescribeTrustStores).
 * - Mutual TLS is for HTTPS listeners; verify needs an existing trust store, off and passthrough
 *   take none; a listener without one reads as mode off. Given on a modify, it replaces the old.
 * - Listener attributes: the ALB's keys with their defaults (Describe lists every key); a key of
 *   another kind of load balancer or a bad value is a ValidationError and nothing is applied.
 * @module
 */
import type {
  DescribeListenerAttributesInput,
  DescribeTrustStoresInput,
  ModifyListenerAttributesInput,
  MutualAuthenticationAttributes,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2Page, requireListener } from './elbv2-common.js';
import { elbv2Error } from './errors.js';
import { handler, type FakeState, type Handler } from './state.js';

const MODES = ['off', 'passthrough', 'verify'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}$/;

/** ALB listener attributes and their defaults (the header names are ALB's own). */
const LISTENER_ATTRIBUTES: Readonly<Record<string, string>> = {
  'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name': 'X-Amzn-Mtls-Clientcert-Serial-Number',
  'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name': 'X-Amzn-Mtls-Clientcert-Issuer',
  'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'X-Amzn-Mtls-Clientcert-Subject',
  'routing.http.request.x_amzn_mtls_clientcert_validity.header_name': 'X-Amzn-Mtls-Clientcert-Validity',
  'routing.http.request.x_amzn_mtls_clientcert_leaf.header_name': 'X-Amzn-Mtls-Clientcert-Leaf',
  'routing.http.request.x_amzn_mtls_clientcert.header_name': 'X-Amzn-Mtls-Clientcert',
  'routing.http.request.x_amzn_tls_version.header_name': 'X-Amzn-Tls-Version',
  'routing.http.request.x_amzn_tls_cipher_suite.header_name': 'X-Amzn-Tls-Cipher-Suite',
  'routing.http.response.server.enabled': 'true',
  'routing.http.response.strict_transport_security.header_value': '',
  'routing.http.response.access_control_allow_origin.header_value': '',
  'routing.http.response.access_control_allow_methods.header_value': '',
  'routing.http.response.access_control_allow_headers.header_value': '',
  'routing.http.response.access_control_allow_credentials.header_value': '',
  'routing.http.response.access_control_expose_headers.header_value': '',
  'routing.http.response.access_control_max_age.header_value': '',
  'routing.http.response.content_security_policy.header_value': '',
  'routing.http.response.x_content_type_options.header_value': '',
  'routing.http.response.x_frame_options.header_value': '',
};

export function checkMutualAuthentication(
  state: FakeState,
  protocol: 'HTTP' | 'HTTPS',
  given: MutualAuthenticationAttributes | undefined,
  current: MutualAuthenticationAttributes | undefined,
): MutualAuthenticationAttributes | undefined {
  if (given === undefined) return current;
  if (protocol !== 'HTTPS') throw elbv2Error('ValidationError', 'Mutual authentication can only be configured on an HTTPS listener');
  const mode = given.Mode ?? 'off';
  if (!MODES.includes(mode)) throw elbv2Error('ValidationError', `Mutual authentication mode '${mode}' must be off, passthrough or verify`);
  if (mode !== 'verify') {
    if (given.TrustStoreArn !== undefined || given.IgnoreClientCertificateExpiry !== undefined) {
      throw elbv2Error('ValidationError', `A trust store and IgnoreClientCertificateExpiry apply to mode verify only, not ${mode}`);
    }
    return { Mode: mode };
  }
  const trustStore = state.trustStores.get(given.TrustStoreArn ?? '');
  if (trustStore === undefined) throw elbv2Error('TrustStoreNotFound', `Trust store '${given.TrustStoreArn ?? ''}' not found`);
  // The SDK types it as on | off; the wire takes any string, which AWS refuses.
  const advertise: string = given.AdvertiseTrustStoreCaNames ?? 'off';
  if (advertise !== 'on' && advertise !== 'off') throw elbv2Error('ValidationError', `AdvertiseTrustStoreCaNames '${advertise}' must be on or off`);
  return {
    Mode: 'verify',
    TrustStoreArn: trustStore.arn,
    IgnoreClientCertificateExpiry: given.IgnoreClientCertificateExpiry ?? false,
    AdvertiseTrustStoreCaNames: advertise,
  };
}

/** As DescribeListeners shows it: mode off when never set. */
export function describeMutualAuthentication(stored: MutualAuthenticationAttributes | undefined): MutualAuthenticationAttributes {
  return stored === undefined ? { Mode: 'off' } : structuredClone(stored);
}

function describeListenerAttributes(state: FakeState, input: DescribeListenerAttributesInput): object {
  const listener = requireListener(state, input.ListenerArn);
  return { Attributes: Object.entries({ ...LISTENER_ATTRIBUTES, ...listener.attributes }).map(([Key, Value]) => ({ Key, Value })) };
}

function modifyListenerAttributes(state: FakeState, input: ModifyListenerAttributesInput): object {
  const listener = requireListener(state, input.ListenerArn);
  const changes: Record<string, string> = {};
  for (const { Key = '', Value = '' } of input.Attributes ?? []) {
    if (!(Key in LISTENER_ATTRIBUTES)) throw elbv2Error('ValidationError', `Listener attribute key '${Key}' is not recognized`);
    const valid = Key.endsWith('.enabled')
      ? Value === 'true' || Value === 'false'
      : Key.endsWith('.header_name')
        ? HEADER_NAME.test(Value)
        : !/\p{Cc}/u.test(Value) && Value.length <= 1024;
    if (!valid) throw elbv2Error('ValidationError', `Listener attribute '${Key}' cannot be set to '${Value}'`);
    changes[Key] = Value;
  }
  if (Object.keys(changes).length === 0) throw elbv2Error('ValidationError', 'At least one attribute must be specified');
  Object.assign(listener.attributes, changes);
  return describeListenerAttributes(state, { ListenerArn: listener.arn });
}

function describeTrustStores(state: FakeState, input: DescribeTrustStoresInput): object {
  let selected = [...state.trustStores.values()];
  if (input.Names !== undefined || input.TrustStoreArns !== undefined) {
    const wanted = [...(input.Names ?? []).map((name) => ({ name })), ...(input.TrustStoreArns ?? []).map((arn) => ({ arn }))];
    selected = wanted.map((key) => {
      const found = selected.find((store) => ('name' in key ? store.name === key.name : store.arn === key.arn));
      if (found === undefined) throw elbv2Error('TrustStoreNotFound', `One or more trust stores not found`);
      return found;
    });
  }
  const { items, ...marker } = elbv2Page(state, 'DescribeTrustStores', selected, input);
  return {
    TrustStores: items.map((store) => ({ Name: store.name, TrustStoreArn: store.arn, Status: 'ACTIVE', NumberOfCaCertificates: 1, TotalRevokedEntries: 0 })),
    ...marker,
  };
}

export const listenerSettingsHandlers: Readonly<Record<string, Handler>> = {
  DescribeListenerAttributes: handler(describeListenerAttributes),
  ModifyListenerAttributes: handler(modifyListenerAttributes),
  DescribeTrustStores: handler(describeTrustStores),
};
