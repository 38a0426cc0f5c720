/**
 * Ingresses as an ingress-nginx estate writes them, for the nginx reader's tests.
 * @module
 */
import { NODE_YAML, serviceYaml } from '../../support/cluster.js';

export const NGINX = 'nginx.ingress.kubernetes.io/';

export const NGINX_CLASS_YAML = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
`;

export const BASE_YAML = NODE_YAML + ['main', 'canary', 'other'].map((name) => serviceYaml({ name })).join('');

export interface NginxIngressFixture {
  name: string;
  host?: string;
  paths?: { path: string; pathType?: string; service: string }[];
  /** Keys without the nginx prefix, unless they contain a `/`. */
  annotations?: Record<string, string>;
  className?: string | null;
  tls?: string;
}

export function nginxIngressYaml(fixture: NginxIngressFixture): string {
  const annotations = Object.entries(fixture.annotations ?? {})
    .map(([key, value]) => `    ${key.includes('/') ? key : `${NGINX}${key}`}: ${JSON.stringify(value)}\n`)
    .join('');
  const host = fixture.host ?? 'app.test';
  const paths = fixture.paths ?? [{ path: '/', pathType: 'Prefix', service: 'main' }];
  const className = fixture.className === undefined ? 'nginx' : fixture.className;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${fixture.name}
  namespace: default
${annotations ? `  annotations:\n${annotations}` : ''}spec:
${className === null ? '' : `  ingressClassName: ${className}\n`}${fixture.tls ? `  tls: [{hosts: [${host}], secretName: ${fixture.tls}}]\n` : ''}  rules:
  - host: ${host}
    http:
      paths:
${paths
  .map(
    (entry) =>
      `      - path: ${JSON.stringify(entry.path)}\n        pathType: ${entry.pathType ?? 'ImplementationSpecific'}\n        backend: {service: {name: ${entry.service}, port: {number: 80}}}\n`,
  )
  .join('')}---
`;
}
