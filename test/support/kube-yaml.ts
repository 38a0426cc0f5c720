/**
 * Manifest YAML onto the Kubernetes API fake, as `kubectl apply` would put it there: the objects
 * the tests write with cluster.ts's builders, and deploy/base/webhook.yaml as shipped.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseManifestFile } from '../../src/sources/manifests.js';
import type { KubeFake, KubeObject } from '../../fakes/kube/index.js';

/** The apiVersion written for a kind when its parsed object carries none; the object's own wins. */
const API_VERSIONS: Record<string, string> = { Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1', EndpointSlice: 'discovery.k8s.io/v1' };

const WEBHOOK_MANIFEST = new URL('../../deploy/base/webhook.yaml', import.meta.url);

/** Every object of the manifest YAML in its wire shape, for a test that changes one before applying it. */
export function manifestObjects(yaml: string): KubeObject[] {
  return parseManifestFile(yaml, 'test.yaml').objects.map(
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a parsed manifest is a plain object typed by the client's class; no prototype to lose
    (parsed) => ({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1', ...parsed.object }) as KubeObject,
  );
}

/** Applies every object of the manifest YAML to the fake. */
export function applyYaml(kube: KubeFake, yaml: string): void {
  for (const object of manifestObjects(yaml)) kube.apply(object);
}

/** Applies deploy/base/webhook.yaml: the webhook configuration, its Service and its empty Secret. */
export function applyWebhookManifest(kube: KubeFake): void {
  for (const document of parseAllDocuments(readFileSync(WEBHOOK_MANIFEST, 'utf8'))) kube.apply(document.toJS() as KubeObject);
}
