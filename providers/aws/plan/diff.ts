/**
 * Spec + observed state → the ordered AWS calls that make the stack match the spec. Pure: the same
 * inputs give the same plan, and a stack already in step gives an empty one.
 *
 * Order (each step may use what the steps before it made; removals run only after their last user
 * is gone):
 *   up:   certificates and security groups (their own plans) → target groups and their new targets
 *         (registered before any rule sends traffic to them) → the load balancer → listeners (and
 *         their attributes) → rules (one SetRulePriorities, CreateRule, ModifyRule in place) → a web
 *         ACL or Shield protection of ours taken away → tags of existing resources → a web ACL
 *         associated, a Shield protection created (their marker tags went first: diff-protection.ts)
 *   down: DeleteRule → listener certificates removed, listeners deleted → targets deregistered →
 *         our Shield protection, then the load balancer deleted (no spec) → target groups no longer
 *         referenced → the companions' cleanups (a certificate once no listener uses it, a security
 *         group once the load balancer no longer does).
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { placeholdersIn } from './placeholders.js';
import type { AwsPlan } from './aws-plan.js';
import { planListeners } from './diff-listeners.js';
import { planLoadBalancer } from './diff-load-balancer.js';
import { planProtection, planProtectionCleanup } from './diff-protection.js';
import { targetGroupResolver } from './external-target-groups.js';
import { planRules, type RulePlan } from './diff-rules.js';
import { type TagChange, tagOperations } from './diff-tags.js';
import { planTargetGroups } from './diff-target-groups.js';
import { planFunctionTargetGroups } from './diff-functions.js';
import { isFunctionTargetGroupKey } from './function-names.js';
import { targetGroupKeyOf } from './resource-ids.js';
import { resourceIdOf } from './tags.js';
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
  /** The stack's VPC when known before apply (stackVpc); `${Vpc}` for apply to find otherwise. */
  vpcId?: string;
  /** The spec's subnets, resolved to ids before diff; else its ids as written, or `${Subnets}` for apply to find. */
  subnetIds?: string[];
  certificates?: CompanionPlan;
  securityGroups?: CompanionPlan;
}

/**
 * The VPC of the stack's new target groups and managed security group, decided here once: the
 * configured one (--vpc-id), else the load balancer's, else its subnets', else a target group's;
 * undefined when nothing tells it before apply.
 */
export function stackVpc(observed: AwsObserved, known: { configured?: string | undefined; ofSubnets?: string | undefined }): string | undefined {
  return known.configured ?? observed.loadBalancer?.description.VpcId ?? known.ofSubnets ?? observed.targetGroups[0]?.description.VpcId;
}

const NO_COMPANION: CompanionPlan = { create: [], cleanup: [], references: new Map() };

export function diffStack(input: DiffInput): AwsPlan {
  const { spec, observed, clusterName } = input;
  const stackId = observed.stackId;
  const certificates = input.certificates ?? NO_COMPANION;
  const securityGroups = input.securityGroups ?? NO_COMPANION;
  const known: Record<string, string> = Object.fromEntries([...certificates.references, ...securityGroups.references]);
  const vpcId = input.vpcId ?? VPC_REF;

  // Function target groups (diff-functions.ts) have their own planner: the Service one must not delete them.
  const isFunctionGroup = (group: AwsObserved['targetGroups'][number]): boolean =>
    group.description.TargetType === 'lambda' || isFunctionTargetGroupKey(targetGroupKeyOf(resourceIdOf(group.tags)) ?? '');
  const targetGroups = planTargetGroups({
    desired: spec?.targetGroups ?? [],
    observed: observed.targetGroups.filter((group) => !isFunctionGroup(group)),
    clusterName,
    stackId,
    vpcId,
  });
  const functions = planFunctionTargetGroups({
    desired: spec?.functionTargetGroups ?? [],
    observed: observed.targetGroups.filter(isFunctionGroup),
    functions: observed.functions ?? {},
    clusterName,
    stackId,
  });
  const plan: AwsPlan = {
    provider: 'aws',
    stackId,
    operations: [],
    references: { ...known, ...targetGroups.references, ...functions.references },
    members: spec?.stack.members ?? [],
  };
  const up: AwsOperation[] = [...certificates.create, ...securityGroups.create, ...targetGroups.upserts, ...targetGroups.register, ...functions.upserts];
  const down: AwsOperation[] = [];
  const afterTags: AwsOperation[] = [];
  const tagChanges: TagChange[] = [...targetGroups.tagChanges, ...functions.tagChanges];
  const specLookups = observed.lookups;
  const addons = specLookups?.addons ?? observed.addons;

  if (spec) {
    const replaced = observed.loadBalancer !== undefined && observed.loadBalancer.description.Scheme !== spec.scheme;
    const protection = planProtection({
      spec,
      loadBalancer: replaced ? undefined : observed.loadBalancer,
      addons,
      webAclArns: specLookups?.webAclArns ?? {},
      clusterName,
    });
    const loadBalancer = planLoadBalancer({
      spec,
      observed: observed.loadBalancer,
      clusterName,
      extraTags: protection.markerTags,
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
    const context = {
      clusterName,
      stackId,
      specTags: spec.tags,
      known,
      nameArn: (arn: string) => functions.placeholderOf.get(arn) ?? targetGroups.nameArn(arn),
      resolveTargetGroup: targetGroupResolver(specLookups?.externalTargetGroupArns),
      resolveTrustStore: (name: string) => specLookups?.trustStoreArns?.[name],
      ...(specLookups?.listenerAttributes && { observedAttributes: specLookups.listenerAttributes }),
    };
    const listeners = planListeners(desiredListeners, loadBalancer.replaced ? [] : observed.listeners, context);
    Object.assign(plan.references, listeners.references);
    tagChanges.push(...listeners.tagChanges);
    up.push(...listeners.up);

    const rules: RulePlan[] = desiredListeners.map((listener) =>
      planRules(listener.rules, listeners.kept.get(listener.port)?.rules ?? [], { ...context, port: listener.port, listenerArn: listenerRef(listener.port) }),
    );
    for (const rulePlan of rules) up.push(...rulePlan.reorder, ...rulePlan.create, ...rulePlan.modify);
    up.push(...protection.beforeTags);
    afterTags.push(...protection.afterTags);
    tagChanges.push(...rules.flatMap((rulePlan) => rulePlan.tagChanges));
    down.push(...rules.flatMap((rulePlan) => rulePlan.delete), ...listeners.down, ...targetGroups.deregister, ...functions.deregister);
  } else if (observed.loadBalancer) {
    down.push(...planProtectionCleanup(observed.loadBalancer, addons));
    down.push({
      action: 'DeleteLoadBalancer',
      resource: LOAD_BALANCER_ID,
      detail: { service: 'elbv2', input: { LoadBalancerArn: observed.loadBalancer.description.LoadBalancerArn } },
    });
  }

  plan.operations = [
    ...up,
    ...tagOperations(tagChanges),
    ...afterTags,
    ...down,
    ...targetGroups.deletes,
    ...functions.deletes,
    ...certificates.cleanup,
    ...securityGroups.cleanup,
  ];
  if (Object.keys(functions.problems).length > 0) plan.problems = { ...plan.problems, ...functions.problems };
  // Names the lookups could not resolve (a web ACL, a trust store, an outside target group): apply fails on them saying why.
  if (specLookups?.problems && Object.keys(specLookups.problems).length > 0) plan.problems = { ...plan.problems, ...specLookups.problems };
  const lookups = new Set(placeholdersIn(plan.operations.map((operation) => operation.detail.input)));
  if (spec && (lookups.has(SUBNETS_REF) || lookups.has(VPC_REF))) plan.placement = { subnets: spec.subnets, scheme: spec.scheme };
  return plan;
}
