/**
 * Which reconciles repaired drift: a done run that changed the cloud although nothing the stack is
 * built from changed since the previous done run began — so the cloud moved, not the cluster.
 *
 * The queue's own "was this run asked for by a change" is not enough: a resync run reads the
 * Snapshot as it is, so it applies a change whose event arrives while it runs. The Snapshot is
 * updated just before its change event is delivered, so a run can only have seen changes whose
 * events came before it ended; comparing with the previous done run's start is on the safe side.
 *
 * Never counted: the first done run after start or after taking the lead (it catches up on what
 * changed while no one led), and a run after a failed one (it may finish a partial apply).
 * @module
 */
interface StackHistory {
  lastChangeAt?: number;
  previousDoneStartedAt?: number;
  previousFailed: boolean;
}

export interface FinishedRun {
  outcome: 'done' | 'retry';
  /** Milliseconds, on the clock of noteChange. */
  startedAt: number;
  /** Cloud operations the run applied. */
  operations: number;
}

export class DriftDetector {
  private readonly stacks = new Map<string, StackHistory>();

  /** Something the stack is built from changed (an Ingress, Service, EndpointSlice, Secret…). */
  noteChange(stack: string, at: number): void {
    this.history(stack).lastChangeAt = at;
  }

  /** True when this run repaired drift. */
  noteRun(stack: string, run: FinishedRun): boolean {
    const history = this.history(stack);
    if (run.outcome !== 'done') {
      history.previousFailed = true;
      return false;
    }
    const since = history.previousDoneStartedAt;
    const repaired =
      run.operations > 0 && since !== undefined && !history.previousFailed && (history.lastChangeAt === undefined || history.lastChangeAt < since);
    history.previousDoneStartedAt = run.startedAt;
    history.previousFailed = false;
    return repaired;
  }

  clear(): void {
    this.stacks.clear();
  }

  private history(stack: string): StackHistory {
    let history = this.stacks.get(stack);
    if (!history) {
      history = { previousFailed: false };
      this.stacks.set(stack, history);
    }
    return history;
  }
}
