/**
 * Kubeconfig files as kubectl reads them: YAML (or JSON) with named clusters, users and contexts,
 * merged across the files of KUBECONFIG with the first file's current-context and the first
 * definition of each name winning. Only reading and merging here; what an entry means is
 * kube-config.ts's. Fields are kept under their kubeconfig names, so errors can name them.
 * @module
 */
import { dirname } from 'node:path';
import { parse } from 'yaml';

export interface ClusterFields {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

export interface ExecFields {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

export interface UserFields {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: ExecFields;
  /** The legacy in-tree plugins (gcp, azure, oidc): only named, to refuse them clearly. */
  'auth-provider'?: { name?: string };
  /** Impersonation: only detected, to refuse it clearly. */
  as?: string;
  'as-groups'?: string[];
  'as-uid'?: string;
}

export interface ContextFields {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** One named entry, with the file that defined it: relative paths in it are relative to that file's directory. */
export interface Named<T> {
  name: string;
  fields: T;
  file: string;
  directory: string;
}

export interface Kubeconfig {
  currentContext?: string;
  clusters: Map<string, Named<ClusterFields>>;
  users: Map<string, Named<UserFields>>;
  contexts: Map<string, Named<ContextFields>>;
}

/** Throws an Error saying what in the text is not a kubeconfig. */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  const document: unknown = parse(text);
  const root = document ?? {};
  if (!isRecord(root)) throw new Error('not a kubeconfig: the document is not a mapping');
  const directory = dirname(file);
  const named = <T>(section: 'clusters' | 'users' | 'contexts', field: 'cluster' | 'user' | 'context'): Map<string, Named<T>> => {
    const entries = new Map<string, Named<T>>();
    const list = root[section] ?? [];
    if (!Array.isArray(list)) throw new Error(`${section} must be a list`);
    list.forEach((entry: unknown, index) => {
      if (!isRecord(entry) || typeof entry.name !== 'string') throw new Error(`${section}[${index}] must have a name`);
      const fields = entry[field] ?? {};
      if (!isRecord(fields)) throw new Error(`${section}[${index}] (${entry.name}): ${field} must be a mapping`);
      // Within one file, as across files, the first definition of a name is the one used.
      if (!entries.has(entry.name)) entries.set(entry.name, { name: entry.name, fields: fields as T, file, directory });
    });
    return entries;
  };
  const currentContext = root['current-context'];
  if (currentContext !== undefined && currentContext !== null && typeof currentContext !== 'string') throw new Error('current-context must be a string');
  return {
    ...(currentContext ? { currentContext } : {}),
    clusters: named<ClusterFields>('clusters', 'cluster'),
    users: named<UserFields>('users', 'user'),
    contexts: named<ContextFields>('contexts', 'context'),
  };
}

/** kubectl's merge of several files: the first non-empty current-context, and the first definition of each name. */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const config of configs) {
    merged.currentContext ??= config.currentContext;
    for (const section of ['clusters', 'users', 'contexts'] as const) {
      const target = merged[section] as Map<string, Named<unknown>>;
      for (const [name, entry] of config[section] as Map<string, Named<unknown>>) if (!target.has(name)) target.set(name, entry);
    }
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
