/**
 * The provider contract: how a cloud plugs in. A provider imports this module and src/model.ts, and
 * nothing else of the core. docs/providers.md explains it for third parties.
 *
 * Built-in providers are loaded lazily by name, so the core never loads a cloud SDK it does not use;
 * any other name is treated as a module specifier and loaded with import().
 * @module
 */
import type { Diagnostic, LoadBalancerSpec } from './model.js';

export interface ProviderOptions {
  clusterName: string;
}

export interface Provider {
  readonly name: string;
  /** The plan as a JSON document in the cloud API's own field names (key material never included). */
  renderPlan(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): unknown;
}

/** What a provider module exports. */
export interface ProviderModule {
  createProvider(options: ProviderOptions): Provider | Promise<Provider>;
}

const BUILT_IN: Record<string, () => Promise<ProviderModule>> = {
  aws: () => import('../providers/aws/index.js'),
};

export class ProviderLoadError extends Error {
  override readonly name = 'ProviderLoadError';
}

function isProviderModule(value: unknown): value is ProviderModule {
  return typeof value === 'object' && value !== null && typeof (value as ProviderModule).createProvider === 'function';
}

export async function loadProvider(nameOrModule: string, options: ProviderOptions): Promise<Provider> {
  const builtIn = BUILT_IN[nameOrModule];
  let loaded: unknown;
  try {
    loaded = builtIn ? await builtIn() : await import(nameOrModule);
  } catch (cause) {
    throw new ProviderLoadError(`provider "${nameOrModule}" could not be loaded: ${(cause as Error).message}`, { cause });
  }
  if (!isProviderModule(loaded)) {
    throw new ProviderLoadError(`provider module "${nameOrModule}" does not export createProvider(options)`);
  }
  return loaded.createProvider(options);
}
