/**
 * Where the API server and credentials come from, in the order controller-runtime uses:
 * `--kubeconfig`, then KUBECONFIG (its files merged as kubectl merges them), then the pod's service
 * account when running in a cluster, then ~/.kube/config; `--context` then picks a context. Nothing
 * found is an error naming what was tried, never a quiet fallback to http://localhost:8080, and so
 * is anything in the kubeconfig this client does not support: it names the user or cluster, the
 * field, and what to use instead.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { KubeConnection, KubeCredentials } from './kube-connection.js';
import { EXEC_API_VERSIONS, ExecCredential, type ExecPlugin } from './kube-exec-credential.js';
import { TokenFile } from './kube-token-file.js';
import { mergeKubeconfigs, parseKubeconfig, type ClusterFields, type Named, type UserFields } from './kubeconfig.js';

export interface KubeConfigOptions {
  /** Flag --kubeconfig: a kubeconfig file path. */
  kubeconfig?: string;
  /** Flag --context: a context name in the kubeconfig. */
  context?: string;
}

/** For tests: a directory prefixed to the service account paths. */
export interface InClusterPaths {
  serviceAccountPrefix: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Throws ConfigError when no configuration is found, the context does not exist, or it cannot be used. */
export function loadKubeConnection(options: KubeConfigOptions, inCluster: InClusterPaths = { serviceAccountPrefix: '' }): KubeConnection {
  const env = process.env;
  if (options.kubeconfig) return fromFiles([options.kubeconfig], `--kubeconfig ${options.kubeconfig}`, options.context);
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  if (fromEnv.length > 0) return fromFiles(fromEnv, `KUBECONFIG ${env.KUBECONFIG ?? ''}`, options.context);
  if (env.KUBERNETES_SERVICE_HOST) {
    if (options.context !== undefined) throw new ConfigError(`--context "${options.context}" is not in the in-cluster service account (its contexts: none)`);
    return inClusterConnection(env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, `${inCluster.serviceAccountPrefix}${SERVICE_ACCOUNT}`);
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home], home, options.context);
  throw new ConfigError(
    `no Kubernetes configuration found: tried --kubeconfig (not given), KUBECONFIG (not set), in-cluster (KUBERNETES_SERVICE_HOST not set) and ${home} (no such file)`,
  );
}

function fromFiles(files: readonly string[], described: string, contextFlag: string | undefined): KubeConnection {
  const config = mergeKubeconfigs(
    files.map((file) => {
      try {
        return parseKubeconfig(readFileSync(file, 'utf8'), file);
      } catch (error) {
        throw new ConfigError(`${described}: cannot use kubeconfig ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  const contextNames = (): string => [...config.contexts.keys()].join(', ') || 'none';
  if (contextFlag !== undefined && !config.contexts.has(contextFlag)) {
    throw new ConfigError(`--context "${contextFlag}" is not in ${described} (its contexts: ${contextNames()})`);
  }
  const contextName = contextFlag ?? config.currentContext;
  const context = contextName === undefined ? undefined : config.contexts.get(contextName);
  const cluster = context?.fields.cluster === undefined ? undefined : config.clusters.get(context.fields.cluster);
  if (!context || !cluster) throw new ConfigError(`${described} has no current context with a cluster; pass --context (its contexts: ${contextNames()})`);
  const userName = context.fields.user;
  const user = userName ? config.users.get(userName) : undefined;
  if (userName && !user) throw new ConfigError(`${described}: context "${context.name}" names user "${userName}", which is not defined`);
  return connectionOf(cluster, user, context.fields.namespace, described);
}

function connectionOf(cluster: Named<ClusterFields>, user: Named<UserFields> | undefined, namespace: string | undefined, described: string): KubeConnection {
  const where = `${described}: cluster "${cluster.name}"`;
  const fields = cluster.fields;
  const server = optionalString(fields, 'server', where);
  if (!server) throw new ConfigError(`${where} has no server`);
  if (fields['proxy-url'] !== undefined) {
    throw new ConfigError(`${where} sets proxy-url, which ingress-bridge does not support; remove it and let the controller reach the API server directly`);
  }
  const certificateAuthority = pem(cluster, 'certificate-authority', where);
  const tlsServerName = optionalString(fields, 'tls-server-name', where);
  const insecure = fields['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') throw new ConfigError(`${where}: insecure-skip-tls-verify must be true or false`);
  const credentials = user ? userCredentials(user, cluster, described) : () => Promise.resolve({});
  return {
    server: server.replace(/\/+$/, ''),
    ...(namespace ? { namespace } : {}),
    ...(certificateAuthority !== undefined && { certificateAuthority }),
    ...(insecure === true && { insecureSkipTlsVerify: true }),
    ...(tlsServerName !== undefined && { tlsServerName }),
    credentials,
  };
}

/** The user's way of authenticating, checked now so a kubeconfig that cannot work fails at start. */
function userCredentials(user: Named<UserFields>, cluster: Named<ClusterFields>, described: string): KubeConnection['credentials'] {
  const where = `${described}: user "${user.name}"`;
  const fields = user.fields;
  const provider = fields['auth-provider'];
  if (provider !== undefined) {
    throw new ConfigError(
      `${where} uses the legacy auth-provider "${String(provider.name)}", which ingress-bridge does not support; use an exec credential plugin instead (gke-gcloud-auth-plugin on GKE, kubelogin for OIDC and Azure)`,
    );
  }
  if (fields.as !== undefined || fields['as-groups'] !== undefined || fields['as-uid'] !== undefined) {
    throw new ConfigError(
      `${where} impersonates another identity (as), which ingress-bridge does not support; give the user itself the controller's permissions`,
    );
  }
  const token = optionalString(fields, 'token', where);
  const tokenFile = optionalString(fields, 'tokenFile', where);
  const username = optionalString(fields, 'username', where);
  const password = optionalString(fields, 'password', where);
  const bearer = Boolean(token) || Boolean(tokenFile);
  const basic = username !== undefined || password !== undefined;
  const ways = [bearer && 'token', basic && 'username/password', fields.exec !== undefined && 'exec'].filter(Boolean);
  if (ways.length > 1) throw new ConfigError(`${where} sets both ${ways.join(' and ')}; keep one`);

  const cert = pem(user, 'client-certificate', where);
  const key = pem(user, 'client-key', where);
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError(`${where} sets ${cert === undefined ? 'client-key' : 'client-certificate'} without the other`);
  const certificate: KubeCredentials = cert !== undefined && key !== undefined ? { clientCertificate: { cert, key } } : {};

  if (fields.exec !== undefined) {
    const plugin = new ExecCredential(execPlugin(user, cluster, where));
    return async (refresh) => ({ ...certificate, ...(await plugin.current(refresh)) });
  }
  // As in client-go, a tokenFile is read again as it changes, and wins over a token.
  if (tokenFile) {
    const file = new TokenFile(resolvePath(user, tokenFile));
    return async (refresh) => ({ ...certificate, authorization: `Bearer ${await file.current(refresh)}` });
  }
  const fixed: KubeCredentials = {
    ...certificate,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(basic ? { authorization: `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}` } : {}),
  };
  return () => Promise.resolve(fixed);
}

function execPlugin(user: Named<UserFields>, cluster: Named<ClusterFields>, where: string): ExecPlugin {
  // Read as the untrusted YAML it is: ExecFields says what it should hold, not what it does.
  const exec = user.fields.exec as unknown;
  if (typeof exec !== 'object' || exec === null || Array.isArray(exec)) throw new ConfigError(`${where}: exec must be a mapping`);
  const fields = exec as Record<string, unknown>;
  const command = optionalString(fields, 'command', `${where} exec`);
  if (!command) throw new ConfigError(`${where}: exec has no command`);
  const apiVersion = String(fields.apiVersion);
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new ConfigError(`${where}: exec apiVersion ${apiVersion} is not supported; use ${EXEC_API_VERSIONS.join(' or ')} (a current version of the plugin)`);
  }
  if (fields.interactiveMode === 'Always') {
    throw new ConfigError(
      `${where}: the exec plugin ${command} needs a terminal (interactiveMode Always), which a controller does not have; use a non-interactive login`,
    );
  }
  const args: unknown = fields.args ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) throw new ConfigError(`${where}: exec args must be a list of strings`);
  const env: unknown = fields.env ?? [];
  if (!Array.isArray(env) || !env.every((entry: { name?: unknown; value?: unknown }) => typeof entry.name === 'string' && typeof entry.value === 'string')) {
    throw new ConfigError(`${where}: exec env must be a list of {name, value} strings`);
  }
  const installHint = optionalString(fields, 'installHint', `${where} exec`);
  const server = cluster.fields;
  return {
    apiVersion,
    command,
    args,
    env: env as { name: string; value: string }[],
    ...(installHint !== undefined && { installHint }),
    ...(fields.provideClusterInfo === true && {
      cluster: {
        server: server.server ?? '',
        ...(server['certificate-authority-data'] !== undefined && { 'certificate-authority-data': server['certificate-authority-data'] }),
        ...(server['insecure-skip-tls-verify'] !== undefined && { 'insecure-skip-tls-verify': server['insecure-skip-tls-verify'] }),
        ...(server['tls-server-name'] !== undefined && { 'tls-server-name': server['tls-server-name'] }),
      },
    }),
    directory: user.directory,
    described: `user "${user.name}"`,
  };
}

function inClusterConnection(host: string, port: string | undefined, accountDir: string): KubeConnection {
  const tokenPath = join(accountDir, 'token');
  if (!existsSync(tokenPath)) {
    throw new ConfigError(
      `KUBERNETES_SERVICE_HOST is set, so this runs in a pod, but the service account token ${tokenPath} is missing; mount it (automountServiceAccountToken) or pass --kubeconfig`,
    );
  }
  if (!port) throw new ConfigError('KUBERNETES_SERVICE_HOST is set, so this runs in a pod, but KUBERNETES_SERVICE_PORT is not; pass --kubeconfig');
  const caPath = join(accountDir, 'ca.crt');
  let certificateAuthority: string;
  try {
    certificateAuthority = readFileSync(caPath, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `in a pod, the service account's CA ${caPath} cannot be read (${error instanceof Error ? error.message : String(error)}); pass --kubeconfig`,
    );
  }
  const namespacePath = join(accountDir, 'namespace');
  const namespace = existsSync(namespacePath) ? readFileSync(namespacePath, 'utf8').trim() : '';
  const token = new TokenFile(tokenPath);
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ...(namespace ? { namespace } : {}),
    certificateAuthority,
    credentials: async (refresh) => ({ authorization: `Bearer ${await token.current(refresh)}` }),
  };
}

/** A `<field>-data` (base64) or `<field>` (a file) value, as text; read now so a missing file is reported at start. */
function pem<T extends ClusterFields | UserFields>(
  entry: Named<T>,
  field: 'certificate-authority' | 'client-certificate' | 'client-key',
  where: string,
): string | undefined {
  const fields = entry.fields as Record<string, unknown>;
  const data = optionalString(fields, `${field}-data`, where);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = optionalString(fields, field, where);
  if (!file) return undefined;
  const path = resolvePath(entry, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where}: ${field} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Paths in a kubeconfig are relative to the file that holds them, as kubectl reads them. */
function resolvePath(entry: Named<unknown>, path: string): string {
  return isAbsolute(path) ? path : join(entry.directory, path);
}

function optionalString(fields: Record<string, unknown> | object, field: string, where: string): string | undefined {
  const value = (fields as Record<string, unknown>)[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${where}: ${field} must be a string`);
  return value;
}
