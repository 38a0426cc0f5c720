/**
 * The executor: runs a plan's operations in order, one at a time — except the rule operations of
 * different listeners, which run side by side, each listener's in order — and stops at the first failure.
 *
 * - Placeholders are replaced from references seeded with what observe found and the companions
 *   knew, plus what each create returns (`produces`), plus lookups made on first use (subnets, VPC).
 * - ImportCertificate reads the Secret's material from the CertificateMaterialSource at call time;
 *   the plan never holds it, and neither do outcomes or errors.
 * - Throttling is retried by `call`. A cleanup AWS refuses only because it has not let go of the
 *   resource yet (isStillInUse) is left for a later reconcile, not a failure.
 * - CreateRule meeting TooManyRules (a rule quota lower than we were told): one pending DeleteRule
 *   of the plan runs, then the create is tried again, and so on; the listener never ends with fewer
 *   correct rules than it started with. With no delete left the create fails and says why.
 * Crash safety comes from the plan, not from here: every create carries its tags (so the next observe
 * finds it) and CreateLoadBalancer/CreateTargetGroup by the same name and settings return the
 * existing resource, so a plan cut short and computed again converges with nothing duplicated.
 * @module
 */
import type { CertificateMaterialSource, OperationOutcome } from '../../../src/provider.js';
import { sendOperation, type CommandInput } from './commands.js';
import { type ResolveReference, resolvePlaceholders, valueAtPath } from './references.js';
import { describeError, isStillInUse } from '../sdk/errors.js';
import type { AwsClients } from '../sdk/clients.js';
import type { AwsOperation } from '../plan/operations.js';
import { LOAD_BALANCER_DNS_REF } from '../plan/resource-ids.js';
import type { Call } from '../sdk/retry.js';

export interface ExecuteOptions {
  clients: AwsClients;
  call: Call;
  material: CertificateMaterialSource;
  /** Placeholder → ARN or ID known before the first call; created ARNs are added to it. */
  references: Map<string, string>;
  /** Values found on first use for placeholders no reference holds (`${Subnets}`, `${Vpc}`). */
  lookup: ResolveReference;
  /** Told after each operation that ran, for logs and for tests that inspect the state in between. */
  onOperation?: (outcome: OperationOutcome) => void | Promise<void>;
  /** Asked before each operation; false stops the plan there (leadership was lost). */
  mayMutate?: () => boolean;
  /** Told of each call AWS accepted, with the input as sent and its answer: the provider's write-through. */
  onSucceeded?: (operation: AwsOperation, input: CommandInput, output: unknown) => void;
}

export interface Execution {
  outcomes: OperationOutcome[];
  /** The operation that failed, when one did; nothing after it ran. */
  failure?: { operation: AwsOperation; error: string };
  /** Load balancers and target groups deleted, for the provider's memory of the stack's ARNs. */
  deletedArns: string[];
  /** Cleanup AWS refused only because it still holds the resource: to be tried again later. */
  pending: AwsOperation[];
}

/** Why an operation did not complete: what AWS or a lookup raised, or our own reason as text. */
interface Failed {
  cause: unknown;
}

export async function executePlan(operations: readonly AwsOperation[], options: ExecuteOptions): Promise<Execution> {
  const execution: Execution = { outcomes: [], deletedArns: [], pending: [] };
  const done = new Set<number>();
  const resolve: ResolveReference = async (ref) => options.references.get(ref) ?? (await options.lookup(ref));

  const run = async (index: number): Promise<Failed | undefined> => {
    const operation = operations[index] as AwsOperation;
    done.add(index);
    const failed = await runOperation(operation, options, resolve, execution);
    if (failed && !isStillInUse(operation, failed.cause)) return failed;
    if (failed) execution.pending.push(operation);
    execution.outcomes.push({ operation });
    await options.onOperation?.({ operation });
    return undefined;
  };

  const runChain = async (chain: readonly number[]): Promise<void> => {
    for (const index of chain) {
      if (execution.failure) return;
      if (done.has(index)) continue;
      const operation = operations[index] as AwsOperation;
      const error =
        options.mayMutate && !options.mayMutate()
          ? 'stopped before this call: this replica is no longer the leader'
          : await runWithRuleRoom(index, operations, done, run);
      if (error === undefined) continue;
      execution.outcomes.push({ operation, error });
      execution.failure ??= { operation, error };
      return;
    }
  };

  for (let index = 0; index < operations.length && !execution.failure;) {
    const chains = listenerChains(operations, index);
    await Promise.all(chains.map(runChain));
    index = Math.max(...chains.flat()) + 1;
  }
  return execution;
}

/**
 * The operations from `start` on that may run side by side, as chains that each run in order: a run
 * of consecutive rule operations splits into one chain per listener (a listener's rules are
 * independent of another's, and each listener keeps the plan's order: moves, creates, modifies
 * before its deletes), so an edit touching both listeners of a stack costs one listener's calls in
 * time, not two. Any other operation is a chain of its own.
 */
function listenerChains(operations: readonly AwsOperation[], start: number): number[][] {
  const portOf = (operation: AwsOperation | undefined): string | undefined =>
    operation?.resource.startsWith('Rule/') ? operation.resource.split('/')[1] : undefined;
  if (portOf(operations[start]) === undefined) return [[start]];
  const chains = new Map<string, number[]>();
  for (let index = start; index < operations.length; index += 1) {
    const port = portOf(operations[index]);
    if (port === undefined) break;
    chains.set(port, [...(chains.get(port) ?? []), index]);
  }
  return [...chains.values()];
}

/**
 * Runs operation `index`; a CreateRule over the rule quota makes room with the plan's own deletes.
 * The failure's message, or undefined when the operation ran (or was left pending).
 */
async function runWithRuleRoom(
  index: number,
  operations: readonly AwsOperation[],
  done: Set<number>,
  run: (index: number) => Promise<Failed | undefined>,
): Promise<string | undefined> {
  for (;;) {
    const failed = await run(index);
    if (!failed) return undefined;
    if (operations[index]?.action !== 'CreateRule' || !isTooManyRules(failed.cause)) return describeError(failed.cause);
    done.delete(index);
    const pendingDelete = operations.findIndex((candidate, position) => position > index && !done.has(position) && candidate.action === 'DeleteRule');
    if (pendingDelete < 0) {
      return `${failed.cause.message}: the load balancer is at its rule limit and the plan has no rule left to delete; raise the quota or lower --rule-limit`;
    }
    const roomFailed = await run(pendingDelete);
    if (roomFailed) {
      const room = operations[pendingDelete] as AwsOperation;
      return `making room for it, ${room.action} ${room.resource} failed: ${describeError(roomFailed.cause)}`;
    }
  }
}

/** The SDK names the modelled error by its class; the API's code is TooManyRules. */
function isTooManyRules(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'TooManyRulesException' || error.name === 'TooManyRules');
}

async function runOperation(operation: AwsOperation, options: ExecuteOptions, resolve: ResolveReference, execution: Execution): Promise<Failed | undefined> {
  const sent = await send(operation, options, resolve);
  if ('cause' in sent) return sent;
  const { input, output } = sent;
  const { produces } = operation.detail;
  if (produces) {
    const value = valueAtPath(output, produces.outputPath);
    if (value === undefined) return { cause: `${operation.action} answered without ${produces.outputPath}` };
    options.references.set(produces.ref, value);
  }
  if (operation.action === 'CreateLoadBalancer') {
    const dnsName = valueAtPath(output, 'LoadBalancers.0.DNSName');
    if (dnsName !== undefined) options.references.set(LOAD_BALANCER_DNS_REF, dnsName);
  }
  if (operation.action === 'DeleteLoadBalancer' && typeof input.LoadBalancerArn === 'string') execution.deletedArns.push(input.LoadBalancerArn);
  if (operation.action === 'DeleteTargetGroup' && typeof input.TargetGroupArn === 'string') execution.deletedArns.push(input.TargetGroupArn);
  options.onSucceeded?.(operation, input, output);
  return undefined;
}

/** Resolves the operation's input and sends it; what AWS or a lookup raised comes back as a value, caught here and only here. */
async function send(operation: AwsOperation, options: ExecuteOptions, resolve: ResolveReference): Promise<{ input: CommandInput; output: unknown } | Failed> {
  const { service, secret } = operation.detail;
  try {
    const input: CommandInput = await resolvePlaceholders(operation.detail.input, resolve);
    if (secret) {
      const material = certificateMaterial(options.material, secret);
      if (typeof material === 'string') return { cause: material };
      Object.assign(input, material);
    }
    return { input, output: await options.call(operation.action, () => sendOperation(options.clients, service, operation.action, input)) };
  } catch (cause) {
    return { cause };
  }
}

/** The Secret's material as ImportCertificate takes it, or why it cannot be had. */
function certificateMaterial(material: CertificateMaterialSource, secret: { namespace: string; name: string }): CommandInput | string {
  const found = material.get(secret.namespace, secret.name);
  if (!found) return `the TLS Secret ${secret.namespace}/${secret.name} is not available to import`;
  return {
    Certificate: Buffer.from(found.certificatePem),
    PrivateKey: Buffer.from(found.privateKeyPem),
    ...(found.chainPem.trim() !== '' && { CertificateChain: Buffer.from(found.chainPem) }),
  };
}
