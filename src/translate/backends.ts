/**
 * A Service backend (name + port number or name) → the target group that serves it. Target-group
 * settings come from the Ingress's annotations, overridden by the Service's own.
 * @module
 */
import type { V1Endpoint, V1EndpointSlice, V1Ingress, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { Diagnostic, HealthCheckSpec, Target, TargetGroupSpec, TargetType } from '../model.js';
import type { SnapshotView } from '../sources/snapshot.js';
import type { TargetGroupAnnotations } from './annotation-types.js';
import { parseSuccessCodes } from './annotation-values.js';
import { parseServiceAnnotations } from './annotations.js';
import { annotationField, diagnostic, ingressDiagnostic, objectRef } from './diagnostics.js';
import { targetGroupName } from './naming.js';
import { awaitsOnlyTargetHealth } from './readiness-gates.js';
import { endpointPortNamed, instanceTargets, ipTargets, trustedSlices } from './targets.js';

export interface BackendContext {
  /** The Ingress whose backend this is: a problem with the Service's endpoints is named on it. */
  ingress?: V1Ingress;
  snapshot: SnapshotView;
  clusterName: string;
  stackId: string;
  namespace: string;
  defaultTargetType: TargetType;
  ingressSettings: TargetGroupAnnotations;
}

export interface ServiceBackend {
  name: string;
  port: number | string;
}

export type BackendResolution =
  | { ok: true; targetGroup: TargetGroupSpec; diagnostics: Diagnostic[] }
  /** The backend cannot be served; `message` says why, `culprit` which half of the reference (the caller names the field). */
  | { ok: false; culprit: 'service' | 'port'; message: string; diagnostics: Diagnostic[] };

function findServicePort(service: V1Service, port: number | string): V1ServicePort | undefined {
  return service.spec?.ports?.find((candidate) => (typeof port === 'number' ? candidate.port === port : candidate.name === port));
}

function describePorts(service: V1Service): string {
  const ports = (service.spec?.ports ?? []).map((candidate) => (candidate.name ? `${candidate.name} (${candidate.port})` : `${candidate.port}`));
  return ports.length > 0 ? ports.join(', ') : 'none';
}

/** Service settings win over the Ingress's; tags are merged, the Service's winning. */
function mergeSettings(ingress: TargetGroupAnnotations, service: TargetGroupAnnotations): TargetGroupAnnotations {
  return {
    targetType: service.targetType ?? ingress.targetType,
    backendProtocol: service.backendProtocol ?? ingress.backendProtocol,
    backendProtocolVersion: service.backendProtocolVersion ?? ingress.backendProtocolVersion,
    healthCheck: { ...ingress.healthCheck, ...service.healthCheck },
    targetGroupAttributes: { ...ingress.targetGroupAttributes, ...service.targetGroupAttributes },
    tags: { ...ingress.tags, ...service.tags },
    ...((service.targetNodeLabels ?? ingress.targetNodeLabels) && { targetNodeLabels: service.targetNodeLabels ?? ingress.targetNodeLabels }),
  };
}

export function resolveServiceBackend(context: BackendContext, backend: ServiceBackend): BackendResolution {
  const { snapshot, namespace } = context;
  const service = snapshot.service(namespace, backend.name);
  if (!service) return { ok: false, culprit: 'service', message: `Service ${namespace}/${backend.name} does not exist`, diagnostics: [] };
  if (service.spec?.type === 'ExternalName') {
    return {
      ok: false,
      culprit: 'service',
      message: `Service ${namespace}/${backend.name} is of type ExternalName, which has no endpoints or node ports`,
      diagnostics: [],
    };
  }
  const servicePort = findServicePort(service, backend.port);
  if (!servicePort) {
    return {
      ok: false,
      culprit: 'port',
      message: `Service ${namespace}/${backend.name} has no port ${typeof backend.port === 'number' ? backend.port : `named "${backend.port}"`} (its ports: ${describePorts(service)})`,
      diagnostics: [],
    };
  }
  const parsed = parseServiceAnnotations(service.metadata?.annotations, objectRef('Service', service));
  const settings = mergeSettings(context.ingressSettings, parsed.value);
  const targetType = settings.targetType ?? context.defaultTargetType;
  const trust = trustedSlices(snapshot.endpointSlicesOf(namespace, backend.name), namespace);
  const slices = trust.trusted;
  // Instance targets are Nodes: the slices' addresses are not used, so distrust of them is not worth a warning.
  const sliceDiagnostics =
    targetType === 'ip'
      ? trust.ignored.map(({ slice, reason }) =>
          untrustedSliceDiagnostic(context, backend.name, `EndpointSlice ${namespace}/${slice.metadata?.name ?? ''} is ignored: ${reason}`),
        )
      : [];

  if (targetType === 'instance' && !servicePort.nodePort) {
    return {
      ok: false,
      culprit: 'port',
      message: `Service ${namespace}/${backend.name} port ${servicePort.port} has no nodePort, which target-type instance needs: make the Service type NodePort or use target-type ip`,
      diagnostics: parsed.diagnostics,
    };
  }
  const targets = targetsOf(snapshot, {
    namespace,
    slices,
    servicePort,
    targetType,
    ...(settings.targetNodeLabels && { nodeLabels: settings.targetNodeLabels }),
  });
  const targetPort = servicePort.targetPort;
  const port = targetType === 'instance' ? (servicePort.nodePort ?? 0) : typeof targetPort === 'number' ? targetPort : (targets[0]?.port ?? servicePort.port);

  const protocol = settings.backendProtocol ?? 'HTTP';
  const protocolVersion = settings.backendProtocolVersion ?? 'HTTP1';
  const key = `${namespace}/${backend.name}:${servicePort.port}/${targetType}`;
  const health = resolveHealthCheck(settings, { protocolVersion, service, servicePort, targetType, slices });
  const targetGroup: TargetGroupSpec = {
    key,
    name: targetGroupName({ clusterName: context.clusterName, stackId: context.stackId, key, namespace, service: backend.name, protocol, protocolVersion }),
    service: { namespace, name: backend.name, port: servicePort.port },
    protocol,
    protocolVersion,
    port,
    targetType,
    healthCheck: health.spec,
    // `lambda.*` attributes are for function target groups (function-backends.ts); ELBv2 refuses them on a Service's.
    attributes: Object.fromEntries(Object.entries(settings.targetGroupAttributes).filter(([name]) => !name.startsWith('lambda.'))),
    tags: settings.tags,
    ...(targetType === 'instance' && settings.targetNodeLabels && { nodeLabels: settings.targetNodeLabels }),
    targets,
  };
  return { ok: true, targetGroup, diagnostics: [...parsed.diagnostics, ...sliceDiagnostics, ...health.diagnostics] };
}

interface TargetInputs {
  namespace: string;
  /** The Service's trusted EndpointSlices. */
  slices: V1EndpointSlice[];
  servicePort: V1ServicePort;
  targetType: TargetType;
  nodeLabels?: Record<string, string>;
}

/** What a target group of this Service port sends to: Nodes' NodePort, or the endpoints kube-proxy would use. */
function targetsOf(snapshot: SnapshotView, inputs: TargetInputs): Target[] {
  const { namespace, servicePort } = inputs;
  if (inputs.targetType === 'instance') return instanceTargets(snapshot.nodes(), servicePort.nodePort ?? 0, inputs.nodeLabels);
  const podOf = (endpoint: V1Endpoint): V1Pod | undefined =>
    endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name ? snapshot.pod(namespace, endpoint.targetRef.name) : undefined;
  return ipTargets(inputs.slices, servicePort, (endpoint) => awaitsOnlyTargetHealth(podOf(endpoint)));
}

/**
 * The targets of a target group translate made, as the Snapshot has them now: what translate would
 * put in it, computed alone, so an EndpointSlice or Node change re-computes only the target groups
 * it feeds (the target fast path) instead of translating their whole group, which reads every
 * Ingress of the cluster. Undefined when the group's Service or port is gone: translate the group.
 */
export function currentTargets(snapshot: SnapshotView, group: TargetGroupSpec): Target[] | undefined {
  const { namespace, name, port } = group.service;
  const servicePort = snapshot.service(namespace, name)?.spec?.ports?.find((candidate) => candidate.port === port);
  if (!servicePort) return undefined;
  const slices = trustedSlices(snapshot.endpointSlicesOf(namespace, name), namespace).trusted;
  return targetsOf(snapshot, { namespace, slices, servicePort, targetType: group.targetType, ...(group.nodeLabels && { nodeLabels: group.nodeLabels }) });
}

/** On the Ingress, at the first field that names the Service (a path, the default backend, or an actions annotation). */
function untrustedSliceDiagnostic(context: BackendContext, service: string, message: string): Diagnostic {
  const { ingress } = context;
  if (!ingress) return diagnostic({ kind: 'Service', namespace: context.namespace, name: service }, 'metadata.name', 'warning', message);
  let field: string | undefined;
  if (ingress.spec?.defaultBackend?.service?.name === service) field = 'spec.defaultBackend.service.name';
  (ingress.spec?.rules ?? []).forEach((rule, ruleIndex) => {
    (rule.http?.paths ?? []).forEach((path, pathIndex) => {
      if (field === undefined && path.backend.service?.name === service) field = `spec.rules[${ruleIndex}].http.paths[${pathIndex}].backend.service.name`;
    });
  });
  return ingressDiagnostic(ingress, field ?? annotationField(ingress, 'actions'), 'warning', message);
}

interface HealthCheckInputs {
  protocolVersion: TargetGroupSpec['protocolVersion'];
  service: V1Service;
  servicePort: V1ServicePort;
  targetType: TargetType;
  slices: ReturnType<SnapshotView['endpointSlicesOf']>;
}

/** Defaults as aws-load-balancer-controller's, so migrating users see the same health checks. */
export const DEFAULT_HEALTH_CHECK: Readonly<HealthCheckSpec> = {
  protocol: 'HTTP',
  port: 'traffic-port',
  path: '/',
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  successCodes: '200',
};

/** The Ingress's and the Service's health-check settings over the defaults (gRPC has its own path and codes). */
function resolveHealthCheck(settings: TargetGroupAnnotations, inputs: HealthCheckInputs): { spec: HealthCheckSpec; diagnostics: Diagnostic[] } {
  const grpc = inputs.protocolVersion === 'GRPC';
  const overrides = settings.healthCheck;
  const diagnostics: Diagnostic[] = [];
  let port: HealthCheckSpec['port'] = DEFAULT_HEALTH_CHECK.port;
  if (typeof overrides.port === 'number' || overrides.port === 'traffic-port') port = overrides.port;
  else if (typeof overrides.port === 'string') {
    const named = overrides.port;
    const resolved = resolveNamedHealthCheckPort(named, inputs);
    if (resolved !== undefined) port = resolved;
    else {
      diagnostics.push(
        diagnostic(
          objectRef('Service', inputs.service),
          'spec.ports',
          'warning',
          `healthcheck-port "${named}" names no port of this Service; health checks use the traffic port`,
        ),
      );
    }
  }
  const defaultCodes = grpc ? '12' : DEFAULT_HEALTH_CHECK.successCodes;
  let successCodes = overrides.successCodes ?? defaultCodes;
  // Each annotation was checked alone; the Ingress's and the Service's settings only meet here.
  const codes = parseSuccessCodes(successCodes, inputs.protocolVersion);
  if (!codes.ok) {
    diagnostics.push(
      diagnostic(
        objectRef('Service', inputs.service),
        'metadata.annotations',
        'warning',
        `success-codes "${successCodes}" does not suit backend-protocol-version ${inputs.protocolVersion} (${codes.problem}); ${defaultCodes} is used`,
      ),
    );
    successCodes = defaultCodes;
  }
  const intervalSeconds = overrides.intervalSeconds ?? DEFAULT_HEALTH_CHECK.intervalSeconds;
  let timeoutSeconds = overrides.timeoutSeconds ?? DEFAULT_HEALTH_CHECK.timeoutSeconds;
  if (timeoutSeconds >= intervalSeconds) {
    diagnostics.push(
      diagnostic(
        objectRef('Service', inputs.service),
        'metadata.annotations',
        'warning',
        `healthcheck-timeout-seconds ${timeoutSeconds} must be less than healthcheck-interval-seconds ${intervalSeconds}; ${intervalSeconds - 1} is used`,
      ),
    );
    timeoutSeconds = intervalSeconds - 1;
  }
  return {
    spec: {
      protocol: overrides.protocol ?? DEFAULT_HEALTH_CHECK.protocol,
      port,
      path: overrides.path ?? (grpc ? '/AWS.ALB/healthcheck' : DEFAULT_HEALTH_CHECK.path),
      intervalSeconds,
      timeoutSeconds,
      healthyThresholdCount: overrides.healthyThresholdCount ?? DEFAULT_HEALTH_CHECK.healthyThresholdCount,
      unhealthyThresholdCount: overrides.unhealthyThresholdCount ?? DEFAULT_HEALTH_CHECK.unhealthyThresholdCount,
      successCodes,
    },
    diagnostics,
  };
}

function resolveNamedHealthCheckPort(name: string, inputs: HealthCheckInputs): number | undefined {
  const servicePort = inputs.service.spec?.ports?.find((candidate) => candidate.name === name);
  if (!servicePort) return undefined;
  if (inputs.targetType === 'instance') return servicePort.nodePort;
  const targetPort = servicePort.targetPort;
  return typeof targetPort === 'number' ? targetPort : endpointPortNamed(inputs.slices, servicePort.name ?? '');
}
