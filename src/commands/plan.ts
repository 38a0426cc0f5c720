/**
 * `ingress-bridge plan`: manifests → translate → the plan, as text for people or as JSON in the
 * provider's API shape. By default no cloud is called; with `--live` the provider observes what
 * exists and the plan shows the changes it would make, still without making any.
 * @module
 */
import { snapshotCertificates } from '../sources/certificate-material.js';
import { snapshotClientSecrets } from '../sources/client-secrets.js';
import type { Diagnostic, LoadBalancerSpec } from '../model.js';
import type { PlannedOperation, ProviderOptions } from '../provider.js';
import { loadProvider, loadProviderModule } from '../provider-registry.js';
import { loadManifestDirectory } from '../sources/manifests.js';
import type { SnapshotView } from '../sources/snapshot.js';
import { translateAll, type TranslateOptions } from '../translate/index.js';
import { describeLeftToOtherClasses, ingressesLeftToOtherClasses, type LeftToOtherClass } from '../translate/other-classes.js';
import { statusDocuments } from '../translate/gateway/status.js';
import { renderPlanMermaid } from './plan-mermaid.js';
import { renderDiagnostic, renderPlanText } from './plan-text.js';

export interface PlanRequest {
  manifests: string;
  /** mermaid: each load balancer's routing as a flowchart, in Markdown (plan-mermaid.ts). */
  output: 'text' | 'json' | 'mermaid';
  provider: string;
  translate: TranslateOptions;
  /** Diff against what the provider finds in the cloud (needs its credentials); read-only. */
  live?: boolean;
  providerSettings?: ProviderOptions['settings'];
  /** Manifest files bigger than this are not read (--max-manifest-bytes; default 8 MiB). */
  maxFileBytes?: number;
}

export interface StackChanges {
  stackId: string;
  operations: PlannedOperation[];
}

export interface PlanOutcome {
  stdout: string;
  stderr: string;
  specs: LoadBalancerSpec[];
  diagnostics: Diagnostic[];
  changes?: StackChanges[];
  /** Ingresses whose class is not ours, listed so that nothing is skipped in silence. */
  leftToOtherClasses: LeftToOtherClass[];
  hasErrors: boolean;
}

export async function runPlan(request: PlanRequest): Promise<PlanOutcome> {
  const loaded = await loadManifestDirectory(request.manifests, request.maxFileBytes === undefined ? {} : { maxFileBytes: request.maxFileBytes });
  const translated = translateAll(loaded.snapshot, request.translate);
  const leftToOtherClasses = ingressesLeftToOtherClasses(loaded.snapshot, request.translate);
  const specs = translated.results.flatMap((result) => (result.spec ? [result.spec] : []));
  const diagnostics = [...loaded.diagnostics, ...translated.diagnostics, ...translated.results.flatMap((result) => result.diagnostics)];
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const changes = request.live ? await liveChanges(request, specs, loaded.snapshot) : undefined;
  const outcome = { specs, diagnostics, leftToOtherClasses, hasErrors: errors.length > 0, ...(changes ? { changes } : {}) };
  if (request.output === 'text') {
    const notes = describeLeftToOtherClasses(leftToOtherClasses, request.translate.ingressClass);
    const text = renderPlanText(specs, diagnostics, notes) + (changes ? renderChanges(request.provider, changes) : '');
    return { ...outcome, stdout: text, stderr: '' };
  }
  // Pictures and JSON go to stdout untouched for pipes; errors are repeated on stderr, one line each.
  const stderr = errors.map((error) => `${renderDiagnostic(error)}\n`).join('');
  if (request.output === 'mermaid') return { ...outcome, stdout: renderPlanMermaid(specs, changes), stderr };
  const provider = await loadProviderModule(request.provider);
  const document = provider.renderPlan(specs, diagnostics, {
    clusterName: request.translate.clusterName,
    ...(request.providerSettings && { settings: request.providerSettings }),
  }) as Record<string, unknown>;
  const left = leftToOtherClasses.map((entry) => ({ Namespace: entry.ref.namespace, Name: entry.ref.name, IngressClass: entry.className ?? null }));
  // Nothing is applied by plan: each Gateway is shown as it would be before its load balancer has an address.
  const gatewayApiStatus = translated.gatewayApi ? statusDocuments(translated.gatewayApi, () => undefined) : [];
  const json = {
    ...document,
    ...(gatewayApiStatus.length > 0 && { GatewayAPIStatus: gatewayApiStatus }),
    ...(changes && { Changes: changes.map((stack) => ({ Stack: stack.stackId, Operations: stack.operations })) }),
    ...(left.length > 0 && { IngressesLeftToOtherClasses: left }),
  };
  return { ...outcome, stdout: `${JSON.stringify(json, null, 2)}\n`, stderr };
}

/** What the provider would do to each stack now: observe and diff, never apply. */
async function liveChanges(request: PlanRequest, specs: readonly LoadBalancerSpec[], snapshot: SnapshotView): Promise<StackChanges[]> {
  const provider = await loadProvider(request.provider, {
    clusterName: request.translate.clusterName,
    certificates: snapshotCertificates(() => snapshot),
    clientSecrets: snapshotClientSecrets(() => snapshot),
    settings: request.providerSettings,
  });
  try {
    const changes: StackChanges[] = [];
    for (const spec of specs) {
      const observed = await provider.observe({ id: spec.stack.id }, spec);
      changes.push({ stackId: spec.stack.id, operations: provider.diff(spec, observed).operations });
    }
    return changes;
  } finally {
    await provider.close();
  }
}

function renderChanges(provider: string, changes: readonly StackChanges[]): string {
  const lines = ['', `changes against ${provider}:`];
  for (const stack of changes) {
    lines.push(`  load balancer ${stack.stackId}: ${stack.operations.length === 0 ? 'in step, nothing to do' : `${stack.operations.length} operation(s)`}`);
    for (const operation of stack.operations) lines.push(`    ${operation.action.padEnd(30)} ${operation.resource}`);
  }
  return `${lines.join('\n')}\n`;
}
