/**
 * `ingress-bridge run --manifests DIR`: reconcile the directory with a provider, print the plan and
 * the Ingresses with their addresses, then (without --once) keep watching the directory.
 * @module
 */
import type { Logger } from '../observability/logger.js';
import type { Provider, ProviderOptions } from '../provider.js';
import { loadProvider } from '../provider-registry.js';
import { renderDiagnostic, renderPlanText } from './plan-text.js';
import type { TranslateOptions } from '../translate/index.js';
import { noteApiCall } from '../controller/api-call-log.js';
import { snapshotCertificates } from '../sources/certificate-material.js';
import { renderIngressTable } from '../controller/ingress-table.js';
import { ManifestRunner, type RoundReport } from '../controller/manifest-runner.js';

export interface RunRequest {
  manifests: string;
  provider: string;
  providerSettings: ProviderOptions['settings'];
  once: boolean;
  translateOptions: () => TranslateOptions;
  logger: Logger;
  print: (text: string) => void;
}

export interface RunHandle {
  provider: Provider;
  runner: ManifestRunner;
  first: RoundReport;
  /** Stops watching, finishes the round in flight and releases the provider. */
  stop(): Promise<void>;
}

export function describeRound(report: RoundReport, first: boolean): string {
  const specs = report.outcomes.flatMap((outcome) => (outcome.spec ? [outcome.spec] : []));
  const diagnostics = [...report.diagnostics, ...report.outcomes.flatMap((outcome) => outcome.diagnostics)];
  const lines: string[] = [];
  if (first) {
    lines.push(renderPlanText(specs, diagnostics));
    for (const outcome of report.outcomes) {
      const applied = (outcome.result?.outcomes ?? []).filter((entry) => entry.error === undefined);
      if (applied.length === 0) continue;
      lines.push(`applied to ${outcome.stackId}:`, ...applied.map((entry) => `  ${entry.operation.action.padEnd(30)} ${entry.operation.resource}`));
    }
  }
  else {
    const changed = report.outcomes.filter((outcome) => (outcome.plan?.operations.length ?? 0) > 0);
    lines.push(`change applied to ${changed.length} load balancer(s): ${changed.map((outcome) => outcome.stackId).join(', ') || 'none'}`);
    for (const diagnostic of diagnostics.filter((entry) => entry.severity !== 'info')) lines.push(renderDiagnostic(diagnostic));
  }
  for (const outcome of report.outcomes.filter((entry) => entry.error)) lines.push(`error   load balancer ${outcome.stackId}: ${outcome.error}`);
  lines.push('', renderIngressTable(report.ingresses));
  return lines.join('\n');
}

export async function startRun(request: RunRequest): Promise<RunHandle> {
  let runner: ManifestRunner | undefined;
  const provider = await loadProvider(request.provider, {
    clusterName: request.translateOptions().clusterName,
    certificates: snapshotCertificates(() => (runner as ManifestRunner).current()),
    settings: request.providerSettings,
    onApiCall: (call) => noteApiCall(call.service, call.action),
  });
  runner = new ManifestRunner({ dir: request.manifests, provider, translateOptions: request.translateOptions, logger: request.logger });
  const activeRunner = runner;
  const first = await activeRunner.reconcile();
  request.print(describeRound(first, true));
  if (!request.once) activeRunner.watch((report) => request.print(describeRound(report, false)));
  return {
    provider,
    runner: activeRunner,
    first,
    async stop() {
      await activeRunner.stop();
      await provider.close();
    },
  };
}
