/**
 * The Ingresses the nginx reader reads beside one Ingress: those of an nginx class in its namespace
 * (a canary's main, a main's canaries) and, in every namespace, those whose rewrite-target or
 * use-regex turns a host's paths into regexes. A cheap filter on annotations comes first, so a
 * large estate does not resolve every Ingress's class for each one.
 * @module
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { resolveIngressClass, type ClassOptions } from '../ingress-class.js';
import { NGINX_PREFIX } from './keys.js';

export function nginxSiblings(
  ingress: V1Ingress,
  scope: { ingressClasses(): V1IngressClass[]; ingresses?(): V1Ingress[] },
  options: ClassOptions,
): V1Ingress[] {
  const all = scope.ingresses?.() ?? [];
  const namespace = ingress.metadata?.namespace;
  const classes = scope.ingressClasses();
  return all.filter((other) => {
    if (other === ingress || other.metadata?.deletionTimestamp) return false;
    const annotations = other.metadata?.annotations ?? {};
    const relevant = other.metadata?.namespace === namespace || `${NGINX_PREFIX}rewrite-target` in annotations || `${NGINX_PREFIX}use-regex` in annotations;
    return relevant && resolveIngressClass(other, classes, options).reader === 'nginx';
  });
}
