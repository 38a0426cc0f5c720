/**
 * How the load balancer reaches the backends of an nginx-class Ingress: ip targets (ingress-nginx
 * proxies to the Pods), `backend-protocol`, and `proxy-read-timeout` / `proxy-send-timeout` as the
 * load balancer's idle timeout.
 * @module
 */
import { OWN_PREFIX } from '../annotation-types.js';
import type { NginxAnnotationReader } from './reader.js';

/** ingress-nginx proxies to the Pods, and its Services are mostly ClusterIP (no nodePort): ip targets, unless the Ingress says otherwise. */
export function defaultToIpTargets(reader: NginxAnnotationReader): void {
  if (reader.writtenOwn('target-type') === undefined) reader.own[`${OWN_PREFIX}target-type`] = 'ip';
}

export function readBackendProtocol(reader: NginxAnnotationReader): void {
  const protocol = reader.use('backend-protocol')?.trim().toUpperCase();
  if (protocol === 'HTTPS' || protocol === 'GRPCS') reader.setOwn('backend-protocol', 'HTTPS', 'backend-protocol');
  if (protocol === 'GRPC' || protocol === 'GRPCS') reader.setOwn('backend-protocol-version', 'GRPC', 'backend-protocol');
  if (protocol !== undefined && !['HTTP', 'HTTPS', 'GRPC', 'GRPCS'].includes(protocol))
    reader.invalid('backend-protocol', 'the load balancer speaks HTTP, HTTPS and gRPC to targets; AJP and FastCGI backends cannot be served');
}

/** proxy-read-timeout and proxy-send-timeout → the load balancer's idle timeout (one per load balancer: the longer). */
export function readIdleTimeout(reader: NginxAnnotationReader): void {
  const read = reader.use('proxy-read-timeout');
  const send = reader.use('proxy-send-timeout');
  const seconds: number[] = [];
  for (const [key, raw] of [
    ['proxy-read-timeout', read],
    ['proxy-send-timeout', send],
  ] as const) {
    if (raw === undefined) continue;
    const value = Number(raw.trim().replace(/s$/, ''));
    if (!Number.isInteger(value) || value < 1 || value > 4000) reader.invalid(key, 'expected seconds from 1 to 4000 (the load balancer idle timeout range)');
    else seconds.push(value);
  }
  if (seconds.length === 0) return;
  const idle = Math.max(...seconds);
  reader.setOwn('load-balancer-attributes', `idle_timeout.timeout_seconds=${idle}`, read !== undefined ? 'proxy-read-timeout' : 'proxy-send-timeout');
}
