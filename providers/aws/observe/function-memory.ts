/**
 * What the provider remembers of a stack's functions between observes (part of its memory,
 * memory.ts), and when Lambda is asked again.
 *
 * A full observe reads every function (functions.ts). Between full observes a function that was
 * servable — it exists, is tagged for this cluster, and its ARN is known when the spec names it — is
 * answered from memory: nothing but our own calls changes what we read of it (its policy's statement
 * of ours), and those are written through here from their input. A function last seen missing,
 * untagged or otherwise not servable is read again on every observe, so that its owner's fix (the
 * function made, the tag added) is served on the next reconcile, not at the next resync. A remembered
 * answer counts only for the same read: the same function, the same statement id (the target group
 * name), and as much read (a leftover group's read has no ARN or tag for a spec that names it again).
 *
 * Target group creates and deletes need no write here: the reads are made again from the spec and the
 * remembered target groups on each observe, so a deleted group's function is let go then, and a new
 * group's function was read (or remembered) before the group was planned. Drift in a function's
 * policy (our statement removed by hand) is found by the next full observe, as drift of anything else.
 * @module
 */
import type { ObservedFunction } from './observed.js';
import { type FunctionContext, type FunctionRead, readFunction } from './functions.js';
import { functionTag } from '../plan/function-names.js';

/** One function's last answer, with what was asked. */
export interface RememberedFunction {
  read: FunctionRead;
  observed: ObservedFunction;
}

/** By function target-group key. */
export type RememberedFunctions = Map<string, RememberedFunction>;

/** Whether the remembered answer stands for `read` without asking Lambda. Pure. */
export function answers(remembered: RememberedFunction | undefined, read: FunctionRead): boolean {
  if (!remembered) return false;
  const asked = remembered.read;
  const sameQuestion = functionTag(asked.ref) === functionTag(read.ref) && asked.statementId === read.statementId && (asked.wanted || !read.wanted);
  const { exists, tagged, arn } = remembered.observed;
  const servable = exists && tagged !== false && (!read.wanted || arn !== undefined);
  return sameQuestion && servable;
}

/**
 * The functions of `reads`, each from `remembered` when it answers (none on a full observe) or read
 * from Lambda. Only the keys of `reads` are kept. A read that fails drops that function from
 * `remembered` before the error goes on, so the next observe asks again.
 */
export async function observeFunctions(
  context: FunctionContext,
  reads: readonly FunctionRead[],
  remembered: RememberedFunctions | undefined,
): Promise<RememberedFunctions> {
  const functions: RememberedFunctions = new Map();
  for (const read of reads) {
    const known = remembered?.get(read.key);
    if (known && answers(known, read)) {
      functions.set(read.key, known);
      continue;
    }
    try {
      functions.set(read.key, { read, observed: await readFunction(context, read) });
    } catch (error) {
      remembered?.delete(read.key);
      throw error;
    }
  }
  return functions;
}

/** The functions as diff reads them (AwsObserved.functions). */
export function observedFunctions(remembered: RememberedFunctions): Record<string, ObservedFunction> {
  return Object.fromEntries([...remembered].map(([key, { observed }]) => [key, observed]));
}

/**
 * One successful AddPermission or RemovePermission of ours, applied to the remembered function whose
 * statement it names. A statement id remembered for another function is dropped instead (asked again
 * next time). False for any other Lambda action: the caller drops the whole memory.
 */
export function writeFunctionCall(remembered: RememberedFunctions, action: string, input: Record<string, unknown>): boolean {
  if (action !== 'AddPermission' && action !== 'RemovePermission') return false;
  for (const [key, { read, observed }] of remembered) {
    if (read.statementId !== input.StatementId) continue;
    if (!namesFunction(input, read)) {
      remembered.delete(key);
      continue;
    }
    const sid = read.statementId;
    const sourceArn = typeof input.SourceArn === 'string' ? input.SourceArn : undefined;
    if (action === 'AddPermission') observed.statement = { sid, ...(sourceArn !== undefined && { sourceArn }) };
    else delete observed.statement;
  }
  return true;
}

/** Whether a Lambda call's FunctionName and Qualifier name the function of `read`, as the plan writes them (plan/diff-functions.ts). */
function namesFunction(input: Record<string, unknown>, read: FunctionRead): boolean {
  return input.FunctionName === (read.ref.arn ?? read.ref.name) && input.Qualifier === read.ref.qualifier;
}
