/**
 * ELBv2 listeners and their certificates. HTTPS listeners need an ISSUED ACM certificate; one
 * default certificate is set through Create/ModifyListener, the others through
 * AddListenerCertificates, up to the per-listener limit. Mutual TLS (HTTPS only) and listener
 * attributes: elbv2-listener-settings.ts.
 * @module
 */
import type {
  AddListenerCertificatesInput,
  Certificate,
  CreateListenerInput,
  DeleteListenerInput,
  DescribeListenerCertificatesInput,
  DescribeListenersInput,
  Listener,
  ModifyListenerInput,
  RemoveListenerCertificatesInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { listenerArn, ruleArn } from './arns.js';
import { checkActions } from './elbv2-actions.js';
import { withoutClientSecrets } from './elbv2-auth.js';
import { checkMutualAuthentication, describeMutualAuthentication } from './elbv2-listener-settings.js';
import { checkTags, elbv2Page, removeListener, requireListener, requireLoadBalancer } from './elbv2-common.js';
import { elbv2Error } from './errors.js';
import { handler, setTags, type FakeState, type Handler, type ListenerRecord } from './state.js';

const LISTENERS_PER_LOAD_BALANCER = 50;
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';
const SSL_POLICIES: readonly string[] = [
  'ELBSecurityPolicy-2016-08',
  'ELBSecurityPolicy-TLS-1-2-2017-01',
  'ELBSecurityPolicy-TLS-1-2-Ext-2018-06',
  'ELBSecurityPolicy-FS-1-2-Res-2020-10',
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
];

function describeListener(listener: ListenerRecord): Listener {
  const described: Listener = {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    DefaultActions: withoutClientSecrets(listener.defaultActions),
  };
  if (listener.defaultCertificateArn !== undefined) described.Certificates = [{ CertificateArn: listener.defaultCertificateArn }];
  if (listener.sslPolicy !== undefined) described.SslPolicy = listener.sslPolicy;
  if (listener.protocol === 'HTTPS') described.MutualAuthentication = describeMutualAuthentication(listener.mutualAuthentication);
  return described;
}

/** A certificate a listener may use: present in ACM and ISSUED. */
function checkCertificate(state: FakeState, arn: string | undefined): string {
  const certificate = state.certificates.get(arn ?? '');
  if (certificate === undefined || certificate.status !== 'ISSUED') {
    throw elbv2Error('CertificateNotFound', `Certificate '${arn ?? ''}' not found`);
  }
  return certificate.arn;
}

function checkProtocol(protocol: string | undefined): 'HTTP' | 'HTTPS' {
  if (protocol === 'HTTP' || protocol === 'HTTPS') return protocol;
  throw elbv2Error('UnsupportedProtocol', `Protocol '${protocol ?? ''}' is not supported by an Application Load Balancer`);
}

function checkPort(state: FakeState, port: number | undefined, loadBalancerArn: string, except?: string): number {
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw elbv2Error('ValidationError', `Listener port '${port ?? ''}' must be between 1 and 65535`);
  }
  const clash = [...state.listeners.values()].some((l) => l.loadBalancerArn === loadBalancerArn && l.port === port && l.arn !== except);
  if (clash) throw elbv2Error('DuplicateListener', `A listener already exists on port ${port} of this load balancer`);
  return port;
}

/** The TLS part of a listener: default certificate and policy for HTTPS, neither for HTTP. */
function tlsSettings(
  state: FakeState,
  protocol: 'HTTP' | 'HTTPS',
  certificates: readonly Certificate[] | undefined,
  sslPolicy: string | undefined,
  current?: ListenerRecord,
): Pick<ListenerRecord, 'defaultCertificateArn' | 'sslPolicy'> {
  if (protocol === 'HTTP') {
    if ((certificates?.length ?? 0) > 0 || sslPolicy !== undefined) {
      throw elbv2Error('ValidationError', 'Certificates and SslPolicy can only be set on an HTTPS listener');
    }
    return {};
  }
  if ((certificates?.length ?? 0) > 1)
    throw elbv2Error('ValidationError', 'Only the default certificate can be given here; add others with AddListenerCertificates');
  const certificateArn = certificates?.[0] !== undefined ? checkCertificate(state, certificates[0].CertificateArn) : current?.defaultCertificateArn;
  if (certificateArn === undefined) throw elbv2Error('ValidationError', 'A certificate must be specified for HTTPS listeners');
  const policy = sslPolicy ?? current?.sslPolicy ?? DEFAULT_SSL_POLICY;
  if (!SSL_POLICIES.includes(policy)) throw elbv2Error('SSLPolicyNotFound', `SSL policy '${policy}' not found`);
  return { defaultCertificateArn: certificateArn, sslPolicy: policy };
}

export function createListener(state: FakeState, input: CreateListenerInput): { Listeners: Listener[] } {
  const lb = requireLoadBalancer(state, input.LoadBalancerArn);
  const protocol = checkProtocol(input.Protocol);
  const port = checkPort(state, input.Port, lb.arn);
  const tls = tlsSettings(state, protocol, input.Certificates, input.SslPolicy);
  const defaultActions = checkActions(state, input.DefaultActions, { loadBalancerArn: lb.arn, protocol });
  const mutualAuthentication = checkMutualAuthentication(state, protocol, input.MutualAuthentication, undefined);
  const tags = checkTags(input.Tags);
  if ([...state.listeners.values()].filter((l) => l.loadBalancerArn === lb.arn).length >= LISTENERS_PER_LOAD_BALANCER) {
    throw elbv2Error('TooManyListeners', `A load balancer can have at most ${LISTENERS_PER_LOAD_BALANCER} listeners`);
  }
  const arn = listenerArn(lb.arn, state.ids.hex(16));
  const listener: ListenerRecord = {
    arn,
    loadBalancerArn: lb.arn,
    port,
    protocol,
    ...tls,
    extraCertificateArns: [],
    defaultActions,
    defaultRuleArn: ruleArn(arn, state.ids.hex(16)),
    ...(mutualAuthentication !== undefined && { mutualAuthentication }),
    attributes: {},
  };
  state.listeners.set(arn, listener);
  if (tags.length > 0) setTags(state, arn, tags);
  return { Listeners: [describeListener(listener)] };
}

function describeListeners(state: FakeState, input: DescribeListenersInput): object {
  const byLoadBalancer = input.LoadBalancerArn !== undefined;
  if (byLoadBalancer === (input.ListenerArns !== undefined)) {
    throw elbv2Error('ValidationError', 'You must specify either listener ARNs or a load balancer ARN');
  }
  const selected = byLoadBalancer
    ? [...state.listeners.values()].filter((l) => l.loadBalancerArn === requireLoadBalancer(state, input.LoadBalancerArn).arn)
    : (input.ListenerArns ?? []).map((arn) => requireListener(state, arn));
  const { items, ...marker } = elbv2Page(state, 'DescribeListeners', selected, input);
  return { Listeners: items.map(describeListener), ...marker };
}

function modifyListener(state: FakeState, input: ModifyListenerInput): object {
  const listener = requireListener(state, input.ListenerArn);
  const protocol = input.Protocol === undefined ? listener.protocol : checkProtocol(input.Protocol);
  const port = input.Port === undefined ? listener.port : checkPort(state, input.Port, listener.loadBalancerArn, listener.arn);
  const tls = tlsSettings(state, protocol, input.Certificates, input.SslPolicy, protocol === listener.protocol ? listener : undefined);
  const defaultActions =
    input.DefaultActions === undefined
      ? listener.defaultActions
      : checkActions(state, input.DefaultActions, { loadBalancerArn: listener.loadBalancerArn, protocol, replacing: listener.defaultActions });
  const mutualAuthentication = checkMutualAuthentication(
    state,
    protocol,
    input.MutualAuthentication,
    protocol === listener.protocol ? listener.mutualAuthentication : undefined,
  );
  Object.assign(listener, { protocol, port, defaultActions, sslPolicy: tls.sslPolicy, defaultCertificateArn: tls.defaultCertificateArn, mutualAuthentication });
  if (protocol === 'HTTP') listener.extraCertificateArns = [];
  return { Listeners: [describeListener(listener)] };
}

function deleteListener(state: FakeState, input: DeleteListenerInput): object {
  removeListener(state, requireListener(state, input.ListenerArn));
  return {};
}

function addListenerCertificates(state: FakeState, input: AddListenerCertificatesInput): object {
  const listener = requireListener(state, input.ListenerArn);
  if (listener.protocol !== 'HTTPS') throw elbv2Error('ValidationError', 'Certificates can only be added to an HTTPS listener');
  if ((input.Certificates?.length ?? 0) === 0) throw elbv2Error('ValidationError', 'At least one certificate must be specified');
  const added = (input.Certificates ?? []).map((certificate) => checkCertificate(state, certificate.CertificateArn));
  const extra = new Set(listener.extraCertificateArns);
  for (const arn of added) if (arn !== listener.defaultCertificateArn) extra.add(arn);
  if (extra.size > state.limits.certificatesPerListener) {
    throw elbv2Error('TooManyCertificates', `A listener can have at most ${state.limits.certificatesPerListener} certificates besides the default`);
  }
  listener.extraCertificateArns = [...extra];
  return { Certificates: [...new Set(added)].map((arn) => ({ CertificateArn: arn, IsDefault: false })) };
}

function removeListenerCertificates(state: FakeState, input: RemoveListenerCertificatesInput): object {
  const listener = requireListener(state, input.ListenerArn);
  const removing = new Set((input.Certificates ?? []).map((certificate) => certificate.CertificateArn ?? ''));
  if (listener.defaultCertificateArn !== undefined && removing.has(listener.defaultCertificateArn)) {
    throw elbv2Error('OperationNotPermitted', 'The default certificate cannot be removed; replace it with ModifyListener');
  }
  listener.extraCertificateArns = listener.extraCertificateArns.filter((arn) => !removing.has(arn));
  return {};
}

function describeListenerCertificates(state: FakeState, input: DescribeListenerCertificatesInput): object {
  const listener = requireListener(state, input.ListenerArn);
  const all: Certificate[] = [
    ...(listener.defaultCertificateArn === undefined ? [] : [{ CertificateArn: listener.defaultCertificateArn, IsDefault: true }]),
    ...listener.extraCertificateArns.map((arn) => ({ CertificateArn: arn, IsDefault: false })),
  ];
  const { items, ...marker } = elbv2Page(state, 'DescribeListenerCertificates', all, input);
  return { Certificates: items, ...marker };
}

export const listenerHandlers: Readonly<Record<string, Handler>> = {
  CreateListener: handler(createListener),
  DescribeListeners: handler(describeListeners),
  ModifyListener: handler(modifyListener),
  DeleteListener: handler(deleteListener),
  AddListenerCertificates: handler(addListenerCertificates),
  RemoveListenerCertificates: handler(removeListenerCertificates),
  DescribeListenerCertificates: handler(describeListenerCertificates),
};
