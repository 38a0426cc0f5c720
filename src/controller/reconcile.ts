/**
 * One reconcile of one stack: the translated spec, then the provider's observe, diff and apply. A
 * thrown provider error becomes the outcome's `error`; it never escapes to the caller's loop.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from '../model.js';
import type { ApplyOptions, ApplyResult, Provider, ProviderPlan } from '../provider.js';
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

export async function reconcileStack(provider: Provider, translated: StackToReconcile, options: ApplyOptions = {}): Promise<ReconcileOutcome> {
  const { value: outcome, calls } = await countingApiCalls(() => converge(provider, translated, options));
  outcome.apiCalls = calls;
  return outcome;
}

async function converge(provider: Provider, translated: StackToReconcile, options: ApplyOptions): Promise<ReconcileOutcome> {
  const outcome: ReconcileOutcome = { stackId: translated.stackId, diagnostics: [...translated.diagnostics], apiCalls: {} };
  if (translated.spec) outcome.spec = translated.spec;
  try {
    const observed = await provider.observe({ id: translated.stackId }, translated.spec);
    outcome.plan = provider.diff(translated.spec, observed);
    outcome.result = await provider.apply(outcome.plan, options);
    outcome.diagnostics.push(...outcome.result.diagnostics);
    const failed = outcome.result.outcomes.filter((entry) => entry.error !== undefined);
    if (failed.length > 0) outcome.error = failed.map((entry) => `${entry.operation.action} ${entry.operation.resource}: ${entry.error}`).join('; ');
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
  }
  return outcome;
}
