/**
 * The messages between the memory scenario and its controller process (advanced IPC serialization,
 * so inputs keep their Uint8Arrays and outputs their Dates). Errors travel as plain fields: the SDK's
 * error classes do not survive serialization, but their name, $metadata and $retryable — all the
 * controller's retry and error handling reads — do.
 * @module
 */
import type { AwsService } from '../providers/aws/sdk/budget.js';

export interface SerializedError {
  name: string;
  message: string;
  $fault?: string;
  $metadata?: unknown;
  $retryable?: unknown;
}

export interface MemoryReport {
  baselineRss: number;
  baselineHeapUsed: number;
  peakRss: number;
  peakHeapUsed: number;
  /** The heap V8 had reserved at its largest (heapUsed plus free space in its pages). */
  peakHeapTotal: number;
  /** Memory outside the JS heap that JS objects own (Buffers, ArrayBuffers), at its largest. */
  peakExternal: number;
  /** After a forced GC once converged: what the controller keeps. */
  settledRss: number;
  settledHeapUsed: number;
  /** CPU the process used from its start to the report, user + system, in microseconds. */
  cpuMicros: number;
}

export type ParentMessage =
  | {
      type: 'start';
      kubeUrl: string;
      kubeToken: string;
      originEpochMs: number;
      scale: number;
      /** The controller container's args in deploy/base (after `run`), parsed as the CLI parses them. */
      deploymentArgs: string[];
      /** Where to write a heap snapshot once settled (after the forced GC), for `BENCH_HEAP_SNAPSHOT`. */
      heapSnapshotPath?: string;
    }
  | { type: 'answer'; id: number; output?: object; error?: SerializedError }
  | { type: 'report' };

export type ChildMessage =
  { type: 'started' } | { type: 'call'; id: number; service: AwsService; action: string; input: unknown } | { type: 'report'; report: MemoryReport };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields = error as Error & { $fault?: string; $metadata?: unknown; $retryable?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(fields.$fault !== undefined && { $fault: fields.$fault }),
    ...(fields.$metadata !== undefined && { $metadata: fields.$metadata }),
    ...(fields.$retryable !== undefined && { $retryable: fields.$retryable }),
  };
}
