/**
 * Error types shared by the core: each one is a usage problem the command line reports in one line
 * with exit status 2, never a stack trace.
 * @module
 */

/** A flag, environment variable or kubeconfig that cannot be used as given. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A provider name or module that cannot be loaded, or does not implement the contract. */
export class ProviderLoadError extends Error {
  override readonly name = 'ProviderLoadError';
}
