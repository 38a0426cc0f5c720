/**
 * Exec credential plugins (client.authentication.k8s.io v1 and v1beta1), the way EKS (`aws eks
 * get-token`) and GKE (`gke-gcloud-auth-plugin`) hand out credentials: the command prints an
 * ExecCredential whose status holds a token or a client certificate, and maybe when it expires.
 * The answer is kept until then (or until a 401 says it is no longer good), and requests that find
 * it stale together share one run. Never interactive: a controller has no terminal.
 * @module
 */
import { execFile } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import type { KubeCredentials } from './kube-connection.js';

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;

export interface ExecPlugin {
  apiVersion: string;
  command: string;
  args: readonly string[];
  env: readonly { name: string; value: string }[];
  installHint?: string;
  /** Passed to the plugin in KUBERNETES_EXEC_INFO when it asks for it (provideClusterInfo). */
  cluster?: { server: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean; 'tls-server-name'?: string };
  /** The kubeconfig's directory: a relative command with a path separator is relative to it, as in client-go. */
  directory: string;
  /** How errors name it: `user "eks-admin"`. */
  described: string;
}

export interface ExecCredentialOptions {
  /** Wall-clock milliseconds (expirationTimestamp is wall time). */
  now?: () => number;
  /** The longest a run may take (default 60 s). */
  timeoutMs?: number;
}

interface ParsedCredential {
  credentials: KubeCredentials;
  /** Wall-clock ms; absent: good until the server refuses it. */
  expiresAt?: number;
}

/** What the plugin printed → credentials, or an Error saying what is wrong with it. */
export function parseExecCredential(stdout: string, apiVersion: string): ParsedCredential {
  let document: unknown;
  try {
    document = JSON.parse(stdout);
  } catch {
    throw new Error('its output is not JSON');
  }
  if (!isRecord(document) || document.kind !== 'ExecCredential') throw new Error('its output is not an ExecCredential');
  if (document.apiVersion !== apiVersion) throw new Error(`it answered apiVersion ${String(document.apiVersion)}, not the ${apiVersion} asked for`);
  const status = document.status;
  if (!isRecord(status)) throw new Error('its ExecCredential has no status');
  const token = typeof status.token === 'string' && status.token !== '' ? status.token : undefined;
  const cert = typeof status.clientCertificateData === 'string' && status.clientCertificateData !== '' ? status.clientCertificateData : undefined;
  const key = typeof status.clientKeyData === 'string' && status.clientKeyData !== '' ? status.clientKeyData : undefined;
  if ((cert === undefined) !== (key === undefined)) throw new Error('its ExecCredential has clientCertificateData or clientKeyData without the other');
  if (token === undefined && cert === undefined) throw new Error('its ExecCredential has neither a token nor a client certificate');
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
    expiresAt = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN;
    if (Number.isNaN(expiresAt)) throw new Error(`its expirationTimestamp ${JSON.stringify(status.expirationTimestamp)} is not an RFC 3339 time`);
  }
  return {
    credentials: {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...(cert !== undefined && key !== undefined && { clientCertificate: { cert, key } }),
    },
    ...(expiresAt !== undefined && { expiresAt }),
  };
}

export class ExecCredential {
  private cached: ParsedCredential | undefined;
  private running: Promise<KubeCredentials> | undefined;

  constructor(
    private readonly plugin: ExecPlugin,
    private readonly options: ExecCredentialOptions = {},
  ) {}

  /** The plugin's credentials, run again when they expired or `refresh` is set. */
  current(refresh = false): Promise<KubeCredentials> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && !refresh && (this.cached.expiresAt === undefined || now < this.cached.expiresAt)) return Promise.resolve(this.cached.credentials);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<KubeCredentials> {
    const { plugin } = this;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        this.commandPath(),
        [...plugin.args],
        { env: this.environment(), timeout: this.options.timeoutMs ?? 60_000, maxBuffer: 1024 * 1024, windowsHide: true },
        (error, out, err) => {
          if (!error) {
            resolve(out);
            return;
          }
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          const detail = missing
            ? `command ${plugin.command} not found${plugin.installHint ? ` (${plugin.installHint.trim()})` : ''}`
            : `${error.message.split('\n')[0] ?? ''}${err.trim() ? `: ${err.trim().slice(0, 500)}` : ''}`;
          reject(new Error(`exec credential plugin of ${plugin.described} failed: ${detail}`, { cause: error }));
        },
      );
    });
    try {
      this.cached = parseExecCredential(stdout, plugin.apiVersion);
    } catch (error) {
      throw new Error(`exec credential plugin of ${plugin.described} (${plugin.command}): ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return this.cached.credentials;
  }

  private commandPath(): string {
    const { command, directory } = this.plugin;
    return !isAbsolute(command) && command.includes('/') ? join(directory, command) : command;
  }

  private environment(): NodeJS.ProcessEnv {
    const { plugin } = this;
    const info = {
      apiVersion: plugin.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(plugin.cluster && { cluster: plugin.cluster }) },
    };
    return { ...process.env, ...Object.fromEntries(plugin.env.map((entry) => [entry.name, entry.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
