/**
 * The controller as shipped (`startKubeRun`: informers, work queue, status, finalizers, and when
 * asked the admission webhook) with the AWS provider, against the Kubernetes API fake and the AWS
 * fake: the world the Ingress and Gateway end-to-end tests on both fakes share.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { startKubeRun, type KubeRunHandle, type KubeRunRequest } from '../../src/commands/run-cluster.js';
import { createLogger } from '../../src/observability/logger.js';
import { parseManifestFile } from '../../src/sources/manifests.js';
import type { TranslateOptions } from '../../src/translate/index.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../fakes/kube/index.js';
import { createAwsWorld, type AwsWorld } from './aws-provider-world.js';
import { testOptions } from './cluster.js';
import type { RbacAuthorizer } from './rbac.js';

/** The apiVersion written for a kind when its parsed object carries none; the object's own wins. */
const API_VERSIONS: Record<string, string> = { Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1', EndpointSlice: 'discovery.k8s.io/v1' };

const WEBHOOK_MANIFEST = new URL('../../deploy/base/webhook.yaml', import.meta.url);
const WEBHOOK: NonNullable<KubeRunRequest['webhook']> = {
  address: '127.0.0.1:0',
  namespace: 'ingress-bridge',
  serviceName: 'ingress-bridge-webhook',
  configurationName: 'ingress-bridge',
};

/** Applies every object of the manifest YAML to the fake, as `kubectl apply` would. */
export function applyYaml(kube: KubeFake, yaml: string): void {
  for (const parsed of parseManifestFile(yaml, 'e2e.yaml').objects)
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a parsed manifest is a plain object typed by the client's class; no prototype to lose
    kube.apply({ kind: parsed.kind, apiVersion: API_VERSIONS[parsed.kind] ?? 'v1', ...parsed.object } as KubeObject);
}

export interface KubeAwsRunOptions {
  /** The objects in the cluster when the controller starts. */
  yaml: string;
  /** Every request of the controller is judged by it (deploy/base/rbac.yaml, as loadRbacAuthorizer reads it); undefined: all allowed. */
  rbac?: RbacAuthorizer;
  /** Run after the YAML is applied, before the controller starts: what other actors wrote first. */
  prepare?: (kube: KubeFake) => void;
  /** Default: testOptions() at the real clock, so TLS Secrets made now are valid. */
  translateOptions?: () => TranslateOptions;
  /** true: deploy/base/webhook.yaml is applied and the controller's admission webhook serves it. */
  webhook?: boolean;
  readinessGates?: KubeRunRequest['readinessGates'];
}

export interface KubeAwsRun {
  kube: KubeFake;
  world: AwsWorld;
  handle: KubeRunHandle;
  apply(yaml: string): void;
  /** Stops the controller, then the fakes. */
  stop(): Promise<void>;
}

export async function startKubeAwsRun(options: KubeAwsRunOptions): Promise<KubeAwsRun> {
  const kube = await startKubeFake();
  if (options.rbac) kube.setAuthorizer(options.rbac.authorize);
  const world = createAwsWorld();
  const closeFakes = async (): Promise<void> => {
    await kube.close();
    world.close();
  };
  try {
    if (options.webhook) for (const document of parseAllDocuments(readFileSync(WEBHOOK_MANIFEST, 'utf8'))) kube.apply(document.toJS() as KubeObject);
    applyYaml(kube, options.yaml);
    options.prepare?.(kube);
    const handle = await startKubeRun({
      connection: kube.connection(),
      provider: (provider) =>
        new AwsProvider({
          clusterName: provider.clusterName,
          certificates: provider.certificates,
          clients: world.clients,
          retry: { maxAttempts: 8, sleep: async () => {} },
        }),
      providerSettings: {},
      translateOptions: options.translateOptions ?? (() => testOptions({ now: new Date() })),
      logger: createLogger('silent'),
      namespace: 'ingress-bridge',
      concurrency: 2,
      resyncMs: 600_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      ...(options.webhook && { webhook: WEBHOOK }),
      ...(options.readinessGates && { readinessGates: options.readinessGates }),
    });
    if (options.webhook) kube.routeService(WEBHOOK.namespace, WEBHOOK.serviceName, 443, `https://127.0.0.1:${handle.webhook?.port() ?? 0}`);
    return {
      kube,
      world,
      handle,
      apply: (yaml) => applyYaml(kube, yaml),
      stop: async () => {
        await handle.stop();
        await closeFakes();
      },
    };
  } catch (error) {
    await closeFakes();
    throw error;
  }
}
