/**
 * A provider that keeps applied specs in memory: the smallest complete provider module (loaded by
 * `--provider ./test/support/plugin-provider.ts` in the plugin test), and a cloud stand-in for
 * runtime tests that records every mutation with the instance that made it.
 */
import type { Diagnostic, LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, Observed, Provider, ProviderOptions, ProviderPlan, TargetHealthReport } from '../../src/provider.js';

interface MemoryPlan extends ProviderPlan {
  desired?: LoadBalancerSpec;
}

export interface MemoryCloud {
  served: Map<string, LoadBalancerSpec>;
  /** Every apply that changed something: which instance, and whether another instance was mutating at the same time. */
  mutations: { instance: string; stackId: string; overlappedAnotherInstance: boolean }[];
  /** Applies in flight, by instance. */
  inFlight: Map<string, number>;
  /** Removals the cloud refuses as "still in use" before it lets one through (a draining resource). */
  heldRemovals: number;
}

export function createMemoryCloud(): MemoryCloud {
  return { served: new Map(), mutations: [], inFlight: new Map(), heldRemovals: 0 };
}

export function hostnameOf(stackId: string): string {
  return `${stackId.replace('/', '-')}.memory.test`;
}

export function memoryProvider(cloud: MemoryCloud, instance: string): Provider {
  const othersMutating = (): boolean => [...cloud.inFlight].some(([other, count]) => other !== instance && count > 0);
  return {
    name: 'memory',
    observe(stack): Promise<Observed> {
      return Promise.resolve({ stackId: stack.id });
    },
    diff(spec, observed): MemoryPlan {
      const same = JSON.stringify(cloud.served.get(observed.stackId)) === JSON.stringify(spec);
      return {
        stackId: observed.stackId,
        operations: same ? [] : [{ action: spec ? 'Put' : 'Remove', resource: observed.stackId }],
        ...(spec ? { desired: spec } : {}),
      };
    },
    async apply(plan: MemoryPlan): Promise<ApplyResult> {
      if (!plan.desired && plan.operations.length > 0 && cloud.heldRemovals > 0) {
        cloud.heldRemovals -= 1;
        return { outcomes: plan.operations.map((operation) => ({ operation })), pending: plan.operations, diagnostics: [] };
      }
      if (plan.operations.length > 0) {
        cloud.inFlight.set(instance, (cloud.inFlight.get(instance) ?? 0) + 1);
        const mutation = { instance, stackId: plan.stackId, overlappedAnotherInstance: othersMutating() };
        await new Promise((resolve) => setTimeout(resolve, 5));
        mutation.overlappedAnotherInstance ||= othersMutating();
        cloud.mutations.push(mutation);
        if (plan.desired) cloud.served.set(plan.stackId, plan.desired);
        else cloud.served.delete(plan.stackId);
        cloud.inFlight.set(instance, (cloud.inFlight.get(instance) ?? 1) - 1);
      }
      return {
        ...(plan.desired ? { address: { hostname: hostnameOf(plan.stackId) } } : {}),
        outcomes: plan.operations.map((operation) => ({ operation })),
        diagnostics: [],
      };
    },
    delete(stack): Promise<void> {
      cloud.served.delete(stack.id);
      return Promise.resolve();
    },
    /** Every target the served spec has is healthy at once; others are not registered. */
    targetHealth(stackId, targets): Promise<TargetHealthReport> {
      const served = cloud.served.get(stackId);
      const report: TargetHealthReport = new Map();
      for (const [key, wanted] of targets) {
        const group = served?.targetGroups.find((candidate) => candidate.key === key);
        if (!group) continue;
        const registered = new Set(group.targets.map((target) => `${target.id}:${target.port}`));
        report.set(
          key,
          new Map(
            wanted
              .filter((target) => registered.has(`${target.id}:${target.port}`))
              .map((target) => [`${target.id}:${target.port}`, { state: 'healthy' as const }]),
          ),
        );
      }
      return Promise.resolve(report);
    },
    async close(): Promise<void> {},
  };
}

const moduleCloud = createMemoryCloud();

export function renderPlan(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown {
  return { memory: specs.map((spec) => spec.stack.id), diagnostics: diagnostics.length };
}

export function createProvider(options: ProviderOptions): Provider {
  return memoryProvider(moduleCloud, options.clusterName);
}
