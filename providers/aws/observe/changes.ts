/**
 * Observe from memory: the stack as the provider remembers it (memory.ts), with only what the
 * change to the spec touches read again from AWS (plan/touched.ts, refresh.ts). A change costs what
 * it touches: an edited path reads its listeners' rules, a new Secret the cluster's certificates, an
 * unchanged stack nothing at all.
 *
 * Undefined when the memory turns out to be wrong about something the change touches (a resource it
 * names is gone): the caller then observes the stack in full.
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { touchedBy, touchesAnything } from '../plan/touched.js';
import type { AwsOperation } from '../plan/operations.js';
import { lookupInputs, lookUpForSpec, type LookupContext } from './lookups.js';
import { type StackMemory, viewOf } from './memory.js';
import type { AwsObserved } from './observed.js';
import { refreshSecurityGroups, refreshTouched, type RefreshContext } from './refresh.js';

export interface ChangesContext extends LookupContext, RefreshContext {
  /** The provider's diff, to find what the change touches. */
  plan: (spec: LoadBalancerSpec, observed: AwsObserved) => { operations: AwsOperation[] };
}

export async function observeChanges(memory: StackMemory, spec: LoadBalancerSpec, context: ChangesContext): Promise<AwsObserved | undefined> {
  if (memory.securityGroupsStale) await refreshSecurityGroups(memory, context);
  const remembered = viewOf(memory);
  const lookups = await lookUpForSpec(spec, remembered, context);
  remembered.lookups = lookups;
  const touched = touchedBy(context.plan(spec, remembered).operations);
  if (!touchesAnything(touched)) return remembered;
  // Taken before the refresh, which changes the memory's objects that `remembered` shares.
  const inputs = lookupInputs(remembered);
  if (!(await refreshTouched(memory, touched, context))) return undefined;
  const refreshed = viewOf(memory);
  // The same lookups again would read the web ACL association and listener attributes a second time.
  refreshed.lookups = lookupInputs(refreshed) === inputs ? lookups : await lookUpForSpec(spec, refreshed, context);
  return refreshed;
}
