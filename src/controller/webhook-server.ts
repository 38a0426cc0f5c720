/**
 * The mutating admission webhook the API server calls when a Pod is created: HTTPS (the API server
 * calls webhooks over TLS only, trusting the configuration's caBundle), admission.k8s.io/v1
 * AdmissionReview in, AdmissionReview out with a base64 JSONPatch that adds the Pod's target-health
 * readiness gates (pod-gate-injection.ts decides which).
 *
 * It never refuses a Pod: an answer it cannot compute is "allowed, unchanged", so a problem here
 * costs a rollout its gate, never the Pod. The deployed configuration says the same with
 * failurePolicy Ignore. The serving certificate can be swapped while serving (webhook-tls.ts rotates
 * it); new connections get the new one.
 * @module
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { parseListenAddress } from '../observability/health.js';
import type { JsonPatchOperation } from './pod-gates.js';

export const MUTATE_POD_PATH = '/mutate-v1-pod';

/** An AdmissionReview's body is a whole Pod: generous, but bounded. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** What to add to a Pod being created in a namespace. */
export type PodMutation = (pod: V1Pod, namespace: string) => JsonPatchOperation[];

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

interface AdmissionRequest {
  uid?: unknown;
  namespace?: unknown;
  operation?: unknown;
  resource?: { group?: unknown; resource?: unknown };
  object?: unknown;
}

export interface AdmissionAnswer {
  status: number;
  body: unknown;
}

/**
 * The answer to one AdmissionReview: 400 for a body that is not one; otherwise allowed, with the
 * patch when there is something to add. A failing decision is logged and answered without a patch.
 */
export function answerAdmissionReview(review: unknown, mutate: PodMutation, logger: Pick<Logger, 'warn'>): AdmissionAnswer {
  const request =
    isRecord(review) && review.apiVersion === 'admission.k8s.io/v1' && review.kind === 'AdmissionReview' && isRecord(review.request)
      ? (review.request as AdmissionRequest)
      : undefined;
  if (!request || typeof request.uid !== 'string')
    return { status: 400, body: { message: 'expected an admission.k8s.io/v1 AdmissionReview with a request uid' } };
  const allow = (patch: JsonPatchOperation[]) => ({
    status: 200,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: request.uid,
        allowed: true,
        ...(patch.length > 0 ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : {}),
      },
    },
  });
  const isPodCreate = request.operation === 'CREATE' && request.resource?.group === '' && request.resource.resource === 'pods' && isRecord(request.object);
  if (!isPodCreate) return allow([]);
  const pod = request.object as V1Pod;
  const namespace = typeof request.namespace === 'string' ? request.namespace : (pod.metadata?.namespace ?? '');
  try {
    return allow(mutate(pod, namespace));
  } catch (error) {
    logger.warn({ namespace, pod: pod.metadata?.name ?? pod.metadata?.generateName, err: error }, 'readiness gates not added: the decision failed');
    return allow([]);
  }
}

export interface WebhookServer {
  /** The port bound (an address with port 0 gets one from the system). */
  port(): number;
  setCertificate(certificate: ServingCertificate): void;
  close(): Promise<void>;
}

export async function startWebhookServer(options: {
  address: string;
  certificate: ServingCertificate;
  mutate: PodMutation;
  logger: Logger;
}): Promise<WebhookServer> {
  const at = parseListenAddress(options.address);
  if (!at) throw new Error(`webhook address "${options.address}" is not host:port, :port or [ipv6]:port`);
  const server: Server = createServer({ cert: options.certificate.certPem, key: options.certificate.keyPem, minVersion: 'TLSv1.2' }, (request, response) => {
    const path = new URL(request.url ?? '/', 'https://localhost').pathname;
    if (path !== MUTATE_POD_PATH) return void response.writeHead(404).end();
    if (request.method !== 'POST') return void response.writeHead(405, { Allow: 'POST' }).end();
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end();
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) return;
      let review: unknown;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        review = undefined;
      }
      const answer = answerAdmissionReview(review, options.mutate, options.logger);
      response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  // The API server keeps connections open; a slow or idle client must not hold one for ever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: () => (server.address() as AddressInfo).port,
    setCertificate: (certificate) => server.setSecureContext({ cert: certificate.certPem, key: certificate.keyPem, minVersion: 'TLSv1.2' }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
