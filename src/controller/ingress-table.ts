/**
 * The Ingresses with the address of the load balancer serving them, printed like
 * `kubectl get ingress -A`, for runs without a cluster to write status to.
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { LoadBalancerAddress } from '../provider.js';
import { LEGACY_CLASS_ANNOTATION } from '../translate/ingress-class.js';

export interface IngressRow {
  namespace: string;
  name: string;
  className: string;
  hosts: string;
  address: string;
  ports: string;
}

/**
 * `ports`: the ports its load balancer serves here (the local provider serves the spec's 80 on
 * --http-port), empty when none is; without them (an Ingress left out), the ports kubectl would
 * show: 80, and 443 when the Ingress has TLS.
 */
export function ingressRow(ingress: V1Ingress, address: LoadBalancerAddress | undefined, ports?: readonly number[]): IngressRow {
  const hosts = [...new Set((ingress.spec?.rules ?? []).map((rule) => rule.host).filter((host): host is string => Boolean(host)))];
  return {
    namespace: ingress.metadata?.namespace ?? 'default',
    name: ingress.metadata?.name ?? '',
    className: ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] ?? '<none>',
    hosts: hosts.length > 0 ? hosts.join(',') : '*',
    address: address?.hostname ?? address?.ip ?? '',
    ports: ports ? [...new Set(ports)].sort((a, b) => a - b).join(', ') : ingress.spec?.tls?.length ? '80, 443' : '80',
  };
}

export function renderIngressTable(rows: readonly IngressRow[]): string {
  const header: IngressRow = { namespace: 'NAMESPACE', name: 'NAME', className: 'CLASS', hosts: 'HOSTS', address: 'ADDRESS', ports: 'PORTS' };
  const columns: (keyof IngressRow)[] = ['namespace', 'name', 'className', 'hosts', 'address', 'ports'];
  const all = [header, ...rows];
  const widths = columns.map((column) => Math.max(...all.map((row) => row[column].length)));
  return (
    all
      .map((row) =>
        columns
          .map((column, index) => row[column].padEnd(widths[index] ?? 0))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
