/**
 * `ingress-bridge run` against a cluster: wires the kube source, the controller, the provider, leader
 * election, the metrics and health servers and the admission webhook, and stops them in the right order.
 * @module
 */
import type { Logger } from '../observability/logger.js';
import { startObservabilityServers, type ObservabilityServers } from '../observability/health.js';
import { ControllerMetrics } from '../observability/metrics.js';
import type { Provider, ProviderOptions } from '../provider.js';
import { loadProvider } from '../provider-registry.js';
import type { TranslateOptions } from '../translate/index.js';
import { noteApiCall } from '../controller/api-call-log.js';
import { snapshotCertificates } from '../sources/certificate-material.js';
import { snapshotClientSecrets } from '../sources/client-secrets.js';
import { EventRecorder, kubeEventSink } from '../controller/event-recorder.js';
import { kubeIngressWriter, withoutStatus, type IngressWriter } from '../controller/ingress-writer.js';
import { KubeController } from '../controller/kube-controller.js';
import { defaultLeaderIdentity, kubeLeaseApi, LeaderElector, type LeaseTimings } from '../controller/leader-election.js';
import type { KubeConnection } from '../sources/kube-connection.js';
import { KubeClient } from '../sources/kube-http.js';
import { startAdmissionWebhook, type AdmissionWebhook, type AdmissionWebhookOptions } from '../controller/admission-webhook.js';
import type { KubeControllerOptions } from '../controller/kube-controller.js';

export interface KubeRunRequest {
  /** Where the Kubernetes API is and who we are to it (kube-config.ts). */
  connection: KubeConnection;
  /** A provider name or module specifier, or (tests, embedding) a factory. */
  provider: string | ((options: ProviderOptions) => Provider);
  providerSettings: ProviderOptions['settings'];
  translateOptions: () => TranslateOptions;
  logger: Logger;
  /** The controller's own namespace: where its Lease lives. */
  namespace: string;
  /** Undefined: no leader election (a single replica, or tests). */
  leaderElection?: Partial<LeaseTimings> & { identity?: string };
  watchNamespace?: string;
  concurrency: number;
  resyncMs: number;
  /** Each group's cloud state is read in full this often, staggered across groups (drift repair); default: no full resync. */
  fullResyncMs?: number;
  metricsAddress: string;
  healthAddress: string;
  /** For tests: writes to Ingresses go here instead of the API server. */
  writer?: IngressWriter;
  /** The admission webhook that adds readiness gates to Pods; undefined: not served. */
  webhook?: Pick<AdmissionWebhookOptions, 'address' | 'namespace' | 'serviceName' | 'configurationName' | 'recheckMs' | 'retryMs' | 'now'>;
  /** Readiness-gate timings (tests shorten them). */
  readinessGates?: KubeControllerOptions['readinessGates'];
  /** false: shadow mode, Ingress status is never written (`--publish-status=false`). Default true. */
  publishStatus?: boolean;
}

export interface KubeRunHandle {
  controller: KubeController;
  provider: Provider;
  metrics: ControllerMetrics;
  servers: ObservabilityServers;
  elector?: LeaderElector;
  webhook?: AdmissionWebhook;
  /** Finishes the reconcile in flight, releases the Lease, closes the provider and the servers. */
  stop(): Promise<void>;
}

export async function startKubeRun(request: KubeRunRequest): Promise<KubeRunHandle> {
  const { logger } = request;
  // One client, so every part shares one pool of connections to the API server.
  const client = new KubeClient(request.connection);
  const identity = request.leaderElection?.identity ?? defaultLeaderIdentity();
  const metrics = new ControllerMetrics();
  // eslint-disable-next-line prefer-const -- the provider's callbacks above reach the controller created after it, so it is declared first
  let controller: KubeController | undefined;
  const providerOptions: ProviderOptions = {
    clusterName: request.translateOptions().clusterName,
    certificates: snapshotCertificates(() => (controller as KubeController).snapshot),
    clientSecrets: snapshotClientSecrets(() => (controller as KubeController).snapshot),
    settings: request.providerSettings,
    onApiCall: (call) => {
      metrics.recordApiCall({ provider: provider.name, ...call });
      noteApiCall(call.service, call.action);
    },
  };
  const provider: Provider = typeof request.provider === 'string' ? await loadProvider(request.provider, providerOptions) : request.provider(providerOptions);
  let leading = request.leaderElection === undefined;
  const elector = request.leaderElection
    ? new LeaderElector({
        api: kubeLeaseApi(client),
        namespace: request.namespace,
        identity,
        logger,
        ...request.leaderElection,
        onStartedLeading: () => {
          leading = true;
          logger.info({ identity }, 'leading: reconciling');
          controller?.startedLeading();
        },
        onStoppedLeading: () => {
          leading = false;
          controller?.stoppedLeading();
          logger.warn({ identity }, 'lost leadership: all mutation stopped');
        },
      })
    : undefined;
  controller = new KubeController({
    client,
    provider,
    translateOptions: request.translateOptions,
    writer: request.publishStatus === false ? withoutStatus(request.writer ?? kubeIngressWriter(client)) : (request.writer ?? kubeIngressWriter(client)),
    events: new EventRecorder({ sink: kubeEventSink(client, identity), logger }),
    logger,
    metrics,
    isLeader: () => leading,
    ...(request.watchNamespace ? { watchNamespace: request.watchNamespace } : {}),
    concurrency: request.concurrency,
    resyncMs: request.resyncMs,
    ...(request.fullResyncMs !== undefined ? { fullResyncMs: request.fullResyncMs } : {}),
    ...(request.readinessGates ? { readinessGates: request.readinessGates } : {}),
  });
  metrics.observeLeadership(() => leading);
  const activeController = controller;
  const servers = await startObservabilityServers({
    metricsAddress: request.metricsAddress,
    healthAddress: request.healthAddress,
    metrics,
    liveness: [{ name: 'process', ok: () => true }],
    readiness: [
      { name: 'informers-synced', ok: () => activeController.synced() },
      { name: 'leadership-known', ok: () => elector?.leadershipKnown() ?? true },
    ],
  });
  await activeController.start();
  elector?.start();
  // After the informers synced: a webhook answering from a partial Snapshot would leave Pods ungated.
  const webhook = request.webhook
    ? await startAdmissionWebhook({ ...request.webhook, client, logger, mutate: (pod, namespace) => activeController.readinessGatePatch(pod, namespace) })
    : undefined;
  return {
    controller: activeController,
    provider,
    metrics,
    servers,
    ...(elector ? { elector } : {}),
    ...(webhook ? { webhook } : {}),
    async stop() {
      await webhook?.stop();
      await activeController.stop();
      elector?.stop();
      await elector?.release();
      await provider.close();
      await servers.close();
      client.close();
    },
  };
}
