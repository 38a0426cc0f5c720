/**
 * Keeps the webhook's certificates (webhook-certificate.ts) in a Secret of the controller's
 * namespace and the CA in the MutatingWebhookConfiguration's caBundle, on every replica:
 * - at start, and again when a renewal falls due (at the latest every `recheckMs`), read the Secret;
 *   use what it holds if it is sound, else issue what is missing and write it back;
 * - then make the configuration's caBundle (of each webhook that calls our Service) say our CAs.
 *
 * Replicas share one Secret. Each write carries the resourceVersion it read, so when two replicas
 * renew at once one wins and the other, answered 409, reads and uses the winner's. The Secret is of
 * type Opaque: the controller's informer reads only kubernetes.io/tls Secrets, so the CA's key
 * never enters the Snapshot. deploy/base ships the Secret empty, so RBAC can name it instead of
 * granting `create` on every Secret; a missing Secret is created when the role allows it.
 * @module
 */
import type { V1MutatingWebhookConfiguration, V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { httpCodeOf, type KubeClient } from '../sources/kube-http.js';
import { caBundle, renew, renewalDueAt, renewalNeeded, serviceDnsNames, type WebhookCertificates } from './webhook-certificate.js';
import type { JsonPatchOperation } from './pod-gates.js';

const HOUR_MS = 60 * 60 * 1000;
/** A caBundle that could not be written (the configuration not there yet, a conflict) is tried again this soon. */
const CA_BUNDLE_RETRY_MS = 30_000;
const KEYS = { caPem: 'ca.crt', caKeyPem: 'ca.key', certPem: 'tls.crt', keyPem: 'tls.key' } as const;

export interface WebhookTlsOptions {
  client: KubeClient;
  /** The controller's namespace: the Secret's and the webhook Service's. */
  namespace: string;
  serviceName: string;
  secretName: string;
  configurationName: string;
  logger: Logger;
  /** Told each time the serving certificate in use changes (the first time included). */
  onCertificate: (material: WebhookCertificates) => void;
  /** The longest wait between two reads of the Secret (default 1 hour): how soon a replica sees another's renewal. */
  recheckMs?: number;
  now?: () => Date;
}

function secretData(material: WebhookCertificates): Record<string, string> {
  return Object.fromEntries(Object.entries(KEYS).map(([field, key]) => [key, Buffer.from(material[field as keyof WebhookCertificates]).toString('base64')]));
}

export function materialOf(secret: V1Secret | undefined): WebhookCertificates | undefined {
  const data = secret?.data ?? {};
  const read = (key: string): string | undefined => (data[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);
  const [caPem, caKeyPem, certPem, keyPem] = [read(KEYS.caPem), read(KEYS.caKeyPem), read(KEYS.certPem), read(KEYS.keyPem)];
  return caPem && caKeyPem && certPem && keyPem ? { caPem, caKeyPem, certPem, keyPem } : undefined;
}

/** The patch that makes every webhook calling this Service carry the bundle; empty when they all do. */
function caBundlePatch(configuration: V1MutatingWebhookConfiguration, service: { namespace: string; name: string }, bundle: string): JsonPatchOperation[] {
  const encoded = Buffer.from(bundle).toString('base64');
  const operations: JsonPatchOperation[] = [];
  (configuration.webhooks ?? []).forEach((webhook, index) => {
    const target = webhook.clientConfig.service;
    if (target?.name !== service.name || target.namespace !== service.namespace || webhook.clientConfig.caBundle === encoded) return;
    operations.push({ op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: encoded });
  });
  const resourceVersion = configuration.metadata?.resourceVersion;
  return operations.length > 0 && resourceVersion ? [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }, ...operations] : operations;
}

export class WebhookTls {
  private readonly dnsNames: string[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: WebhookCertificates | undefined;
  private bundleWritten = false;

  constructor(private readonly options: WebhookTlsOptions) {
    this.dnsNames = serviceDnsNames(options.serviceName, options.namespace);
  }

  /** Certificates ready to serve, and the caBundle written (or its failure logged); then renews on schedule. */
  async start(): Promise<WebhookCertificates> {
    this.stopped = false;
    const material = await this.ensure();
    this.schedule(material);
    return material;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One round: the Secret read (and renewed if need be), the caBundle made to match. */
  async ensure(): Promise<WebhookCertificates> {
    const material = await this.ensureSecret();
    if (material.certPem !== this.current?.certPem) {
      this.current = material;
      this.options.onCertificate(material);
    }
    try {
      await this.ensureCaBundle(material);
      this.bundleWritten = true;
    } catch (error) {
      this.bundleWritten = false;
      this.options.logger.warn({ configuration: this.options.configurationName, err: error }, 'webhook caBundle not written; will retry');
    }
    return material;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private async ensureSecret(): Promise<WebhookCertificates> {
    const { client, namespace, secretName: name } = this.options;
    const secrets = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
    for (let attempt = 0; ; attempt += 1) {
      const secret = await client.get<V1Secret>(`${secrets}/${encodeURIComponent(name)}`).catch((error: unknown) => {
        if (httpCodeOf(error) === 404) return undefined;
        throw error;
      });
      const stored = materialOf(secret);
      const now = this.now();
      const renewal = renewalNeeded(stored, this.dnsNames, now);
      if (renewal === 'keep' && stored) return stored;
      const material = renew(stored, renewal, this.dnsNames, now);
      try {
        if (secret) {
          // The resourceVersion read comes back with the metadata: a replica that wrote meanwhile makes this a 409.
          const body = {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: secret.metadata,
            type: secret.type ?? 'Opaque',
            data: { ...secret.data, ...secretData(material) },
          };
          await client.replace(`${secrets}/${encodeURIComponent(name)}`, body);
        } else {
          await client.create(secrets, {
            metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'ingress-bridge' } },
            type: 'Opaque',
            data: secretData(material),
          });
        }
        this.options.logger.info({ secret: `${namespace}/${name}`, renewed: renewal }, 'webhook certificate issued');
        return material;
      } catch (error) {
        // Another replica wrote first: read again and use its certificates.
        const conflict = httpCodeOf(error) === 409;
        if (!conflict || attempt >= 3) throw error;
      }
    }
  }

  private async ensureCaBundle(material: WebhookCertificates): Promise<void> {
    const name = this.options.configurationName;
    const path = `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${encodeURIComponent(name)}`;
    const configuration = await this.options.client.get<V1MutatingWebhookConfiguration>(path);
    const patch = caBundlePatch(configuration, { namespace: this.options.namespace, name: this.options.serviceName }, caBundle(material, this.now()));
    if (patch.length === 0) return;
    await this.options.client.patch(path, 'json', patch);
    this.options.logger.info({ configuration: name }, 'webhook caBundle written');
  }

  private schedule(material: WebhookCertificates): void {
    if (this.stopped) return;
    const untilDue = renewalDueAt(material).getTime() - this.now().getTime();
    const delay = Math.max(1000, Math.min(untilDue, this.options.recheckMs ?? HOUR_MS, this.bundleWritten ? Infinity : CA_BUNDLE_RETRY_MS));
    this.timer = setTimeout(() => {
      this.ensure()
        .then((next) => this.schedule(next))
        .catch((error: unknown) => {
          this.options.logger.warn(
            { secret: `${this.options.namespace}/${this.options.secretName}`, err: error },
            'webhook certificate check failed; will retry',
          );
          this.schedule(material);
        });
    }, delay);
    this.timer.unref();
  }
}
