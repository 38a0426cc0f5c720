/**
 * `ingress-bridge migrate-from-nginx`: reads an ingress-nginx estate (a manifest directory, or a
 * cluster's Ingresses through a kubeconfig) and prints, per Ingress, what the load balancer serves
 * the same, what differs and what is not supported — a report to review before the cutover; with
 * `--write DIR`, the same Ingresses in ingress-bridge's own annotations and class, one file each.
 * Read-only towards the cluster. A thin shell over src/translate/nginx/migration.ts.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeClient } from '../sources/kube-http.js';
import { loadManifestDirectory } from '../sources/manifests.js';
import { Snapshot, type KindToObject } from '../sources/snapshot.js';
import type { TranslateOptions } from '../translate/index.js';
import { planMigration, renderMigrationReport, type MigrationEntry } from '../translate/nginx/migration.js';
import { renderDiagnostic } from './plan-text.js';

export interface MigrateRequest {
  /** One of the two sources. */
  manifests?: string;
  client?: KubeClient;
  /** Where the converted Ingresses are written; nothing is written without it. */
  write?: string;
  translate: TranslateOptions;
  /** The class the written Ingresses name. */
  writtenClass: string;
  maxFileBytes?: number;
}

export interface MigrateOutcome {
  stdout: string;
  stderr: string;
  entries: MigrationEntry[];
  /** The files `--write` wrote. */
  written: string[];
  /** Some Ingress would not be served (or a manifest could not be read). */
  hasErrors: boolean;
}

export async function runMigrateFromNginx(request: MigrateRequest): Promise<MigrateOutcome> {
  const { snapshot, stderr } = request.client ? { snapshot: await clusterSnapshot(request.client), stderr: '' } : await directorySnapshot(request);
  const entries = planMigration(snapshot, request.translate, request.writtenClass);
  const written = request.write === undefined ? [] : await writeConverted(request.write, entries);
  const stdout =
    renderMigrationReport(entries) +
    (written.length > 0 ? `\nWrote ${written.length} Ingress${written.length === 1 ? '' : 'es'} to ${request.write ?? ''}.\n` : '');
  return { stdout, stderr, entries, written, hasErrors: stderr !== '' || entries.some((entry) => !entry.served) };
}

async function directorySnapshot(request: MigrateRequest): Promise<{ snapshot: Snapshot; stderr: string }> {
  const loaded = await loadManifestDirectory(request.manifests ?? '.', request.maxFileBytes === undefined ? {} : { maxFileBytes: request.maxFileBytes });
  const problems = loaded.diagnostics.filter((entry) => entry.severity === 'error');
  return { snapshot: loaded.snapshot, stderr: problems.map((entry) => `${renderDiagnostic(entry)}\n`).join('') };
}

/** The cluster's Ingresses, IngressClasses and Services: what the report reads (list calls only). */
async function clusterSnapshot(client: KubeClient): Promise<Snapshot> {
  // List items come without apiVersion and kind; the Snapshot keys on neither, translate reads the kind.
  const list = async <K extends 'Ingress' | 'IngressClass' | 'Service'>(kind: K, apiVersion: string, path: string): Promise<KindToObject[K][]> => {
    const answer = await client.get<{ items?: object[] }>(path);
    return (answer.items ?? []).map((item) => ({ apiVersion, kind, ...item }));
  };
  const [ingresses, classes, services] = await Promise.all([
    list('Ingress', 'networking.k8s.io/v1', '/apis/networking.k8s.io/v1/ingresses'),
    list('IngressClass', 'networking.k8s.io/v1', '/apis/networking.k8s.io/v1/ingressclasses'),
    list('Service', 'v1', '/api/v1/services'),
  ]);
  const snapshot = new Snapshot();
  for (const item of ingresses) snapshot.upsert('Ingress', item);
  for (const item of classes) snapshot.upsert('IngressClass', item);
  for (const item of services) snapshot.upsert('Service', item);
  return snapshot;
}

async function writeConverted(dir: string, entries: readonly MigrationEntry[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const entry of entries) {
    if (!entry.converted) continue;
    const file = join(dir, `${entry.ref.namespace}.${entry.ref.name}.yaml`);
    const notes = [
      ...entry.differs.map((item) => `differs: ${item.message}`),
      ...entry.unsupported.map((item) => `not supported: ${item.message}`),
      ...entry.notWritable,
    ];
    const header = [
      '# Converted by ingress-bridge migrate-from-nginx from the ingress-nginx Ingress of the same name.',
      ...notes.map((note) => `# ${note.replace(/\s+/g, ' ')}`),
    ];
    await writeFile(file, `${header.join('\n')}\n${stringify(entry.converted, { lineWidth: 0 })}`);
    written.push(file);
  }
  return written;
}
