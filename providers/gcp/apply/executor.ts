/**
 * Runs a plan's operations in order, one Compute call each (awaited to DONE by the API layer). The
 * first failure stops the run: later operations may depend on it, and the next reconcile observes
 * and converges from wherever the cloud is. A certificate's key material is read from the Secret
 * source at the moment of its insert and never kept.
 * @module
 */
import type { CertificateMaterialSource, OperationOutcome } from '../../../src/provider.js';
import type { ComputeApi } from '../sdk/compute.js';
import { KINDS, type Resource } from '../kinds.js';
import type { GcpOperation } from '../plan/diff.js';

export interface ExecutionResult {
  outcomes: OperationOutcome[];
  failed: boolean;
}

export async function executeOperations(
  operations: readonly GcpOperation[],
  api: ComputeApi,
  certificates: CertificateMaterialSource,
  mayMutate: () => boolean,
): Promise<ExecutionResult> {
  const outcomes: OperationOutcome[] = [];
  for (const operation of operations) {
    const planned = { action: operation.action, resource: operation.resource, ...(operation.detail !== undefined && { detail: operation.detail }) };
    if (!mayMutate()) return { outcomes, failed: false };
    try {
      await execute(operation, api, certificates);
      outcomes.push({ operation: planned });
    } catch (error) {
      outcomes.push({ operation: planned, error: (error as Error).message });
      return { outcomes, failed: true };
    }
  }
  return { outcomes, failed: false };
}

async function execute(operation: GcpOperation, api: ComputeApi, certificates: CertificateMaterialSource): Promise<void> {
  switch (operation.method) {
    case 'insert':
      return api.insert(KINDS[operation.kind], operation.zone, withMaterial(operation, certificates));
    case 'update':
    case 'patch':
      return api.update(KINDS[operation.kind], operation.zone, operation.name, operation.body ?? {}, operation.method);
    case 'delete':
      return api.delete(KINDS[operation.kind], operation.zone, operation.name);
    case 'verb':
      return api.verb(KINDS[operation.kind], operation.zone, operation.name, operation.verb ?? '', operation.field ?? '', operation.body ?? {});
  }
}

function withMaterial(operation: GcpOperation, certificates: CertificateMaterialSource): Resource {
  const body = operation.body ?? {};
  if (!operation.secret) return body;
  const material = certificates.get(operation.secret.namespace, operation.secret.name);
  if (!material) throw new Error(`the TLS material of Secret ${operation.secret.namespace}/${operation.secret.name} is not available`);
  const chain = material.chainPem.trim() === '' ? '' : `\n${material.chainPem.trim()}\n`;
  return { ...body, certificate: `${material.certificatePem.trim()}\n${chain}`, privateKey: material.privateKeyPem };
}
