/**
 * The AWS provider object: observe, diff, apply and delete for one stack at a time, over clients it is
 * given (tests hand it clients routed into a fake) or makes from the settings (createProvider).
 *
 * It remembers, per stack, the ARNs of the load balancer and target groups it last saw or made, so a
 * resync reads them directly instead of searching by tags (see observe.ts); `invalidate` forgets them.
 * `observe(stack, spec)` also makes the spec's lookups (subnets, discovered certificates, backend
 * security groups) so that diff can name real ids; without the spec, apply looks up subnets itself.
 *
 * A change costs what it touches: the provider also remembers each stack's state (observe/memory.ts),
 * written through from the results of its own successful calls. `observe(…, { read: 'changes' })`
 * answers from it and reads only what the change must verify (observe/changes.ts); a full observe
 * happens when nothing is remembered, after a failed apply (the memory is dropped), and whenever the
 * runtime asks (its resync). `applyTargets` changes only registered targets, from memory
 * (apply/target-sync.ts). What Lambda says of a stack's functions is part of that memory: read on a
 * full observe, and between them only for a function that could not be served
 * (observe/function-memory.ts).
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, Stack } from '../../src/model.js';
import type {
  ApplyOptions,
  ApplyResult,
  CertificateMaterialSource,
  ClientSecretSource,
  Observed,
  ObserveOptions,
  OperationOutcome,
  Provider,
  ProviderPlan,
  TargetHealthReport,
  TargetRef,
} from '../../src/provider.js';
import { TargetSync, type TargetGroupWanted } from './apply/target-sync.js';
import { observeChanges } from './observe/changes.js';
import { rememberObserved, type StackMemory, viewOf } from './observe/memory.js';
import { writeThrough } from './observe/write-through.js';
import { toElbv2Targets } from './plan/elbv2-shapes.js';
import { resourceIdOf } from './plan/tags.js';
import type { ApiBudget } from './sdk/budget.js';
import type { AwsService } from './plan/operations.js';
import { executePlan, type Execution } from './apply/executor.js';
import { type AwsPlan, isAwsPlan } from './plan/aws-plan.js';
import { planCertificates } from './plan/certificates.js';
import type { AwsClients } from './sdk/clients.js';
import { diffStack, stackVpc } from './plan/diff.js';
import { withClientSecrets } from './apply/client-secrets.js';
import { applyTimeLookup } from './apply/lookups.js';
import { observeAddons } from './observe/addons.js';
import { functionReads, stackHasFunctions } from './observe/functions.js';
import { observedFunctions, observeFunctions } from './observe/function-memory.js';
import { withoutMissingFunctions } from './plan/diff-functions.js';
import { lookUpForSpec } from './observe/lookups.js';
import { type KnownArns, observeStack } from './observe/observe.js';
import { type AwsObserved, isAwsObserved, type ObservedFunction } from './observe/observed.js';
import { readTargetHealth, TargetGroupArns } from './observe/target-health.js';
import { LOAD_BALANCER_DNS_REF, LOAD_BALANCER_REF, targetGroupId, targetGroupKeyOf, targetGroupKeyOfRef } from './plan/resource-ids.js';
import { type Call, DEFAULT_RETRY_POLICY, retryingCall, type RetryPolicy } from './sdk/retry.js';
import { planSecurityGroups } from './plan/security-groups.js';
import type { AwsSettings } from './settings.js';

export interface AwsProviderOptions {
  clusterName: string;
  certificates: CertificateMaterialSource;
  /** OIDC client secrets, read at apply time only (apply/client-secrets.ts). */
  clientSecrets?: ClientSecretSource;
  clients: AwsClients;
  settings?: AwsSettings;
  retry?: Partial<RetryPolicy>;
  /** Releases the clients on close, when the provider made them. */
  onClose?: () => void;
  /** Told after each operation an apply ran. */
  onOperation?: (outcome: OperationOutcome) => void | Promise<void>;
  /** The budget the clients draw from: the target fast path's deregistrations take only its spare tokens. */
  budget?: ApiBudget;
}

class AwsApplyError extends Error {
  override readonly name = 'AwsApplyError';
}

export class AwsProvider implements Provider {
  readonly name = 'aws';
  private readonly options: AwsProviderOptions;
  private readonly settings: AwsSettings;
  private readonly call: Call;
  private readonly known = new Map<string, KnownArns>();
  private readonly targetGroupArns = new TargetGroupArns();
  private readonly memory = new Map<string, StackMemory>();
  private readonly targets: TargetSync;

  constructor(options: AwsProviderOptions) {
    this.options = options;
    this.settings = options.settings ?? { manageBackendSecurityGroupRules: false };
    this.call = retryingCall({ ...DEFAULT_RETRY_POLICY, ...options.retry });
    this.targets = new TargetSync({
      clients: options.clients,
      call: this.call,
      ...(options.budget && { budget: options.budget }),
      registered: (stackId, arn) => this.memory.get(stackId)?.targetGroups.find((group) => group.description.TargetGroupArn === arn)?.targets,
      succeeded: (stackId, operation, input) => this.writeThrough(stackId, operation.detail.service, operation.action, input, {}),
      failed: (stackId) => this.forget(stackId),
    });
  }

  async observe(stack: Pick<Stack, 'id'>, spec?: LoadBalancerSpec, options: ObserveOptions = {}): Promise<AwsObserved> {
    const { clients, clusterName } = this.options;
    const context = {
      clients,
      call: this.call,
      clusterName,
      manageBackendRules: this.settings.manageBackendSecurityGroupRules,
      managedAttributes: managedAttributesOf(spec),
    };
    const remembered = this.memory.get(stack.id);
    if (spec && remembered && options.read === 'changes') {
      // Before the changes: the plan that tells what a change touches must see the functions too.
      // (Refreshing touched parts finds no target group the memory does not hold, so they stand.)
      await this.withFunctions(stack.id, spec, 'remembered');
      const observed = await observeChanges(remembered, spec, { ...context, plan: (wanted, state) => this.diff(wanted, state) });
      if (observed) return this.following(observed, spec);
    }
    const { observed, known } = await observeStack({
      clients,
      call: this.call,
      clusterName,
      stackId: stack.id,
      known: this.known.get(stack.id),
      managedAttributes: context.managedAttributes,
    });
    this.remember(stack.id, known);
    this.memory.set(stack.id, rememberObserved(observed));
    if (spec) observed.lookups = await lookUpForSpec(spec, observed, context);
    // Without a spec the stack is deleted: our Shield protection (marker tag) must go with it.
    else observed.addons = await observeAddons(context, observed.loadBalancer, undefined);
    const functions = await this.withFunctions(stack.id, spec, 'read');
    return this.following({ ...observed, ...(functions && { functions }) }, spec);
  }

  /**
   * Lambda's view of the stack's functions (observe/functions.ts), kept in the stack's memory: on a
   * full observe (`read`) every function is read; between them (`remembered`) a servable function is
   * answered from memory — written through from our own AddPermission and RemovePermission — and only
   * a function last seen missing or untagged is read again (observe/function-memory.ts). Undefined,
   * with nothing read and the Lambda client never loaded, for a stack without functions.
   */
  private async withFunctions(
    stackId: string,
    spec: LoadBalancerSpec | undefined,
    source: 'read' | 'remembered',
  ): Promise<Record<string, ObservedFunction> | undefined> {
    const memory = this.memory.get(stackId);
    if (!memory) return undefined;
    if (!stackHasFunctions(spec?.functionTargetGroups, memory.targetGroups)) {
      delete memory.functions;
      return undefined;
    }
    const reads = functionReads(spec?.functionTargetGroups ?? [], memory.targetGroups);
    const context = { clients: this.options.clients, call: this.call, clusterName: this.options.clusterName };
    const functions = await observeFunctions(context, reads, source === 'remembered' ? memory.functions : undefined);
    if (this.memory.get(stackId) === memory) memory.functions = functions;
    return observedFunctions(functions);
  }

  diff(wanted: LoadBalancerSpec | undefined, observed: Observed): AwsPlan {
    if (!isAwsObserved(observed)) throw new Error(`diff was given an Observed for ${observed.stackId} that the AWS provider did not make`);
    if (wanted && wanted.stack.id !== observed.stackId) throw new Error(`diff of stack ${wanted.stack.id} against what was observed for ${observed.stackId}`);
    // A function Lambda does not know, or not tagged for this cluster, costs its own paths (503), not the rest of the stack's changes.
    const functionCheck = wanted && observed.functions ? withoutMissingFunctions(wanted, observed.functions) : undefined;
    const spec = functionCheck?.spec ?? wanted;
    const { clusterName } = this.options;
    const stackId = observed.stackId;
    const lookups = observed.lookups;
    const subnets = lookups?.subnets?.ok ? lookups.subnets : undefined;
    const vpcId = stackVpc(observed, { configured: this.settings.vpcId, ofSubnets: subnets?.vpcId });
    const certificates = planCertificates(spec, [...observed.certificates, ...(lookups?.discoveredCertificates ?? [])], clusterName, stackId);
    const securityGroups = planSecurityGroups(spec, observed.securityGroups, {
      clusterName,
      stackId,
      ...(vpcId !== undefined && { vpcId }),
      backendGroupIds: lookups?.backendGroupIds ?? [],
      manageBackendRules: this.settings.manageBackendSecurityGroupRules,
    });
    const plan = diffStack({
      spec,
      observed,
      clusterName,
      ...(vpcId !== undefined && { vpcId }),
      ...(subnets && { subnetIds: subnets.subnetIds }),
      certificates,
      securityGroups,
    });
    const problems = { ...lookups?.certificateProblems, ...lookups?.problems };
    if (Object.keys(problems).length > 0) plan.problems = { ...plan.problems, ...problems };
    if (functionCheck && functionCheck.diagnostics.length > 0) plan.diagnostics = functionCheck.diagnostics;
    return plan;
  }

  async apply(plan: ProviderPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
    if (!isAwsPlan(plan)) throw new Error(`apply was given a plan for ${plan.stackId} that the AWS provider did not make`);
    const { clients, clusterName } = this.options;
    const references = new Map(Object.entries(plan.references));
    const lookup = withClientSecrets(
      applyTimeLookup({ clients, call: this.call, clusterName, placement: plan.placement, problems: plan.problems ?? {} }),
      this.options.clientSecrets,
    );
    const execution = await executePlan(plan.operations, {
      clients,
      call: this.call,
      material: this.options.certificates,
      references,
      lookup,
      ...(this.options.onOperation && { onOperation: this.options.onOperation }),
      ...(options.mayMutate && { mayMutate: options.mayMutate }),
      onSucceeded: (operation, input, output) => this.writeThrough(plan.stackId, operation.detail.service, operation.action, input, output),
    });
    this.rememberApplied(plan.stackId, references, execution);
    this.targetGroupArns.rememberApplied(plan.stackId, references, execution.deletedArns);
    // What failed may have half happened, or been refused because the memory was wrong: read it all next time.
    if (execution.failure) this.forget(plan.stackId);
    else this.settleMemory(plan.stackId);
    const hostname = references.get(LOAD_BALANCER_DNS_REF) ?? plan.hostname;
    return {
      ...(hostname !== undefined && { address: { hostname } }),
      outcomes: execution.outcomes,
      ...(execution.pending.length > 0 && { pending: execution.pending }),
      diagnostics: [...(plan.diagnostics ?? []), ...(execution.failure ? failureDiagnostics(plan, execution.failure) : [])],
    };
  }

  async delete(stack: Pick<Stack, 'id'>): Promise<void> {
    const result = await this.apply(this.diff(undefined, await this.observe(stack)));
    const failed = result.outcomes.find((outcome) => outcome.error !== undefined);
    if (failed) throw new AwsApplyError(`deleting stack ${stack.id}: ${failed.operation.action} ${failed.operation.resource} failed: ${failed.error}`);
  }

  /**
   * The target fast path: registers and deregisters only the difference for these target groups,
   * from memory, with no read (apply/target-sync.ts). Undefined — run a full reconcile instead — when
   * the stack is not remembered or a group is not there yet.
   */
  async applyTargets(spec: LoadBalancerSpec, targetGroupKeys: readonly string[], options: ApplyOptions = {}): Promise<ApplyResult | undefined> {
    const stackId = spec.stack.id;
    const wanted = this.wantedTargets(spec, targetGroupKeys);
    if (!wanted || wanted.missing) return undefined;
    const converged = await this.targets.converge(wanted.groups, options);
    const stopped = converged.error !== undefined && !converged.outcomes.some((outcome) => outcome.error !== undefined);
    const outcomes = stopped
      ? [...converged.outcomes, { operation: { action: 'RegisterTargets', resource: stackId }, error: converged.error }]
      : converged.outcomes;
    const failure = outcomes.find((outcome) => outcome.error !== undefined);
    const hostname = this.memory.get(stackId)?.loadBalancer?.description.DNSName;
    return {
      ...(hostname !== undefined && { address: { hostname } }),
      outcomes,
      diagnostics:
        failure?.error !== undefined
          ? failureDiagnostics({ stackId, members: spec.stack.members }, { operation: failure.operation, error: failure.error })
          : [],
    };
  }

  /** What the provider remembers of a stack, as diff reads it; undefined when it remembers nothing. */
  remembered(stackId: string): AwsObserved | undefined {
    const memory = this.memory.get(stackId);
    return memory && viewOf(memory);
  }

  /** For readiness gates: the health of these targets, one DescribeTargetHealth per target group (observe/target-health.ts). */
  targetHealth(stackId: string, targets: ReadonlyMap<string, readonly TargetRef[]>): Promise<TargetHealthReport> {
    return readTargetHealth({ clients: this.options.clients, call: this.call }, this.targetGroupArns.of(stackId), targets);
  }

  /** Forgets the remembered ARNs and state of one stack, or of all: the next observe searches by tags. */
  invalidate(stackId?: string): void {
    for (const id of stackId === undefined ? [...this.memory.keys()] : [stackId]) this.forget(id);
    if (stackId === undefined) this.known.clear();
    else this.known.delete(stackId);
  }

  async close(): Promise<void> {
    await this.targets.close();
    this.memory.clear();
    this.known.clear();
    this.targetGroupArns.clear();
    this.options.onClose?.();
  }

  /** Applies one successful call of ours to the stack's memory; a call it cannot mirror makes the next observe full. */
  private writeThrough(stackId: string, service: AwsService, action: string, input: Record<string, unknown>, output: unknown): void {
    const memory = this.memory.get(stackId);
    if (memory && !writeThrough(memory, { service, action, input, output }, this.options.clusterName)) this.forget(stackId);
  }

  /** The stack's memory can no longer be trusted: the next observe reads it in full. */
  private forget(stackId: string): void {
    this.memory.delete(stackId);
    this.targets.forget(stackId);
  }

  /** After an apply: a stack that holds nothing any more is forgotten; fast-path calls under way check against the new state. */
  private settleMemory(stackId: string): void {
    const memory = this.memory.get(stackId);
    if (memory && !memory.loadBalancer && memory.targetGroups.length === 0 && memory.listeners.length === 0) this.memory.delete(stackId);
    else this.targets.recheck(stackId);
  }

  /** Target groups with fast-path calls under way take the spec's targets as theirs (apply/target-sync.ts). */
  private following(observed: AwsObserved, spec: LoadBalancerSpec | undefined): AwsObserved {
    const wanted =
      spec &&
      this.wantedTargets(
        spec,
        spec.targetGroups.map((group) => group.key),
      );
    if (wanted) this.targets.follow(wanted.groups);
    return observed;
  }

  /**
   * What the named target groups of the spec should hold, by the ARN the memory knows for each (same
   * key and name: a group whose name changes is replaced, which only a full reconcile does).
   * `missing` when a group is not remembered; undefined when the stack is not.
   */
  private wantedTargets(spec: LoadBalancerSpec, keys: readonly string[]): { groups: TargetGroupWanted[]; missing: boolean } | undefined {
    const memory = this.memory.get(spec.stack.id);
    if (!memory) return undefined;
    const groups: TargetGroupWanted[] = [];
    let missing = false;
    for (const key of keys) {
      const group = spec.targetGroups.find((candidate) => candidate.key === key);
      const remembered =
        group &&
        memory.targetGroups.find((candidate) => targetGroupKeyOf(resourceIdOf(candidate.tags)) === key && candidate.description.TargetGroupName === group.name);
      const arn = remembered?.description.TargetGroupArn;
      if (!group || arn === undefined) {
        missing = true;
        continue;
      }
      groups.push({ stackId: spec.stack.id, arn, resource: targetGroupId(key), targets: toElbv2Targets(group.targets, group.targetType) });
    }
    return { groups, missing };
  }

  private remember(stackId: string, known: KnownArns): void {
    if (known.loadBalancerArn === undefined && known.targetGroupArns.length === 0) this.known.delete(stackId);
    else this.known.set(stackId, known);
  }

  /** What the stack holds after an apply, even a failed one: what was seen, plus what was made, less what was deleted. */
  private rememberApplied(stackId: string, references: ReadonlyMap<string, string>, execution: Execution): void {
    const before = this.known.get(stackId) ?? { targetGroupArns: [] };
    const deleted = new Set(execution.deletedArns);
    const created = [...references].filter(([ref]) => targetGroupKeyOfRef(ref) !== undefined).map(([, arn]) => arn);
    const loadBalancerArn = references.get(LOAD_BALANCER_REF) ?? before.loadBalancerArn;
    this.remember(stackId, {
      ...(loadBalancerArn !== undefined && !deleted.has(loadBalancerArn) && { loadBalancerArn }),
      targetGroupArns: [...new Set([...before.targetGroupArns, ...created])].filter((arn) => !deleted.has(arn)),
    });
  }
}

/**
 * Which target groups' attributes observe must read: those whose spec lists one, and every function
 * target group (diff always compares its multi-value headers setting); all, without a spec.
 */
function managedAttributesOf(spec: LoadBalancerSpec | undefined): (key: string | undefined) => boolean {
  if (!spec) return () => true;
  const managed = new Set([
    ...spec.targetGroups.filter((group) => Object.keys(group.attributes).length > 0).map((group) => group.key),
    ...(spec.functionTargetGroups ?? []).map((group) => group.key),
  ]);
  return (key) => key !== undefined && managed.has(key);
}

function failureDiagnostics(
  plan: Pick<AwsPlan, 'stackId' | 'members'>,
  failure: { operation: { action: string; resource: string }; error: string },
): Diagnostic[] {
  const what = `${failure.operation.action} ${failure.operation.resource}`;
  return plan.members.map((member) => ({
    severity: 'error',
    object: { kind: 'Ingress', namespace: member.namespace, name: member.name },
    field: 'spec',
    message: `the AWS load balancer of stack ${plan.stackId} is not in step with this Ingress: ${what} failed: ${failure.error}; the next reconcile tries again`,
  }));
}
