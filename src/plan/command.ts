/**
 * `ingress-bridge plan`: manifests → translate → the plan, as text for people or as JSON in the
 * provider's API shape. Nothing is created; no cloud is called.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from '../model.js';
import { loadProviderModule } from '../provider.js';
import { loadManifestDirectory } from '../sources/manifests.js';
import { translateAll, type TranslateOptions } from '../translate/index.js';
import { renderDiagnostic, renderPlanText } from './text.js';

export interface PlanRequest {
  manifests: string;
  output: 'text' | 'json';
  provider: string;
  translate: TranslateOptions;
}

export interface PlanOutcome {
  stdout: string;
  stderr: string;
  specs: LoadBalancerSpec[];
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

export async function runPlan(request: PlanRequest): Promise<PlanOutcome> {
  const loaded = await loadManifestDirectory(request.manifests);
  const translated = translateAll(loaded.snapshot, request.translate);
  const specs = translated.results.flatMap((result) => (result.spec ? [result.spec] : []));
  const diagnostics = [...loaded.diagnostics, ...translated.diagnostics, ...translated.results.flatMap((result) => result.diagnostics)];
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (request.output === 'text') {
    return { stdout: renderPlanText(specs, diagnostics), stderr: '', specs, diagnostics, hasErrors: errors.length > 0 };
  }
  const provider = await loadProviderModule(request.provider);
  const document = provider.renderPlan(specs, diagnostics);
  // JSON goes to stdout untouched for pipes; errors are repeated on stderr, one line each.
  const stderr = errors.map((error) => `${renderDiagnostic(error)}\n`).join('');
  return { stdout: `${JSON.stringify(document, null, 2)}\n`, stderr, specs, diagnostics, hasErrors: errors.length > 0 };
}
