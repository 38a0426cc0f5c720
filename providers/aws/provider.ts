/**
 * The AWS provider object: observe, diff, apply and delete for one stack at a time, over clients it is
 * given (tests hand it clients routed into a fake) or makes from the settings (createProvider).
 *
 * It remembers, per stack, the ARNs of the load balancer and target groups it last saw or made, so a
 * resync reads them directly instead of searching by tags (see observe.ts); `invalidate` forgets them.
 * `observe(stack, spec)` also makes the spec's lookups (subnets, discovered certificates, backend
 * security groups) so that diff can name real ids; without the spec, apply looks up subnets itself.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, Stack } from '../../src/model.js';
import type { ApplyOptions, ApplyResult, CertificateMaterialSource, Observed, OperationOutcome, Provider, ProviderPlan, TargetHealthReport, TargetRef } from '../../src/provider.js';
import { executePlan, type Execution } from './apply/executor.js';
import { type AwsPlan, isAwsPlan } from './plan/aws-plan.js';
import { planCertificates } from './plan/certificates.js';
import type { AwsClients } from './sdk/clients.js';
import { diffStack } from './plan/diff.js';
import { applyTimeLookup } from './apply/lookups.js';
import { lookUpForSpec } from './observe/lookups.js';
import { type KnownArns, observeStack } from './observe/observe.js';
import { type AwsObserved, isAwsObserved } from './observe/observed.js';
import { readTargetHealth, TargetGroupArns } from './observe/target-health.js';
import { LOAD_BALANCER_DNS_REF, LOAD_BALANCER_REF } from './plan/resource-ids.js';
import { type Call, DEFAULT_RETRY_POLICY, retryingCall, type RetryPolicy } from './sdk/retry.js';
import { planSecurityGroups } from './plan/security-groups.js';
import type { AwsSettings } from './settings.js';

export interface AwsProviderOptions {
  clusterName: string;
  certificates: CertificateMaterialSource;
  clients: AwsClients;
  settings?: AwsSettings;
  retry?: Partial<RetryPolicy>;
  /** Releases the clients on close, when the provider made them. */
  onClose?: () => void;
  /** Told after each operation an apply ran. */
  onOperation?: (outcome: OperationOutcome) => void | Promise<void>;
}

export class AwsApplyError extends Error {
  override readonly name = 'AwsApplyError';
}

export class AwsProvider implements Provider {
  readonly name = 'aws';
  private readonly options: AwsProviderOptions;
  private readonly settings: AwsSettings;
  private readonly call: Call;
  private readonly known = new Map<string, KnownArns>();
  private readonly targetGroupArns = new TargetGroupArns();

  constructor(options: AwsProviderOptions) {
    this.options = options;
    this.settings = options.settings ?? { manageBackendSecurityGroupRules: false };
    this.call = retryingCall({ ...DEFAULT_RETRY_POLICY, ...options.retry });
  }

  async observe(stack: Pick<Stack, 'id'>, spec?: LoadBalancerSpec): Promise<AwsObserved> {
    const { clients, clusterName } = this.options;
    const { observed, known } = await observeStack({ clients, call: this.call, clusterName, stackId: stack.id, known: this.known.get(stack.id) });
    this.remember(stack.id, known);
    if (spec) {
      const context = { clients, call: this.call, clusterName, manageBackendRules: this.settings.manageBackendSecurityGroupRules };
      observed.lookups = await lookUpForSpec(spec, observed, context);
    }
    return observed;
  }

  diff(spec: LoadBalancerSpec | undefined, observed: Observed): AwsPlan {
    if (!isAwsObserved(observed)) throw new Error(`diff was given an Observed for ${observed.stackId} that the AWS provider did not make`);
    if (spec && spec.stack.id !== observed.stackId) throw new Error(`diff of stack ${spec.stack.id} against what was observed for ${observed.stackId}`);
    const { clusterName } = this.options;
    const stackId = observed.stackId;
    const lookups = observed.lookups;
    const subnets = lookups?.subnets?.ok ? lookups.subnets : undefined;
    const vpcId = this.settings.vpcId ?? observed.loadBalancer?.description.VpcId ?? subnets?.vpcId;
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
    if (lookups && Object.keys(lookups.certificateProblems).length > 0) plan.problems = { ...lookups.certificateProblems };
    return plan;
  }

  async apply(plan: ProviderPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
    if (!isAwsPlan(plan)) throw new Error(`apply was given a plan for ${plan.stackId} that the AWS provider did not make`);
    const { clients, clusterName } = this.options;
    const references = new Map(Object.entries(plan.references));
    const lookup = applyTimeLookup({ clients, call: this.call, clusterName, placement: plan.placement, problems: plan.problems ?? {} });
    const execution = await executePlan(plan.operations, {
      clients,
      call: this.call,
      material: this.options.certificates,
      references,
      lookup,
      ...(this.options.onOperation && { onOperation: this.options.onOperation }),
      ...(options.mayMutate && { mayMutate: options.mayMutate }),
    });
    this.rememberApplied(plan.stackId, references, execution);
    this.targetGroupArns.rememberApplied(plan.stackId, references, execution.deletedArns);
    const hostname = references.get(LOAD_BALANCER_DNS_REF) ?? plan.hostname;
    return {
      ...(hostname !== undefined && { address: { hostname } }),
      outcomes: execution.outcomes,
      ...(execution.pending.length > 0 && { pending: execution.pending }),
      diagnostics: execution.failure ? failureDiagnostics(plan, execution.failure) : [],
    };
  }

  async delete(stack: Pick<Stack, 'id'>): Promise<void> {
    const result = await this.apply(this.diff(undefined, await this.observe(stack)));
    const failed = result.outcomes.find((outcome) => outcome.error !== undefined);
    if (failed) throw new AwsApplyError(`deleting stack ${stack.id}: ${failed.operation.action} ${failed.operation.resource} failed: ${failed.error}`);
  }

  /** For readiness gates: the health of these targets, one DescribeTargetHealth per target group (observe/target-health.ts). */
  targetHealth(stackId: string, targets: ReadonlyMap<string, readonly TargetRef[]>): Promise<TargetHealthReport> {
    return readTargetHealth({ clients: this.options.clients, call: this.call }, this.targetGroupArns.of(stackId), targets);
  }

  /** Forgets the remembered ARNs of one stack, or of all: the next observe searches by tags. */
  invalidate(stackId?: string): void {
    if (stackId === undefined) this.known.clear();
    else this.known.delete(stackId);
  }

  async close(): Promise<void> {
    this.known.clear();
    this.targetGroupArns.clear();
    this.options.onClose?.();
  }

  private remember(stackId: string, known: KnownArns): void {
    if (known.loadBalancerArn === undefined && known.targetGroupArns.length === 0) this.known.delete(stackId);
    else this.known.set(stackId, known);
  }

  /** What the stack holds after an apply, even a failed one: what was seen, plus what was made, less what was deleted. */
  private rememberApplied(stackId: string, references: ReadonlyMap<string, string>, execution: Execution): void {
    const before = this.known.get(stackId) ?? { targetGroupArns: [] };
    const deleted = new Set(execution.deletedArns);
    const created = [...references].filter(([ref]) => ref.startsWith('${TargetGroup:')).map(([, arn]) => arn);
    const loadBalancerArn = references.get(LOAD_BALANCER_REF) ?? before.loadBalancerArn;
    this.remember(stackId, {
      ...(loadBalancerArn !== undefined && !deleted.has(loadBalancerArn) && { loadBalancerArn }),
      targetGroupArns: [...new Set([...before.targetGroupArns, ...created])].filter((arn) => !deleted.has(arn)),
    });
  }
}

function failureDiagnostics(plan: AwsPlan, failure: NonNullable<Execution['failure']>): Diagnostic[] {
  const what = `${failure.operation.action} ${failure.operation.resource}`;
  return plan.members.map((member) => ({
    severity: 'error',
    object: { kind: 'Ingress', namespace: member.namespace, name: member.name },
    field: 'spec',
    message: `the AWS load balancer of stack ${plan.stackId} is not in step with this Ingress: ${what} failed: ${failure.error}; the next reconcile tries again`,
  }));
}
