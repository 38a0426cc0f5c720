/**
 * Where the API server and credentials come from, in the order controller-runtime uses:
 * `--kubeconfig`, then KUBECONFIG, then the pod's service account when running in a cluster, then
 * ~/.kube/config; `--context` then picks a context. client-node's `loadFromDefault` would quietly
 * fall back to http://localhost:8080 when nothing is found; here that is an error naming what was tried.
 * @module
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';

export interface KubeConfigOptions {
  /** Flag --kubeconfig: a kubeconfig file path. */
  kubeconfig?: string;
  /** Flag --context: a context name in the kubeconfig. */
  context?: string;
}

/** For tests: a directory client-node's loadFromCluster prefixes to the service account paths. */
export interface InClusterPaths {
  serviceAccountPrefix: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Throws ConfigError when no configuration is found or the context does not exist. */
export function loadKubeConfig(options: KubeConfigOptions, inCluster: InClusterPaths = { serviceAccountPrefix: '' }): KubeConfig {
  const config = new KubeConfig();
  const described = loadFirstFound(config, options, inCluster);
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const names = config.getContexts().map((context) => context.name);
      throw new ConfigError(`--context "${options.context}" is not in ${described} (its contexts: ${names.length > 0 ? names.join(', ') : 'none'})`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new ConfigError(
      `${described} has no current context with a cluster; pass --context (its contexts: ${
        config
          .getContexts()
          .map((context) => context.name)
          .join(', ') || 'none'
      })`,
    );
  }
  return config;
}

/** Loads the first source that exists and returns how to name it in errors. */
function loadFirstFound(config: KubeConfig, options: KubeConfigOptions, inCluster: InClusterPaths): string {
  const env = process.env;
  if (options.kubeconfig) return loadFiles(config, [options.kubeconfig], `--kubeconfig ${options.kubeconfig}`);
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnv.length > 0) return loadFiles(config, fromEnv, `KUBECONFIG ${env.KUBECONFIG}`);

  const token = `${inCluster.serviceAccountPrefix}${SERVICE_ACCOUNT_TOKEN}`;
  if (env.KUBERNETES_SERVICE_HOST) {
    if (!existsSync(token)) {
      throw new ConfigError(
        `KUBERNETES_SERVICE_HOST is set, so this runs in a pod, but the service account token ${token} is missing; mount it (automountServiceAccountToken) or pass --kubeconfig`,
      );
    }
    config.loadFromCluster(inCluster.serviceAccountPrefix);
    return 'the in-cluster service account';
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return loadFiles(config, [home], home);
  throw new ConfigError(
    `no Kubernetes configuration found: tried --kubeconfig (not given), KUBECONFIG (not set), in-cluster (KUBERNETES_SERVICE_HOST not set) and ${home} (no such file)`,
  );
}

/** Several files merge as kubectl merges them: the first one's current context wins. */
function loadFiles(config: KubeConfig, files: string[], described: string): string {
  files.forEach((file, index) => {
    try {
      if (index === 0) {
        config.loadFromFile(file);
        return;
      }
      const next = new KubeConfig();
      next.loadFromFile(file);
      config.mergeConfig(next, true);
    } catch (error) {
      throw new ConfigError(`${described}: cannot use kubeconfig ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return described;
}
