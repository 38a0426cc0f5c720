/**
 * Writes to Ingresses: the load balancer address into status, and our finalizer into metadata. Each
 * write happens only when it changes something, carries the resourceVersion it was computed from
 * (a stale one gets 409 and the reconcile runs again), and uses a merge patch.
 * @module
 */
import type { V1Ingress, V1IngressLoadBalancerIngress } from '@kubernetes/client-node';
import type { LoadBalancerAddress } from '../provider.js';
import type { KubeClient } from '../sources/kube-http.js';

export const FINALIZER = 'ingress-bridge.io/finalizer';

/** The status entries an address becomes; none for no address. */
function statusEntries(address: LoadBalancerAddress | undefined): V1IngressLoadBalancerIngress[] {
  if (address?.hostname) return [{ hostname: address.hostname.toLowerCase() }];
  if (address?.ip) return [{ ip: address.ip }];
  return [];
}

function sameEntries(a: readonly V1IngressLoadBalancerIngress[], b: readonly V1IngressLoadBalancerIngress[]): boolean {
  const key = (entries: readonly V1IngressLoadBalancerIngress[]): string => JSON.stringify(entries.map((entry) => [entry.hostname ?? '', entry.ip ?? '']));
  return key(a) === key(b);
}

export function hasFinalizer(ingress: V1Ingress): boolean {
  return ingress.metadata?.finalizers?.includes(FINALIZER) ?? false;
}

export interface IngressWriter {
  /** Writes the address unless the status already says it; returns whether it wrote. */
  setAddress(ingress: V1Ingress, address: LoadBalancerAddress | undefined): Promise<boolean>;
  addFinalizer(ingress: V1Ingress): Promise<boolean>;
  removeFinalizer(ingress: V1Ingress): Promise<boolean>;
}

/**
 * Shadow mode (`--publish-status=false`): Ingresses are served, and their finalizers kept, but their
 * status is never written, so the address another controller (ingress-nginx) published stays until
 * the cutover.
 */
export function withoutStatus(writer: IngressWriter): IngressWriter {
  return {
    setAddress: () => Promise.resolve(false),
    addFinalizer: (ingress) => writer.addFinalizer(ingress),
    removeFinalizer: (ingress) => writer.removeFinalizer(ingress),
  };
}

export function kubeIngressWriter(client: KubeClient): IngressWriter {
  const pathOf = (ingress: V1Ingress): string =>
    `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ingress.metadata?.namespace ?? 'default')}/ingresses/${encodeURIComponent(ingress.metadata?.name ?? '')}`;
  const patchFinalizers = async (ingress: V1Ingress, finalizers: string[]): Promise<void> => {
    const body = { metadata: { finalizers, resourceVersion: ingress.metadata?.resourceVersion } };
    await client.patch(pathOf(ingress), 'merge', body);
  };
  return {
    async setAddress(ingress, address) {
      const wanted = statusEntries(address);
      if (sameEntries(ingress.status?.loadBalancer?.ingress ?? [], wanted)) return false;
      // No resourceVersion precondition: the status is ours alone and computed from the load balancer, not from the Ingress.
      const body = { status: { loadBalancer: { ingress: wanted } } };
      await client.patch(`${pathOf(ingress)}/status`, 'merge', body);
      return true;
    },
    async addFinalizer(ingress) {
      if (hasFinalizer(ingress)) return false;
      await patchFinalizers(ingress, [...(ingress.metadata?.finalizers ?? []), FINALIZER]);
      return true;
    },
    async removeFinalizer(ingress) {
      if (!hasFinalizer(ingress)) return false;
      await patchFinalizers(
        ingress,
        (ingress.metadata?.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER),
      );
      return true;
    },
  };
}
