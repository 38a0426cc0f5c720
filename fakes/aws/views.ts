/**
 * Read-only views of the fake's state for test assertions. Each call returns copies, so a test
 * cannot change the fake by accident; nothing here goes through the call log.
 * @module
 */
import type {
  CertificateRecord,
  FakeState,
  ListenerRecord,
  LoadBalancerRecord,
  PolicyStatement,
  RuleRecord,
  SecurityGroupRecord,
  SecurityGroupRuleRecord,
  SubnetRecord,
  TargetGroupRecord,
  TargetRecord,
} from './state.js';
import { clientSecretOf } from './elbv2-auth.js';
import { tagRecord } from './state.js';

export type TargetGroupView = Omit<TargetGroupRecord, 'targets'>;

export interface StateView {
  loadBalancers(): LoadBalancerRecord[];
  listeners(loadBalancerArn: string): ListenerRecord[];
  /** A listener's rules by ascending priority, its default rule left out. */
  rules(listenerArn: string): RuleRecord[];
  targetGroups(): TargetGroupView[];
  targets(targetGroupArn: string): TargetRecord[];
  certificates(): CertificateRecord[];
  securityGroups(): SecurityGroupRecord[];
  /** Rules of one group (ingress and egress), or of every group. */
  securityGroupRules(groupId?: string): SecurityGroupRuleRecord[];
  subnets(): SubnetRecord[];
  /** Tags by ARN, or by EC2 id (an EC2 ARN is accepted too). */
  tagsOf(arnOrId: string): Record<string, string>;
  /** The web ACL associated with a resource. */
  webAclOf(resourceArn: string): string | undefined;
  /** The Shield protection of a resource: its id and tags. */
  protectionOf(resourceArn: string): { id: string; name: string; tags: Record<string, string> } | undefined;
  /** The OIDC client secret a rule or listener (default actions) holds: Describe never shows it. */
  clientSecretOf(ruleOrListenerArn: string): string | undefined;
  /** A Lambda function's policy statements for one qualifier ('' or absent: the unqualified function). */
  functionPolicy(functionName: string, qualifier?: string): PolicyStatement[];
}

const EC2_ARN = /^arn:aws[a-z-]*:ec2:[^:]*:\d{12}:[a-z-]+\/(.+)$/;

export function createStateView(state: FakeState): StateView {
  const copies = <T>(items: Iterable<T>): T[] => structuredClone([...items]);
  return {
    loadBalancers: () => copies(state.loadBalancers.values()),
    listeners: (loadBalancerArn) => copies([...state.listeners.values()].filter((listener) => listener.loadBalancerArn === loadBalancerArn)),
    rules: (listenerArn) => copies([...state.rules.values()].filter((rule) => rule.listenerArn === listenerArn).sort((a, b) => a.priority - b.priority)),
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the targets are left out of the copy on purpose (see targets())
    targetGroups: () => copies([...state.targetGroups.values()].map(({ targets: _targets, ...group }) => group)),
    targets: (targetGroupArn) => copies(state.targetGroups.get(targetGroupArn)?.targets.values() ?? []),
    functionPolicy: (functionName, qualifier = '') =>
      copies([...state.functions.values()].find((record) => record.name === functionName)?.policies.get(qualifier) ?? []),
    certificates: () => copies(state.certificates.values()),
    securityGroups: () => copies(state.securityGroups.values()),
    securityGroupRules: (groupId) => copies([...state.securityGroupRules.values()].filter((rule) => groupId === undefined || rule.groupId === groupId)),
    subnets: () => copies(state.subnets.values()),
    tagsOf: (arnOrId) => tagRecord(state, EC2_ARN.exec(arnOrId)?.[1] ?? arnOrId),
    webAclOf: (resourceArn) => state.webAclAssociations.get(resourceArn),
    protectionOf: (resourceArn) => {
      const protection = [...state.protections.values()].find((candidate) => candidate.resourceArn === resourceArn);
      return protection && { id: protection.id, name: protection.name, tags: tagRecord(state, protection.arn) };
    },
    clientSecretOf: (arn) => clientSecretOf(state.rules.get(arn)?.actions ?? state.listeners.get(arn)?.defaultActions),
  };
}
