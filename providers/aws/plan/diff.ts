/**
 * Spec + observed state → the ordered AWS calls that make the stack match the spec. Pure: the same
 * inputs give the same plan, and a stack already in step gives an empty one.
 *
 * Order (each step may use what the steps before it made; removals run only after their last user
 * is gone):
 *   up:   certificates and security groups (their own plans) → target groups and their new targets
 *         (registered before any rule sends traffic to them) → the load balancer → listeners →
 *         rules (one SetRulePriorities, CreateRule, ModifyRule in place) → tags of existing resources
 *   down: DeleteRule → listener certificates removed, listeners deleted → targets deregistered →
 *         the load balancer deleted (no spec) → target groups no longer referenced → the companions'
 *         cleanups (a certificate once no listener uses it, a security group once the load balancer
 *         no longer does).
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { placeholdersIn } from './placeholders.js';
import type { AwsPlan } from './aws-plan.js';
import { planListeners } from './diff-listeners.js';
import { planLoadBalancer } from './diff-load-balancer.js';
import { planRules, type RulePlan } from './diff-rules.js';
import { type TagChange, tagOperations } from './diff-tags.js';
import { planTargetGroups } from './diff-target-groups.js';
import { mergeAdjacentRules } from './merge-rules.js';
import type { AwsObserved } from '../observe/observed.js';
import type { AwsOperation, References } from './operations.js';
import { FRONTEND_SECURITY_GROUP_REF, LOAD_BALANCER_ID, listenerRef, SUBNETS_REF, VPC_REF } from './resource-ids.js';

/** What the certificate and security-group planners hand over: their calls and what they know. */
export interface CompanionPlan {
  create: AwsOperation[];
  cleanup: AwsOperation[];
  references: References;
}

export interface DiffInput {
  spec: LoadBalancerSpec | undefined;
  observed: AwsObserved;
  clusterName: string;
  /** The VPC, when known before apply (configured, or the subnets'); else the observed resources' or `${Vpc}`. */
  vpcId?: string;
  /** The spec's subnets, resolved to ids before diff; else its ids as written, or `${Subnets}` for apply to find. */
  subnetIds?: string[];
  certificates?: CompanionPlan;
  securityGroups?: CompanionPlan;
}

const NO_COMPANION: CompanionPlan = { create: [], cleanup: [], references: new Map() };

export function diffStack(input: DiffInput): AwsPlan {
  const { spec, observed, clusterName } = input;
  const stackId = observed.stackId;
  const certificates = input.certificates ?? NO_COMPANION;
  const securityGroups = input.securityGroups ?? NO_COMPANION;
  const known: Record<string, string> = Object.fromEntries([...certificates.references, ...securityGroups.references]);
  const vpcId = input.vpcId ?? observed.loadBalancer?.description.VpcId ?? observed.targetGroups[0]?.description.VpcId ?? VPC_REF;

  const targetGroups = planTargetGroups({ desired: spec?.targetGroups ?? [], observed: observed.targetGroups, clusterName, stackId, vpcId });
  const plan: AwsPlan = {
    provider: 'aws',
    stackId,
    operations: [],
    references: { ...known, ...targetGroups.references },
    members: spec?.stack.members ?? [],
  };
  const up: AwsOperation[] = [...certificates.create, ...securityGroups.create, ...targetGroups.upserts, ...targetGroups.register];
  const down: AwsOperation[] = [];
  const tagChanges: TagChange[] = [...targetGroups.tagChanges];

  if (spec) {
    const loadBalancer = planLoadBalancer({
      spec,
      observed: observed.loadBalancer,
      clusterName,
      placement: {
        subnets: input.subnetIds ?? (spec.subnets.kind === 'ids' ? [...spec.subnets.ids] : [SUBNETS_REF]),
        securityGroups: spec.securityGroups.kind === 'ids' ? [...spec.securityGroups.ids] : [FRONTEND_SECURITY_GROUP_REF],
        known,
      },
    });
    Object.assign(plan.references, loadBalancer.references);
    if (loadBalancer.hostname !== undefined) plan.hostname = loadBalancer.hostname;
    if (loadBalancer.tagChange) tagChanges.push(loadBalancer.tagChange);
    up.push(...loadBalancer.operations);

    const desiredListeners = spec.listeners.map((listener) => mergeAdjacentRules(listener));
    const context = { clusterName, stackId, specTags: spec.tags, known, nameArn: targetGroups.nameArn };
    const listeners = planListeners(desiredListeners, loadBalancer.replaced ? [] : observed.listeners, context);
    Object.assign(plan.references, listeners.references);
    tagChanges.push(...listeners.tagChanges);
    up.push(...listeners.up);

    const rules: RulePlan[] = desiredListeners.map((listener) =>
      planRules(listener.rules, listeners.kept.get(listener.port)?.rules ?? [], { ...context, port: listener.port, listenerArn: listenerRef(listener.port) }),
    );
    for (const rulePlan of rules) up.push(...rulePlan.reorder, ...rulePlan.create, ...rulePlan.modify);
    tagChanges.push(...rules.flatMap((rulePlan) => rulePlan.tagChanges));
    down.push(...rules.flatMap((rulePlan) => rulePlan.delete), ...listeners.down, ...targetGroups.deregister);
  } else if (observed.loadBalancer) {
    down.push({
      action: 'DeleteLoadBalancer',
      resource: LOAD_BALANCER_ID,
      detail: { service: 'elbv2', input: { LoadBalancerArn: observed.loadBalancer.description.LoadBalancerArn } },
    });
  }

  plan.operations = [
    ...up,
    ...tagOperations(tagChanges),
    ...down,
    ...targetGroups.deletes,
    ...certificates.cleanup,
    ...securityGroups.cleanup,
  ];
  const lookups = new Set(placeholdersIn(plan.operations.map((operation) => operation.detail.input)));
  if (spec && (lookups.has(SUBNETS_REF) || lookups.has(VPC_REF))) plan.placement = { subnets: spec.subnets, scheme: spec.scheme };
  return plan;
}
