/**
 * The Ingresses the nginx reader reads beside one Ingress: the other Ingresses of an nginx class in
 * its namespace (a canary's main, a main's canaries, the host's other paths) and, in every namespace,
 * those whose rewrite-target or use-regex turns a host's paths into regexes. Indexed once per
 * translation of the estate, so that reading each Ingress does not resolve every other one's class
 * again (a thousand Ingresses would otherwise cost a million resolutions per reconcile).
 * @module
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { resolveIngressClass, type ClassOptions } from '../ingress-class.js';
import { NGINX_PREFIX } from './keys.js';

export interface NginxScope {
  ingressClasses(): V1IngressClass[];
  ingresses?(): V1Ingress[];
}

interface Index {
  byNamespace: Map<string, V1Ingress[]>;
  /** Ingresses whose annotations make their hosts' paths regexes. */
  regex: V1Ingress[];
}

export class NginxEstate {
  private index: Index | undefined;

  constructor(
    private readonly scope: NginxScope,
    private readonly options: ClassOptions,
  ) {}

  siblings(ingress: V1Ingress): V1Ingress[] {
    this.index ??= this.build();
    const namespace = ingress.metadata?.namespace ?? 'default';
    const own = this.index.byNamespace.get(namespace) ?? [];
    const elsewhere = this.index.regex.filter((other) => (other.metadata?.namespace ?? 'default') !== namespace);
    return [...own, ...elsewhere].filter((other) => other !== ingress);
  }

  private build(): Index {
    const classes = this.scope.ingressClasses();
    const index: Index = { byNamespace: new Map(), regex: [] };
    for (const ingress of this.scope.ingresses?.() ?? []) {
      if (ingress.metadata?.deletionTimestamp || resolveIngressClass(ingress, classes, this.options).reader !== 'nginx') continue;
      const namespace = ingress.metadata?.namespace ?? 'default';
      index.byNamespace.set(namespace, [...(index.byNamespace.get(namespace) ?? []), ingress]);
      const annotations = ingress.metadata?.annotations ?? {};
      if (`${NGINX_PREFIX}rewrite-target` in annotations || `${NGINX_PREFIX}use-regex` in annotations) index.regex.push(ingress);
    }
    return index;
  }
}
