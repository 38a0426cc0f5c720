/**
 * One reconcile of one stack: the translated spec, then the provider's observe, diff and apply. A
 * thrown provider error becomes the outcome's `error`; it never escapes to the caller's loop.
 * Between resyncs the runtime asks observe to read only what the change touches (`read: 'changes'`);
 * for a change of endpoints or Nodes alone it takes the provider's target fast path when it has one
 * (`reconcileTargets`).
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from '../model.js';
import type { ApplyOptions, ApplyResult, ObserveOptions, Provider, ProviderPlan } from '../provider.js';
import type { TranslateResult } from '../translate/index.js';
import { countingApiCalls } from './api-call-log.js';

export interface ReconcileOutcome {
  stackId: string;
  spec?: LoadBalancerSpec;
  plan?: ProviderPlan;
  result?: ApplyResult;
  diagnostics: Diagnostic[];
  error?: string;
  /** Cloud API calls this reconcile made, `service:Action` → count (providers that report them). */
  apiCalls: Record<string, number>;
}

/** What a reconcile needs of a translation; without a spec the stack should not exist. */
export type StackToReconcile = Pick<TranslateResult, 'stackId' | 'spec' | 'diagnostics'>;

export interface ReconcileOptions extends ApplyOptions, ObserveOptions {}

export async function reconcileStack(provider: Provider, translated: StackToReconcile, options: ReconcileOptions = {}): Promise<ReconcileOutcome> {
  const { value: outcome, calls } = await countingApiCalls(() => converge(provider, translated, options));
  outcome.apiCalls = calls;
  return outcome;
}

/**
 * Only the registered targets of these target groups, when the provider has the fast path and takes
 * it for them; undefined otherwise (the caller then runs reconcileStack).
 */
export async function reconcileTargets(
  provider: Provider,
  translated: StackToReconcile,
  targetGroupKeys: readonly string[],
  options: ApplyOptions = {},
): Promise<ReconcileOutcome | undefined> {
  const { spec } = translated;
  if (!spec || !provider.applyTargets) return undefined;
  const applyTargets = provider.applyTargets.bind(provider);
  const { value, calls } = await countingApiCalls(async () => {
    try {
      return await applyTargets(spec, targetGroupKeys, options);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
  if (value === undefined) return undefined;
  const outcome: ReconcileOutcome = { stackId: translated.stackId, spec, diagnostics: [...translated.diagnostics], apiCalls: calls };
  if (value instanceof Error) {
    outcome.error = value.message;
    return outcome;
  }
  recordResult(outcome, value);
  return outcome;
}

async function converge(provider: Provider, translated: StackToReconcile, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { stackId: translated.stackId, diagnostics: [...translated.diagnostics], apiCalls: {} };
  if (translated.spec) outcome.spec = translated.spec;
  try {
    const observed = await provider.observe({ id: translated.stackId }, translated.spec, { read: options.read ?? 'full' });
    outcome.plan = provider.diff(translated.spec, observed);
    recordResult(outcome, await provider.apply(outcome.plan, options));
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
  }
  return outcome;
}

/** The apply's result, its diagnostics, and its failed operations as the outcome's error. */
function recordResult(outcome: ReconcileOutcome, result: ApplyResult): void {
  outcome.result = result;
  outcome.diagnostics.push(...result.diagnostics);
  const failed = result.outcomes.filter((entry) => entry.error !== undefined);
  if (failed.length > 0) outcome.error = failed.map((entry) => `${entry.operation.action} ${entry.operation.resource}: ${entry.error}`).join('; ');
}
