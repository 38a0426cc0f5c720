/**
 * Reading deploy/ for tests: every manifest document with the file it came from, typed views of
 * the parts the tests check, and a Deployment's args parsed by the program's own `run` command.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Container, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { CommanderError, type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli.js';
import type { RunFlagValues } from '../../src/config.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export interface ManifestDocument {
  /** Relative to deploy/, e.g. `base/rbac.yaml`. */
  file: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  object: Record<string, unknown>;
}

/** Every file under `dir`, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The documents of one YAML file; YAML errors throw, naming the file. */
export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(join(DEPLOY_DIR, file), 'utf8'));
  return documents
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null);
}

/** Every Kubernetes object declared in a YAML file under deploy/ (kustomization files included). */
export function deployDocuments(): ManifestDocument[] {
  return filesUnder(DEPLOY_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) =>
      readYamlDocuments(file).map((value) => {
        const object = value as { kind?: string; metadata?: { name?: string; namespace?: string } };
        return {
          file,
          kind: object.kind ?? '',
          name: object.metadata?.name ?? '',
          namespace: object.metadata?.namespace,
          object: value as Record<string, unknown>,
        };
      }),
    );
}

/** The one document of `kind` (and `name`) in `file`; fails the test when there is not exactly one. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the caller's declared kind of the document, an unchecked view of parsed YAML
export function theDocument<T>(documents: readonly ManifestDocument[], match: { file: string; kind: string; name?: string }): T {
  const found = documents.filter(
    (document) => document.file === match.file && document.kind === match.kind && (match.name === undefined || document.name === match.name),
  );
  if (found.length !== 1) throw new Error(`expected one ${match.kind}${match.name ? ` ${match.name}` : ''} in deploy/${match.file}, found ${found.length}`);
  return (found[0] as ManifestDocument).object as T;
}

export function controllerContainer(deployment: V1Deployment): V1Container {
  const container = deployment.spec?.template.spec?.containers.find((candidate) => candidate.name === 'ingress-bridge');
  if (!container) throw new Error(`Deployment ${deployment.metadata?.name} has no container named ingress-bridge`);
  return container;
}

/**
 * Kubernetes' `$(VAR)` expansion of a container's args from its env: a fieldRef `metadata.namespace`
 * becomes the pod's namespace. An unknown reference stays as written, as the kubelet leaves it.
 */
export function expandArgs(args: readonly string[], env: readonly V1EnvVar[], podNamespace: string): string[] {
  const values = new Map(
    env.map((variable) => [variable.name, variable.value ?? (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? podNamespace : undefined)]),
  );
  return args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (reference, name: string) => values.get(name) ?? reference));
}

export type RunArgs = { ok: true; values: RunFlagValues; sources: Record<string, string | undefined> } | { ok: false; error: string };

/** Parses args exactly as `ingress-bridge` would, with the `run` action replaced by a capture of its options. */
export async function parseRunArgs(args: readonly string[]): Promise<RunArgs> {
  const program = buildProgram(() => undefined);
  const run = program.commands.find((command) => command.name() === 'run') as Command;
  let captured: RunArgs = { ok: false, error: `"${args[0]}" is not the run command` };
  run.action((values: RunFlagValues) => {
    const sources = Object.fromEntries(run.options.map((option) => [option.attributeName(), run.getOptionValueSource(option.attributeName())]));
    captured = { ok: true, values, sources };
  });
  const errors: string[] = [];
  for (const command of [program, run]) command.configureOutput({ writeErr: (text) => errors.push(text.trim()), writeOut: () => undefined });
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { ok: false, error: errors.join(' ') || error.message };
  }
  return captured;
}
