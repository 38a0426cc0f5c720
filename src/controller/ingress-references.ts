/**
 * What one Ingress ties together: the group it belongs to and the Services and Secrets translate
 * will read for it. The group key comes from translate's own classifyIngress, so a change is routed
 * to the load balancer translate will put the Ingress on. Pure.
 * @module
 */
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import { classifyIngress, type ClassScope } from '../translate/groups.js';
import { resolveIngressClass, type ClassOptions } from '../translate/ingress-class.js';
import { NGINX_PREFIX } from '../translate/nginx/keys.js';
import { objectKey } from '../sources/snapshot.js';

export interface IngressReferences {
  /** Undefined when the Ingress is not ours, or its annotations are invalid (translate rejects it). */
  groupKey?: string;
  /** `namespace/name` of every Service a backend, the default backend or a forward action names. */
  services: string[];
  /** `namespace/name` of every Secret spec.tls or auth-idp-oidc names (a rotated client secret must reach the load balancer). */
  secrets: string[];
  /** The hosts of its rules, lower-cased ('' for a rule without one), when the nginx reader reads it: another Ingress's regex may turn their paths into regexes. */
  nginxHosts: string[];
  /**
   * Whether it has rewrite-target or use-regex, which ingress-nginx applies to every path of its
   * hosts, in every Ingress: a change to it changes how the other Ingresses of those hosts read.
   * Decided as NginxEstate decides which Ingresses to pass the reader, so the two agree.
   */
  nginxRegex: boolean;
}

/** The port name that sends a backend to its `actions.<service name>` annotation instead of a Service. */
const USE_ANNOTATION = 'use-annotation';

export function ingressReferences(ingress: V1Ingress, scope: ClassScope, options: ClassOptions): IngressReferences {
  const nginx = nginxHosts(ingress, scope, options);
  const classified = classifyIngress(ingress, scope, options);
  if (classified.kind !== 'member') return { services: [], secrets: [], ...nginx };
  const { ref, annotations } = classified.member;

  // A member being deleted keeps its key: its group must be reconciled to let it go.
  const services = new Set<string>();
  const addBackend = (backend: V1IngressBackend | undefined): void => {
    const service = backend?.service;
    if (service?.name && service.port?.name !== USE_ANNOTATION) services.add(objectKey(ref.namespace, service.name));
  };
  addBackend(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) addBackend(path.backend);
  }
  for (const action of annotations.actions.values()) {
    if (action.type !== 'forward') continue;
    for (const backend of action.backends) if ('serviceName' in backend) services.add(objectKey(ref.namespace, backend.serviceName));
  }
  const secrets = new Set<string>();
  for (const entry of ingress.spec?.tls ?? []) {
    if (entry.secretName) secrets.add(objectKey(ref.namespace, entry.secretName));
  }
  const oidcSecret = annotations.auth.oidc?.secretName;
  if (oidcSecret) secrets.add(objectKey(ref.namespace, oidcSecret));
  return { groupKey: classified.key, services: [...services], secrets: [...secrets], ...nginx };
}

/** Whatever its classification: a rejected Ingress's regex still applies to its hosts (the reader reads every nginx-class Ingress). */
function nginxHosts(ingress: V1Ingress, scope: ClassScope, options: ClassOptions): Pick<IngressReferences, 'nginxHosts' | 'nginxRegex'> {
  if (resolveIngressClass(ingress, scope.ingressClasses(), options).reader !== 'nginx') return { nginxHosts: [], nginxRegex: false };
  const hosts = new Set((ingress.spec?.rules ?? []).map((rule) => (rule.host ?? '').toLowerCase()));
  const annotations = ingress.metadata?.annotations ?? {};
  // Being deleted, it has left the estate the reader sees (siblings.ts), so its regex no longer applies.
  const regex = !ingress.metadata?.deletionTimestamp && (`${NGINX_PREFIX}rewrite-target` in annotations || `${NGINX_PREFIX}use-regex` in annotations);
  return { nginxHosts: [...hosts], nginxRegex: regex };
}
