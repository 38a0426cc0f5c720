/**
 * The admission webhook as `run` starts it: certificates from webhook-tls.ts, then the HTTPS server
 * of webhook-server.ts with them, swapped in place when they are renewed. Every replica serves it
 * (the webhook Service sends to any ready one), so each keeps the certificates in step itself.
 *
 * Certificates that cannot be had at start (the Secret not readable yet, the API server briefly
 * away) do not stop the controller: reconciling load balancers is its job, the webhook a help to
 * rollouts that the API server skips while it is down (failurePolicy Ignore). It is tried again every
 * `retryMs` until it serves.
 * @module
 */
import type { Logger } from '../observability/logger.js';
import type { KubeClient } from '../sources/kube-http.js';
import { startWebhookServer, type PodMutation, type WebhookServer } from './webhook-server.js';
import { WebhookTls } from './webhook-tls.js';

export interface AdmissionWebhookOptions {
  client: KubeClient;
  /** `host:port` the HTTPS server binds. */
  address: string;
  /** Where the webhook Service and its certificate Secret live (the controller's namespace). */
  namespace: string;
  serviceName: string;
  configurationName: string;
  mutate: PodMutation;
  logger: Logger;
  /** Tries again this long after certificates could not be had (default 30 s). */
  retryMs?: number;
  /** The longest wait between two reads of the certificate Secret (default 1 hour). */
  recheckMs?: number;
  now?: () => Date;
}

export interface AdmissionWebhook {
  /** The port served on; undefined until the certificates are ready. */
  port(): number | undefined;
  stop(): Promise<void>;
}

/** The Secret that holds the webhook's certificates: named after its Service. */
export function webhookSecretName(serviceName: string): string {
  return `${serviceName}-tls`;
}

export async function startAdmissionWebhook(options: AdmissionWebhookOptions): Promise<AdmissionWebhook> {
  let server: WebhookServer | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const tls = new WebhookTls({
    client: options.client,
    namespace: options.namespace,
    serviceName: options.serviceName,
    secretName: webhookSecretName(options.serviceName),
    configurationName: options.configurationName,
    logger: options.logger,
    onCertificate: (material) => server?.setCertificate(material),
    ...(options.recheckMs !== undefined && { recheckMs: options.recheckMs }),
    ...(options.now && { now: options.now }),
  });
  const attempt = async (): Promise<void> => {
    try {
      const material = await tls.start();
      if (stopped) {
        tls.stop();
        return;
      }
      server = await startWebhookServer({ address: options.address, certificate: material, mutate: options.mutate, logger: options.logger });
      options.logger.info({ address: options.address, port: server.port() }, 'admission webhook serving');
    } catch (error) {
      tls.stop();
      options.logger.error(
        { err: error, retryInMs: options.retryMs ?? 30_000 },
        'admission webhook not serving: no certificates yet; Pods get no readiness gates meanwhile',
      );
      if (stopped) return;
      retry = setTimeout(() => void attempt(), options.retryMs ?? 30_000);
      retry.unref();
    }
  };
  await attempt();
  return {
    port: () => server?.port(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      tls.stop();
      await server?.close();
    },
  };
}
