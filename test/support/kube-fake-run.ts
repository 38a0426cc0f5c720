/**
 * The controller as shipped (`startKubeRun`: informers, work queue, status, finalizers, and when
 * asked the admission webhook) against the Kubernetes API fake, with the provider the test gives:
 * the world the end-to-end tests on the fake share (kube-aws-run.ts adds the AWS fake to it).
 * @module
 */
import { startKubeRun, type KubeRunHandle, type KubeRunRequest } from '../../src/commands/run-cluster.js';
import { createLogger } from '../../src/observability/logger.js';
import type { TranslateOptions } from '../../src/translate/index.js';
import { startKubeFake, type KubeFake } from '../../fakes/kube/index.js';
import { testOptions } from './cluster.js';
import { applyWebhookManifest, applyYaml } from './kube-yaml.js';
import type { RbacAuthorizer } from './rbac.js';

/** The webhook deploy/base/webhook.yaml declares, served on a port the system picks. */
const WEBHOOK: NonNullable<KubeRunRequest['webhook']> = {
  address: '127.0.0.1:0',
  namespace: 'ingress-bridge',
  serviceName: 'ingress-bridge-webhook',
  configurationName: 'ingress-bridge',
};

export interface KubeFakeRunOptions {
  /** The objects in the cluster when the controller starts. */
  yaml: string;
  provider: KubeRunRequest['provider'];
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

export interface KubeFakeRun {
  kube: KubeFake;
  handle: KubeRunHandle;
  apply(yaml: string): void;
  /** Stops the controller, then the fake. */
  stop(): Promise<void>;
}

export async function startKubeFakeRun(options: KubeFakeRunOptions): Promise<KubeFakeRun> {
  const kube = await startKubeFake();
  if (options.rbac) kube.setAuthorizer(options.rbac.authorize);
  try {
    if (options.webhook) applyWebhookManifest(kube);
    applyYaml(kube, options.yaml);
    options.prepare?.(kube);
    const handle = await startKubeRun({
      connection: kube.connection(),
      provider: options.provider,
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
      handle,
      apply: (yaml) => applyYaml(kube, yaml),
      stop: async () => {
        await handle.stop();
        await kube.close();
      },
    };
  } catch (error) {
    await kube.close();
    throw error;
  }
}
