/**
 * A third-party provider as a module, for the plugin test: it keeps applied specs in memory and
 * reports a fixed hostname. Loaded by `--provider ./test/support/plugin-provider.ts`.
 */
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, Observed, Provider, ProviderOptions, ProviderPlan } from '../../src/provider.js';

interface MemoryPlan extends ProviderPlan {
  desired?: LoadBalancerSpec;
}

export const served = new Map<string, LoadBalancerSpec>();

export function renderPlan(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown {
  return { memory: specs.map((spec) => spec.stack.id), diagnostics: diagnostics.length };
}

export function createProvider(options: ProviderOptions): Provider {
  return {
    name: `memory:${options.clusterName}`,
    async observe(stack): Promise<Observed> {
      return { stackId: stack.id };
    },
    diff(spec, observed): MemoryPlan {
      const current = served.get(observed.stackId);
      const same = JSON.stringify(current) === JSON.stringify(spec);
      return { stackId: observed.stackId, operations: same ? [] : [{ action: spec ? 'Put' : 'Remove', resource: observed.stackId }], ...(spec ? { desired: spec } : {}) };
    },
    async apply(plan: MemoryPlan): Promise<ApplyResult> {
      if (plan.desired) served.set(plan.stackId, plan.desired);
      else served.delete(plan.stackId);
      return { address: { hostname: `${plan.stackId.replace('/', '-')}.memory.test` }, outcomes: plan.operations.map((operation) => ({ operation })), diagnostics: [] };
    },
    async delete(stack): Promise<void> {
      served.delete(stack.id);
    },
    async close(): Promise<void> {},
  };
}
