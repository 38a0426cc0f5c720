/**
 * The built-in providers and the module loader. Built-in providers are loaded lazily by name, so the
 * core never loads a cloud SDK it does not use; any other name is a module specifier loaded with
 * import(). This is the one module of src/ that names providers/ — and only inside import().
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProviderLoadError } from './errors.js';
import type { Provider, ProviderModule, ProviderOptions } from './provider.js';

/**
 * Built-in providers by name → their module, as a URL beside this file (src/ and providers/ sit side by
 * side in the checkout and in dist/). A URL, not a static specifier: the core does not import a
 * provider, it loads one by name when asked.
 */
const BUILT_IN: Readonly<Record<string, URL>> = {
  aws: new URL('../providers/aws/index.js', import.meta.url),
  gcp: new URL('../providers/gcp/index.js', import.meta.url),
  local: new URL('../providers/local/index.js', import.meta.url),
};

function isProviderModule(value: unknown): value is ProviderModule {
  return typeof value === 'object' && value !== null && typeof (value as ProviderModule).renderPlan === 'function';
}

/** A path (`./x.js`, `/opt/x.js`) is taken relative to the working directory; anything else is a package name or URL. */
export function moduleUrl(specifier: string, cwd: string = process.cwd()): string {
  return /^\.{0,2}\//.test(specifier) ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
}

export async function loadProviderModule(nameOrModule: string): Promise<ProviderModule> {
  const builtIn = BUILT_IN[nameOrModule];
  let loaded: unknown;
  try {
    loaded = await import(builtIn ? builtIn.href : moduleUrl(nameOrModule));
  } catch (cause) {
    throw new ProviderLoadError(`provider "${nameOrModule}" could not be loaded: ${(cause as Error).message}`, { cause });
  }
  if (!isProviderModule(loaded)) {
    throw new ProviderLoadError(`provider module "${nameOrModule}" does not export renderPlan(specs, diagnostics) and createProvider(options)`);
  }
  return loaded;
}

export async function loadProvider(nameOrModule: string, options: ProviderOptions): Promise<Provider> {
  const module = await loadProviderModule(nameOrModule);
  if (!module.createProvider) throw new ProviderLoadError(`provider "${nameOrModule}" can render plans but cannot reconcile yet`);
  return module.createProvider(options);
}
