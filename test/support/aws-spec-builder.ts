/**
 * Small LoadBalancerSpecs for the AWS provider's certificate, subnet and security-group tests: one
 * stack, HTTP 80 and HTTPS 443 listeners, and whatever certificates and target groups a test gives.
 * @module
 */
import { DEFAULT_HEALTH_CHECK } from '../../src/translate/backends.js';
import type { CertificateSpec, HealthCheckSpec, LoadBalancerSpec, Target, TargetGroupSpec, TargetType } from '../../src/model.js';

export const CLUSTER = 'test';

const healthCheck: HealthCheckSpec = { ...DEFAULT_HEALTH_CHECK };

export function secretCertificate(namespace: string, name: string, fingerprint: string, hosts: string[] = ['www.example.com']): CertificateSpec {
  return { key: `secret:${namespace}/${name}`, source: { kind: 'secret', namespace, name }, hosts, fingerprint };
}

export function discoverCertificate(hosts: string[]): CertificateSpec {
  return { key: `discover:${hosts.join(',')}`, source: { kind: 'discover' }, hosts };
}

export function targetGroup(options: { service: string; targetType: TargetType; targets: Target[]; healthCheckPort?: number }): TargetGroupSpec {
  return {
    key: `default/${options.service}:80/${options.targetType}`,
    name: `k8s-${options.service}-${options.targetType}`,
    service: { namespace: 'default', name: options.service, port: 80 },
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    port: options.targets[0]?.port ?? 80,
    targetType: options.targetType,
    healthCheck: { ...healthCheck, port: options.healthCheckPort ?? 'traffic-port' },
    attributes: {},
    tags: {},
    targets: options.targets,
  };
}

export function stackSpec(stackId: string, overrides: Partial<LoadBalancerSpec> = {}): LoadBalancerSpec {
  const certificates = overrides.certificates ?? [];
  const [firstTargetGroup] = overrides.targetGroups ?? [];
  const defaultAction: LoadBalancerSpec['listeners'][number]['defaultAction'] = firstTargetGroup
    ? { type: 'forward', targetGroups: [{ targetGroupKey: firstTargetGroup.key, weight: 1 }] }
    : { type: 'fixed-response', statusCode: '404' };
  return {
    stack: {
      id: stackId,
      name: `k8s-${stackId.replace(/\W/g, '')}`.slice(0, 32),
      members: [{ namespace: 'default', name: stackId.split('/').at(-1) ?? stackId }],
    },
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    attributes: {},
    tags: {},
    listeners: [
      { port: 80, protocol: 'HTTP', certificateKeys: [], defaultAction, rules: [] },
      ...(certificates.length > 0
        ? [{ port: 443, protocol: 'HTTPS' as const, certificateKeys: certificates.map((certificate) => certificate.key), defaultAction, rules: [] }]
        : []),
    ],
    targetGroups: [],
    certificates,
    ...overrides,
  };
}
