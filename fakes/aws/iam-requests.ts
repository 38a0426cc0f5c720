/**
 * What AWS authorizes for each API call, as the Service Authorization Reference lists it: the action
 * (service prefix + name) on each resource the call names, with the request context — the resource's
 * tags as they are in the fake's state (`aws:ResourceTag/<key>`, and the service's own
 * `elasticloadbalancing:` / `ec2:ResourceTag/<key>`), the tags the request sets
 * (`aws:RequestTag/<key>`, from Tags or TagSpecifications), the keys it sets or removes
 * (`aws:TagKeys`), and for tags given to a create the creating action (`elasticloadbalancing:` /
 * `ec2:CreateAction`).
 *
 * A call may need several authorizations, all of which must allow it:
 * - a create with tags is also authorized for the service's tagging action on the new resource
 *   (ELBv2 AddTags, ACM AddTagsToCertificate, EC2 CreateTags), whose ARN is not known yet and is
 *   given with `*` as its id, as EC2's documentation writes it;
 * - CreateListener is authorized on its load balancer, CreateRule on its listener;
 * - CreateSecurityGroup on the new group and on its VPC; AuthorizeSecurityGroupIngress on the group,
 *   and, when it tags the new rules (TagSpecifications), on `security-group-rule/*` too;
 * - AddTags, RemoveTags, CreateTags and DeleteTags on each resource they name; SetRulePriorities on
 *   each rule.
 * - An action list with authenticate-cognito also needs cognito-idp:DescribeUserPoolClient on the
 *   user pool (ALB reads the app client).
 * - WAFv2 AssociateWebACL on the web ACL, DisassociateWebACL and GetWebACLForResource on the load
 *   balancer; associating and disassociating also need elasticloadbalancing:SetWebAcl on the load
 *   balancer, with its tags in the context (AWS WAF developer guide, "Permissions for associating").
 * - Shield CreateProtection on `protection/*` with its request tags, and shield:TagResource for them;
 *   DeleteProtection on the protection, with its tags.
 * DescribeCertificate is authorized on its certificate; other reads, and actions this table does not
 * name, on `*` with an empty context.
 * @module
 */
import { certificateArn, ec2Arn, listenerArn, loadBalancerArn, protectionArn, ruleArn, targetGroupArn } from './arns.js';
import type { ServiceId } from './errors.js';
import type { AuthorizationRequest } from './iam.js';
import { resolveFunction } from './lambda.js';
import type { FakeState } from './state.js';

export const IAM_PREFIX: Readonly<Record<ServiceId, string>> = {
  elbv2: 'elasticloadbalancing',
  acm: 'acm',
  ec2: 'ec2',
  tagging: 'tag',
  wafv2: 'wafv2',
  shield: 'shield',
  lambda: 'lambda',
};

type Input = Readonly<Record<string, unknown>>;

interface Call {
  state: FakeState;
  service: ServiceId;
  action: string;
  input: Input;
}

interface RequestParts {
  /** Tags the request sets. */
  requestTags?: readonly (readonly [string, string])[];
  /** Keys the request removes. */
  removedKeys?: readonly string[];
  createAction?: string;
}

interface Target {
  /** Where the resource's tags live in state.tags (ARN or EC2 id), when it may exist already. */
  tagsOf?: string;
  /** Another action than the call's own, e.g. the tagging action of a create. */
  action?: string;
  parts?: RequestParts;
}

function text(input: Input, field: string): string {
  const value = input[field];
  return typeof value === 'string' ? value : '';
}

function records(value: unknown): Input[] {
  return Array.isArray(value) ? value.filter((item): item is Input => typeof item === 'object' && item !== null) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function tagPairs(value: unknown): [string, string][] {
  return records(value).map((tag) => [text(tag, 'Key'), text(tag, 'Value')]);
}

/** EC2 tags of one resource type, from TagSpecifications. */
function specifiedTags(input: Input, resourceType: string): [string, string][] {
  return records(input.TagSpecifications)
    .filter((spec) => spec.ResourceType === resourceType)
    .flatMap((spec) => tagPairs(spec.Tags));
}

function contextOf(call: Call, target: Target): Record<string, string[]> {
  const context: Record<string, string[]> = {};
  const servicePrefix = IAM_PREFIX[call.service];
  for (const [key, value] of target.tagsOf === undefined ? [] : (call.state.tags.get(target.tagsOf) ?? [])) {
    context[`aws:ResourceTag/${key}`] = [value];
    if (call.service === 'elbv2' || call.service === 'ec2') context[`${servicePrefix}:ResourceTag/${key}`] = [value];
  }
  const parts = target.parts ?? {};
  for (const [key, value] of parts.requestTags ?? []) context[`aws:RequestTag/${key}`] = [value];
  const keys = parts.removedKeys ?? parts.requestTags?.map(([key]) => key);
  if (keys !== undefined) context['aws:TagKeys'] = [...keys];
  if (parts.createAction !== undefined) context[`${servicePrefix}:CreateAction`] = [parts.createAction];
  return context;
}

function on(call: Call, resource: string, target: Target = {}): AuthorizationRequest {
  return { action: `${IAM_PREFIX[call.service]}:${target.action ?? call.action}`, resource, context: contextOf(call, target) };
}

/** The create itself on `resource`, and its tagging action when it carries tags. */
function create(call: Call, resource: string, tagAction: string, requestTags: [string, string][], parent?: string): AuthorizationRequest[] {
  const parts: RequestParts = { requestTags };
  return [
    on(call, parent ?? resource, { ...(parent !== undefined && { tagsOf: parent }), parts }),
    ...(requestTags.length > 0 ? [on(call, resource, { action: tagAction, parts: { ...parts, createAction: call.action } })] : []),
  ];
}

const EC2_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  sg: 'security-group',
  sgr: 'security-group-rule',
  subnet: 'subnet',
  vpc: 'vpc',
  i: 'instance',
  eni: 'network-interface',
};

function ec2ArnOfId(state: FakeState, id: string): string {
  return ec2Arn(state, EC2_RESOURCE_TYPES[id.slice(0, id.indexOf('-'))] ?? 'unknown', id);
}

type Authorizations = (call: Call) => AuthorizationRequest[];

/** An authorization of another service's action than the call's own, on a resource with its ELBv2 tags. */
function elbv2Action(call: Call, action: string, resource: string): AuthorizationRequest {
  const context: Record<string, string[]> = {};
  for (const [key, value] of call.state.tags.get(resource) ?? []) {
    context[`aws:ResourceTag/${key}`] = [value];
    context[`elasticloadbalancing:ResourceTag/${key}`] = [value];
  }
  return { action: `elasticloadbalancing:${action}`, resource, context };
}

/** ALB reads a Cognito app client when an action authenticates with it. */
function cognitoReads(call: Call, field: 'Actions' | 'DefaultActions'): AuthorizationRequest[] {
  return records(call.input[field]).flatMap((action) => {
    const config = action.AuthenticateCognitoConfig;
    if (action.Type !== 'authenticate-cognito' || typeof config !== 'object' || config === null) return [];
    return [{ action: 'cognito-idp:DescribeUserPoolClient', resource: text(config as Input, 'UserPoolArn'), context: {} }];
  });
}

/** The call's own authorizations, and the Cognito reads its actions need. */
function withCognito(field: 'Actions' | 'DefaultActions', own: Authorizations): Authorizations {
  return (call) => [...own(call), ...cognitoReads(call, field)];
}

const byArnField =
  (field: string): Authorizations =>
  (call) => [on(call, text(call.input, field), { tagsOf: text(call.input, field) })];

const elbv2: Readonly<Record<string, Authorizations>> = {
  CreateLoadBalancer: (call) => create(call, loadBalancerArn(call.state, text(call.input, 'Name'), '*'), 'AddTags', tagPairs(call.input.Tags)),
  CreateTargetGroup: (call) => create(call, targetGroupArn(call.state, text(call.input, 'Name'), '*'), 'AddTags', tagPairs(call.input.Tags)),
  CreateListener: withCognito('DefaultActions', (call) => {
    const parent = text(call.input, 'LoadBalancerArn');
    return create(call, listenerArn(parent, '*'), 'AddTags', tagPairs(call.input.Tags), parent);
  }),
  CreateRule: withCognito('Actions', (call) => {
    const parent = text(call.input, 'ListenerArn');
    return create(call, ruleArn(parent, '*'), 'AddTags', tagPairs(call.input.Tags), parent);
  }),
  ...Object.fromEntries(
    ['ModifyLoadBalancerAttributes', 'SetSecurityGroups', 'SetSubnets', 'SetIpAddressType', 'DeleteLoadBalancer'].map((action) => [
      action,
      byArnField('LoadBalancerArn'),
    ]),
  ),
  ...Object.fromEntries(
    ['ModifyTargetGroup', 'ModifyTargetGroupAttributes', 'RegisterTargets', 'DeregisterTargets', 'DeleteTargetGroup'].map((action) => [
      action,
      byArnField('TargetGroupArn'),
    ]),
  ),
  ...Object.fromEntries(
    ['DeleteListener', 'AddListenerCertificates', 'RemoveListenerCertificates', 'ModifyListenerAttributes'].map((action) => [
      action,
      byArnField('ListenerArn'),
    ]),
  ),
  ModifyListener: withCognito('DefaultActions', byArnField('ListenerArn')),
  ModifyRule: withCognito('Actions', byArnField('RuleArn')),
  DeleteRule: byArnField('RuleArn'),
  SetRulePriorities: (call) => records(call.input.RulePriorities).map((pair) => on(call, text(pair, 'RuleArn'), { tagsOf: text(pair, 'RuleArn') })),
  AddTags: (call) => strings(call.input.ResourceArns).map((arn) => on(call, arn, { tagsOf: arn, parts: { requestTags: tagPairs(call.input.Tags) } })),
  RemoveTags: (call) => strings(call.input.ResourceArns).map((arn) => on(call, arn, { tagsOf: arn, parts: { removedKeys: strings(call.input.TagKeys) } })),
};

const acm: Readonly<Record<string, Authorizations>> = {
  ImportCertificate: (call) => {
    const existing = text(call.input, 'CertificateArn');
    // A reimport names the certificate; ACM then refuses any Tags, but IAM sees them first.
    if (existing !== '') return [on(call, existing, { tagsOf: existing, parts: { requestTags: tagPairs(call.input.Tags) } })];
    return create(call, certificateArn(call.state, '*'), 'AddTagsToCertificate', tagPairs(call.input.Tags));
  },
  AddTagsToCertificate: (call) => {
    const arn = text(call.input, 'CertificateArn');
    return [on(call, arn, { tagsOf: arn, parts: { requestTags: tagPairs(call.input.Tags) } })];
  },
  RemoveTagsFromCertificate: (call) => {
    const arn = text(call.input, 'CertificateArn');
    return [on(call, arn, { tagsOf: arn, parts: { removedKeys: tagPairs(call.input.Tags).map(([key]) => key) } })];
  },
  DeleteCertificate: byArnField('CertificateArn'),
  DescribeCertificate: byArnField('CertificateArn'),
};

const ec2: Readonly<Record<string, Authorizations>> = {
  CreateSecurityGroup: (call) => {
    const vpcId = text(call.input, 'VpcId');
    const requestTags = specifiedTags(call.input, 'security-group');
    return [
      ...create(call, ec2Arn(call.state, 'security-group', '*'), 'CreateTags', requestTags),
      on(call, ec2Arn(call.state, 'vpc', vpcId), { tagsOf: vpcId, parts: { requestTags } }),
    ];
  },
  AuthorizeSecurityGroupIngress: (call) => {
    const groupId = text(call.input, 'GroupId');
    const requestTags = specifiedTags(call.input, 'security-group-rule');
    const onGroup = on(call, ec2Arn(call.state, 'security-group', groupId), { tagsOf: groupId, parts: { requestTags } });
    if (call.input.TagSpecifications === undefined) return [onGroup];
    return [onGroup, ...create(call, ec2Arn(call.state, 'security-group-rule', '*'), 'CreateTags', requestTags)];
  },
  RevokeSecurityGroupIngress: (call) => [on(call, ec2ArnOfId(call.state, text(call.input, 'GroupId')), { tagsOf: text(call.input, 'GroupId') })],
  DeleteSecurityGroup: (call) => [on(call, ec2ArnOfId(call.state, text(call.input, 'GroupId')), { tagsOf: text(call.input, 'GroupId') })],
  CreateTags: (call) =>
    strings(call.input.Resources).map((id) => on(call, ec2ArnOfId(call.state, id), { tagsOf: id, parts: { requestTags: tagPairs(call.input.Tags) } })),
  DeleteTags: (call) =>
    strings(call.input.Resources).map((id) => {
      // Without Tags, every tag of the resource goes.
      const removedKeys = call.input.Tags === undefined ? [...(call.state.tags.get(id)?.keys() ?? [])] : tagPairs(call.input.Tags).map(([key]) => key);
      return on(call, ec2ArnOfId(call.state, id), { tagsOf: id, parts: { removedKeys } });
    }),
};

const wafv2: Readonly<Record<string, Authorizations>> = {
  AssociateWebACL: (call) => [on(call, text(call.input, 'WebACLArn')), elbv2Action(call, 'SetWebAcl', text(call.input, 'ResourceArn'))],
  DisassociateWebACL: (call) => [on(call, text(call.input, 'ResourceArn')), elbv2Action(call, 'SetWebAcl', text(call.input, 'ResourceArn'))],
  GetWebACLForResource: (call) => [on(call, text(call.input, 'ResourceArn'))],
};

const shield: Readonly<Record<string, Authorizations>> = {
  CreateProtection: (call) => create(call, protectionArn(call.state, '*'), 'TagResource', tagPairs(call.input.Tags)),
  DeleteProtection: (call) => {
    const arn = protectionArn(call.state, text(call.input, 'ProtectionId'));
    return [on(call, arn, { tagsOf: arn })];
  },
};

/**
 * Lambda authorizes on the function's ARN, qualified when the call names a version or alias, with
 * the function's tags; AddPermission and RemovePermission also carry `lambda:Principal` — the
 * principal the statement grants (for RemovePermission, the one of the statement removed).
 */
function onFunction(call: Call): AuthorizationRequest {
  let resolved: { resource: string; record: { arn: string }; statementPrincipal?: string };
  try {
    const found = resolveFunction(call.state, text(call.input, 'FunctionName'), text(call.input, 'Qualifier') || undefined);
    const statement = found.record.policies.get(found.qualifier)?.find((entry) => entry.Sid === text(call.input, 'StatementId'));
    const principal = statement?.Principal.Service ?? statement?.Principal.AWS;
    resolved = { resource: found.resource, record: found.record, ...(principal !== undefined && { statementPrincipal: principal }) };
  } catch {
    // A function that does not exist is authorized on the name as given; Lambda then answers not found.
    const name = text(call.input, 'FunctionName');
    const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${call.state.region}:${call.state.accountId}:function:${name}`;
    resolved = { resource: arn, record: { arn } };
  }
  const request = on(call, resolved.resource, { tagsOf: resolved.record.arn });
  const principal =
    call.action === 'AddPermission' ? text(call.input, 'Principal') : call.action === 'RemovePermission' ? resolved.statementPrincipal : undefined;
  return principal === undefined ? request : { ...request, context: { ...request.context, 'lambda:Principal': [principal] } };
}

const lambda: Readonly<Record<string, Authorizations>> = {
  ...Object.fromEntries(
    ['AddPermission', 'RemovePermission', 'GetPolicy', 'GetFunctionConfiguration'].map((action) => [action, (call: Call) => [onFunction(call)]]),
  ),
  // ListTags names the function by its ARN in Resource, and is authorized on that ARN as given.
  ListTags: (call) => [on(call, text(call.input, 'Resource'), { tagsOf: text(call.input, 'Resource') })],
};

const AUTHORIZATIONS: Readonly<Record<ServiceId, Readonly<Record<string, Authorizations>>>> = { elbv2, acm, ec2, tagging: {}, wafv2, shield, lambda };

export function authorizationRequests(state: FakeState, service: ServiceId, action: string, input: unknown): AuthorizationRequest[] {
  const call: Call = { state, service, action, input: typeof input === 'object' && input !== null ? (input as Input) : {} };
  const authorizations = AUTHORIZATIONS[service][action];
  return authorizations ? authorizations(call) : [on(call, '*')];
}
