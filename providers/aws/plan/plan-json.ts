/**
 * The plan as a JSON document in the ELBv2 API's own field names, for `ingress-bridge plan --output json`.
 *
 * Nothing exists yet when a plan is rendered, so ARNs of objects the plan would create are written as
 * placeholders that name the object by its key in the same stack:
 * - `${TargetGroup:<key>}` — the ARN of the target group whose `Key` is `<key>`;
 * - `${Certificate:<key>}` — the ARN of the certificate whose `Key` is `<key>` (imported from a Secret,
 *   or found by discovery). A certificate given by ARN is written as that ARN.
 *
 * Certificate key material is not in the model, so it cannot reach this document; nor is an OIDC
 * client secret: an authenticate-oidc action shows everything but ClientSecret, and the rule says
 * which Secret apply will read it from (`ClientSecretFrom`, not an API field).
 *
 * A target group outside the cluster is named by its ARN, or by `${TargetGroup:external:name:<name>}`
 * when given by name (resolved at apply); it is listed under ExternalTargetGroups, never under
 * TargetGroups (it is not created). The load balancer's web ACL and Shield protection are written as
 * `WebACL` and `ShieldAdvancedProtection` (not API fields: WAFv2 and Shield each take the load
 * balancer's ARN in calls of their own). A function's target group (target type lambda) is listed
 * under FunctionTargetGroups with the Lambda AddPermission input that lets ELB invoke the function.
 * @module
 */
import type {
  Action as Elbv2Action,
  Certificate as Elbv2Certificate,
  IpAddressType as Elbv2IpAddressType,
  ListenerAttribute,
  LoadBalancerAttribute,
  LoadBalancerSchemeEnum,
  MutualAuthenticationAttributes,
  ProtocolEnum,
  RuleCondition,
  RuleTransform,
  Tag,
  TargetDescription,
  TargetGroupAttribute,
  TargetTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CertificateSource, CertificateSpec, Diagnostic, ListenerSpec, LoadBalancerSpec, RuleSpec, TargetGroupSpec } from '../../../src/model.js';
import type { FunctionTargetGroupSpec } from '../../../src/model.js';
import { MULTI_VALUE_HEADERS } from './diff-functions.js';
import { ELB_PRINCIPAL, statementIdOf } from './function-names.js';
import { toElbv2MutualAuthentication, toElbv2RuleActions, toElbv2Transforms } from './auth-actions.js';
import { targetGroupResolver } from './external-target-groups.js';
import {
  type Elbv2HealthCheck,
  toElbv2Attributes,
  toElbv2Certificates,
  toElbv2Conditions,
  toElbv2HealthCheck,
  toElbv2Tags,
  toElbv2Targets,
} from './elbv2-shapes.js';

export interface Elbv2PlanDocument {
  Stacks: Elbv2StackPlan[];
  Diagnostics: PlanDiagnostic[];
}

export interface Elbv2StackPlan {
  Stack: { Id: string; Members: { Namespace: string; Name: string }[] };
  LoadBalancer: LoadBalancerPlan;
  Listeners: ListenerPlan[];
  TargetGroups: TargetGroupPlan[];
  ExternalTargetGroups?: ExternalTargetGroupPlan[];
  /** Target groups of target type lambda (function-backends): CreateTargetGroup's fields, and the Lambda AddPermission that lets ELB invoke the function. */
  FunctionTargetGroups?: FunctionTargetGroupPlan[];
  Certificates: CertificatePlan[];
}

export interface FunctionTargetGroupPlan {
  Key: string;
  Name: string;
  TargetType: 'lambda';
  HealthCheckEnabled: false;
  Attributes: TargetGroupAttribute[];
  Tags: Tag[];
  /** The function's ARN, or `${Function:<name>[:<qualifier>]}` when named by name (apply reads its ARN). */
  Targets: { Id: string }[];
  /** Lambda AddPermission's input; SourceArn is this target group's ARN. */
  Permission: { FunctionName: string; Qualifier?: string; StatementId: string; Action: 'lambda:InvokeFunction'; Principal: string; SourceArn: string };
}

export interface ExternalTargetGroupPlan {
  Key: string;
  TargetGroupArn?: string;
  TargetGroupName?: string;
}

export type LoadBalancerPlan = {
  Name: string;
  Scheme: LoadBalancerSchemeEnum;
  IpAddressType: Elbv2IpAddressType;
} & ({ Subnets: string[] } | { SubnetDiscovery: true }) &
  ({ SecurityGroups: string[] } | { ManagedSecurityGroup: { InboundCidrs: string[] } }) & {
    Attributes: LoadBalancerAttribute[];
    Tags: Tag[];
    /** Not an API field: the web ACL AssociateWebACL gives the load balancer (`None`: any association removed). */
    WebACL?: { WebACLArn: string } | { WebACLName: string } | { None: true };
    /** Not an API field: whether CreateProtection protects the load balancer. */
    ShieldAdvancedProtection?: { Enabled: boolean };
  };

export interface ListenerPlan {
  Port: number;
  Protocol: ProtocolEnum;
  SslPolicy?: string;
  Certificates: Elbv2Certificate[];
  MutualAuthentication?: MutualAuthenticationAttributes;
  /** What ModifyListenerAttributes sets (only these keys are managed). */
  Attributes?: ListenerAttribute[];
  DefaultActions: Elbv2Action[];
  Rules: RulePlan[];
}

export interface RulePlan {
  Priority: number;
  Conditions: RuleCondition[];
  Actions: Elbv2Action[];
  Transforms?: RuleTransform[];
  /** Not an API field: the Secret apply reads the OIDC client secret from. */
  ClientSecretFrom?: { SecretNamespace: string; SecretName: string };
  /** Not an API field: the Ingress path this rule was made from. */
  Origin: { Ingress: { Namespace: string; Name: string }; Host?: string; Path?: string; PathType?: string };
}

export type TargetGroupPlan = {
  Key: string;
  Name: string;
  Protocol: ProtocolEnum;
  ProtocolVersion: string;
  Port: number;
  TargetType: TargetTypeEnum;
} & Elbv2HealthCheck & {
    Attributes: LoadBalancerAttribute[];
    Tags: Tag[];
    Service: { Namespace: string; Name: string; Port: number | string };
    Targets: TargetDescription[];
  };

export interface CertificatePlan {
  Key: string;
  Source: { SecretNamespace: string; SecretName: string } | { CertificateArn: string } | { Discover: true };
  Hosts: string[];
  Fingerprint?: string;
}

export interface PlanDiagnostic {
  Severity: Diagnostic['severity'];
  Object: { Kind: string; Namespace?: string; Name: string };
  Field: string;
  Message: string;
  Source?: { File: string; Document: number };
}

function certificateArnPlaceholder(certificateKey: string): string {
  return `\${Certificate:${certificateKey}}`;
}

export function renderElbv2PlanDocument(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): Elbv2PlanDocument {
  return { Stacks: specs.map(renderStack), Diagnostics: diagnostics.map(renderDiagnostic) };
}

function renderStack(spec: LoadBalancerSpec): Elbv2StackPlan {
  const certificateArn = (key: string): string => {
    const source = spec.certificates.find((certificate) => certificate.key === key)?.source;
    return source?.kind === 'arn' ? source.arn : certificateArnPlaceholder(key);
  };
  return {
    Stack: {
      Id: spec.stack.id,
      Members: spec.stack.members.map(({ namespace, name }) => ({ Namespace: namespace, Name: name })),
    },
    LoadBalancer: renderLoadBalancer(spec),
    Listeners: spec.listeners.map((listener) => renderListener(listener, certificateArn)),
    TargetGroups: spec.targetGroups.map(renderTargetGroup),
    ...((spec.externalTargetGroups?.length ?? 0) > 0 && {
      ExternalTargetGroups: (spec.externalTargetGroups ?? []).map((group) => ({
        Key: group.key,
        ...(group.ref.kind === 'arn' ? { TargetGroupArn: group.ref.arn } : { TargetGroupName: group.ref.name }),
      })),
    }),
    ...((spec.functionTargetGroups?.length ?? 0) > 0 && { FunctionTargetGroups: (spec.functionTargetGroups ?? []).map(renderFunctionTargetGroup) }),
    Certificates: spec.certificates.map(renderCertificate),
  };
}

function renderFunctionTargetGroup(group: FunctionTargetGroupSpec): FunctionTargetGroupPlan {
  const { name, arn, qualifier } = group.function;
  const qualified = (base: string): string => (qualifier === undefined ? base : `${base}:${qualifier}`);
  return {
    Key: group.key,
    Name: group.name,
    TargetType: 'lambda',
    HealthCheckEnabled: false,
    Attributes: [{ Key: MULTI_VALUE_HEADERS, Value: String(group.multiValueHeaders) }],
    Tags: toElbv2Tags(group.tags),
    Targets: [{ Id: arn === undefined ? `\${Function:${qualified(name)}}` : qualified(arn) }],
    Permission: {
      FunctionName: arn ?? name,
      ...(qualifier !== undefined && { Qualifier: qualifier }),
      StatementId: statementIdOf(group.name),
      Action: 'lambda:InvokeFunction',
      Principal: ELB_PRINCIPAL,
      SourceArn: resolveTargetGroup(group.key),
    },
  };
}

/** Ours by placeholder, outside ones by ARN (or by placeholder when named). */
const resolveTargetGroup = targetGroupResolver(undefined);

function renderWebAcl(webAcl: NonNullable<LoadBalancerSpec['webAcl']>): NonNullable<LoadBalancerPlan['WebACL']> {
  switch (webAcl.kind) {
    case 'arn':
      return { WebACLArn: webAcl.arn };
    case 'name':
      return { WebACLName: webAcl.name };
    case 'none':
      return { None: true };
  }
}

function renderLoadBalancer(spec: LoadBalancerSpec): LoadBalancerPlan {
  return {
    Name: spec.stack.name,
    Scheme: spec.scheme,
    IpAddressType: spec.ipAddressType,
    ...(spec.subnets.kind === 'ids' ? { Subnets: [...spec.subnets.ids] } : { SubnetDiscovery: true }),
    ...(spec.securityGroups.kind === 'ids'
      ? { SecurityGroups: [...spec.securityGroups.ids] }
      : { ManagedSecurityGroup: { InboundCidrs: [...spec.securityGroups.inboundCidrs] } }),
    Attributes: toElbv2Attributes(spec.attributes),
    Tags: toElbv2Tags(spec.tags),
    ...(spec.webAcl !== undefined && { WebACL: renderWebAcl(spec.webAcl) }),
    ...(spec.shieldAdvancedProtection !== undefined && { ShieldAdvancedProtection: { Enabled: spec.shieldAdvancedProtection } }),
  };
}

function renderListener(listener: ListenerSpec, certificateArn: (key: string) => string): ListenerPlan {
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  return {
    Port: listener.port,
    Protocol: listener.protocol,
    ...(listener.sslPolicy !== undefined ? { SslPolicy: listener.sslPolicy } : {}),
    Certificates: toElbv2Certificates(listener.certificateKeys, certificateArn),
    ...(listener.protocol === 'HTTPS' &&
      listener.mutualAuthentication !== undefined && {
        MutualAuthentication: toElbv2MutualAuthentication(listener.mutualAuthentication, () => undefined),
      }),
    ...(listener.attributes !== undefined && Object.keys(listener.attributes).length > 0 && { Attributes: toElbv2Attributes(listener.attributes) }),
    DefaultActions: toElbv2RuleActions(listener.defaultAuthentication, [listener.defaultAction], resolveTargetGroup, 'omit'),
    Rules: rules.map(renderRule),
  };
}

function renderRule(rule: RuleSpec): RulePlan {
  const { ingress, host, path, pathType } = rule.origin;
  return {
    Priority: rule.priority,
    Conditions: toElbv2Conditions(rule.conditions),
    Actions: toElbv2RuleActions(rule.authentication, rule.actions, resolveTargetGroup, 'omit'),
    ...((rule.transforms?.length ?? 0) > 0 && { Transforms: toElbv2Transforms(rule.transforms) }),
    ...(rule.authentication?.type === 'oidc' && {
      ClientSecretFrom: { SecretNamespace: rule.authentication.clientSecretRef.namespace, SecretName: rule.authentication.clientSecretRef.name },
    }),
    Origin: {
      Ingress: { Namespace: ingress.namespace, Name: ingress.name },
      ...(host !== undefined ? { Host: host } : {}),
      ...(path !== undefined ? { Path: path } : {}),
      ...(pathType !== undefined ? { PathType: pathType } : {}),
    },
  };
}

function renderTargetGroup(group: TargetGroupSpec): TargetGroupPlan {
  return {
    Key: group.key,
    Name: group.name,
    Protocol: group.protocol,
    ProtocolVersion: group.protocolVersion,
    Port: group.port,
    TargetType: group.targetType,
    ...toElbv2HealthCheck(group.healthCheck, group.protocolVersion),
    Attributes: toElbv2Attributes(group.attributes),
    Tags: toElbv2Tags(group.tags),
    Service: { Namespace: group.service.namespace, Name: group.service.name, Port: group.service.port },
    Targets: toElbv2Targets(group.targets, group.targetType),
  };
}

function renderCertificate(certificate: CertificateSpec): CertificatePlan {
  return {
    Key: certificate.key,
    Source: renderCertificateSource(certificate.source),
    Hosts: [...certificate.hosts],
    ...(certificate.fingerprint !== undefined ? { Fingerprint: certificate.fingerprint } : {}),
  };
}

function renderCertificateSource(source: CertificateSource): CertificatePlan['Source'] {
  switch (source.kind) {
    case 'secret':
      return { SecretNamespace: source.namespace, SecretName: source.name };
    case 'arn':
      return { CertificateArn: source.arn };
    case 'discover':
      return { Discover: true };
  }
}

function renderDiagnostic(diagnostic: Diagnostic): PlanDiagnostic {
  const { kind, namespace, name } = diagnostic.object;
  return {
    Severity: diagnostic.severity,
    Object: { Kind: kind, ...(namespace !== undefined ? { Namespace: namespace } : {}), Name: name },
    Field: diagnostic.field,
    Message: diagnostic.message,
    ...(diagnostic.source !== undefined ? { Source: { File: diagnostic.source.file, Document: diagnostic.source.document } } : {}),
  };
}
