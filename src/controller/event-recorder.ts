/**
 * Kubernetes Events on Ingresses: Normal for a change that was applied, Warning for each diagnostic
 * and failure. The same event for the same object is sent once, and again only after `repeatAfterMs`
 * while it persists, so a resync of a broken Ingress does not flood the API server.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { IngressRef } from '../model.js';
import type { KubeClient } from '../sources/kube-http.js';
import { kubernetesTime } from '../sources/kube-objects.js';
import type { Logger } from '../observability/logger.js';

export type EventType = 'Normal' | 'Warning';

export interface IngressEvent {
  ingress: IngressRef;
  /** The event is about a Gateway API object of this kind, named by `ingress`'s namespace and name; absent: an Ingress. */
  involvedKind?: 'Gateway' | 'HTTPRoute' | 'GRPCRoute';
  type: EventType;
  /** CamelCase, e.g. `SuccessfullyReconciled`, `InvalidIngress`, `FailedReconcile`. */
  reason: string;
  message: string;
}

export type EventSink = (event: IngressEvent & { uid?: string }) => Promise<void>;

export interface EventRecorderOptions {
  sink: EventSink;
  logger: Logger;
  repeatAfterMs?: number;
  now?: () => number;
}

const MAX_MESSAGE = 1024;

export class EventRecorder {
  private readonly sent = new Map<string, number>();

  constructor(private readonly options: EventRecorderOptions) {}

  /** Sends the event unless the same one went out recently; failures are logged, never thrown. */
  async record(event: IngressEvent, uid?: string): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const key = JSON.stringify([event.ingress.namespace, event.ingress.name, event.type, event.reason, event.message]);
    const last = this.sent.get(key);
    if (last !== undefined && now - last < (this.options.repeatAfterMs ?? 10 * 60_000)) return;
    this.sent.set(key, now);
    const message = event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message;
    try {
      await this.options.sink({ ...event, message, ...(uid ? { uid } : {}) });
    } catch (error) {
      this.sent.delete(key);
      this.options.logger.warn({ ingress: `${event.ingress.namespace}/${event.ingress.name}`, reason: event.reason, err: error }, 'could not record event');
    }
  }

  /** Forgets an Ingress's events (it was deleted), so the map does not grow without bound. */
  forget(ingress: IngressRef): void {
    const prefix = JSON.stringify([ingress.namespace, ingress.name]).slice(0, -1);
    for (const key of this.sent.keys()) if (key.startsWith(prefix)) this.sent.delete(key);
  }
}

/** Sends core/v1 Events, the kind `kubectl describe ingress` shows. */
export function kubeEventSink(client: KubeClient, instance: string): EventSink {
  return async (event) => {
    const now = kubernetesTime(new Date());
    const body: Omit<CoreV1Event, 'firstTimestamp' | 'lastTimestamp'> & { firstTimestamp: string; lastTimestamp: string } = {
      metadata: { name: `${event.ingress.name}.${randomBytes(8).toString('hex')}`, namespace: event.ingress.namespace },
      involvedObject: {
        apiVersion: event.involvedKind ? 'gateway.networking.k8s.io/v1' : 'networking.k8s.io/v1',
        kind: event.involvedKind ?? 'Ingress',
        namespace: event.ingress.namespace,
        name: event.ingress.name,
        ...(event.uid ? { uid: event.uid } : {}),
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'ingress-bridge' },
      reportingComponent: 'ingress-bridge.io/controller',
      reportingInstance: instance,
    };
    await client.create(`/api/v1/namespaces/${encodeURIComponent(event.ingress.namespace)}/events`, body);
  };
}
