/**
 * One Ingress of a group → what it contributes to the load balancer: rule entries (host, path,
 * conditions, action), its default backend, target groups, certificates and listen ports. A problem
 * the API server would have refused, or a static misconfiguration, makes the member invalid (left
 * out whole); a backend that does not resolve yet (a missing Service) becomes a 503 for that path.
 * @module
 */
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import type { Action, Authentication, Condition, Diagnostic, RuleOrigin, TargetGroupSpec, Transform, WeightedTargetGroup } from '../model.js';
import type { FunctionTargetGroupSpec } from '../model.js';
import { FUNCTION_API_GROUP, FUNCTION_KIND, resolveFunctionBackend } from './function-backends.js';
import type { SnapshotView } from '../sources/snapshot.js';
import { ALB_PREFIX, OWN_PREFIX, type AnnotationAction, type AnnotationForwardBackend, type ListenPort } from './annotation-types.js';
import { resolveAuthentication } from './authentication.js';
import { resolveServiceBackend, type BackendContext } from './backends.js';
import { collectCertificates, type MemberCertificates } from './certificates.js';
import { isPortName, quote, SERVICE_NAME } from './annotation-values.js';
import { annotationField, defectDetail, ingressDiagnostic } from './diagnostics.js';
import type { GroupMember } from './groups.js';
import { externalTargetGroupKey } from './external-target-groups.js';
import { hostCondition, parseHost, type HostClass } from './hosts.js';
import { checkListenerSettings } from './listener-settings.js';
import { ruleLimitProblem } from '../limits.js';
import type { TranslateOptions } from './options.js';
import { parsePath, pathCondition, type ParsedPath } from './paths.js';
import { parseNginxRegexPath } from './nginx/paths.js';
import { writtenField } from './nginx/read.js';

export interface RuleEntry {
  hostClass: HostClass;
  host?: string;
  path: ParsedPath;
  conditions: Condition[];
  /** Conditions from `conditions.*` annotations: a rule with more of them is more specific. */
  extraConditionCount: number;
  action: Action;
  /** Checked before the action, on HTTPS listeners (the Ingress's auth-* or jwt-validation). */
  authentication?: Authentication;
  /** The `transforms.<service>` of the entry's backend. */
  transforms?: Transform[];
  origin: RuleOrigin;
  /** The Ingress field the entry came from, for diagnostics. */
  field: string;
}

export interface MemberContribution extends MemberCertificates {
  member: GroupMember;
  listenPorts: ListenPort[];
  entries: RuleEntry[];
  defaultAction?: Action;
  defaultAuthentication?: Authentication;
  targetGroups: TargetGroupSpec[];
  /** The functions its forwards name (`backend.resource` of kind Function). */
  functionTargetGroups?: FunctionTargetGroupSpec[];
  diagnostics: Diagnostic[];
  valid: boolean;
}

const BACKEND_UNAVAILABLE: Action = {
  type: 'fixed-response',
  statusCode: '503',
  contentType: 'text/plain',
  messageBody: 'Service Unavailable: the Ingress backend does not resolve',
};

/** What paths that require a login answer while the login cannot be configured (its Secret is missing). */
const AUTHENTICATION_UNAVAILABLE: Action = {
  type: 'fixed-response',
  statusCode: '503',
  contentType: 'text/plain',
  messageBody: 'Service Unavailable: authentication is not configured yet',
};

const USE_ANNOTATION = 'use-annotation';

/** Raised inside this module only, to leave the member out with one diagnostic. */
class InvalidMember extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One Ingress inside its own error boundary (DESIGN.md section 8): an exception nobody expected is an
 * error diagnostic on this Ingress, which is left out of its load balancer; the group's other members
 * are translated as usual, and nothing is thrown to the group or the process.
 */
export function translateMember(snapshot: SnapshotView, member: GroupMember, stackId: string, options: TranslateOptions): MemberContribution {
  try {
    const nginx = member.nginx;
    // A canary Ingress's paths are served by its main Ingress's rules (nginx/read.ts).
    if (nginx?.canaryOf) return { member, listenPorts: [], entries: [], targetGroups: [], certificates: [], valid: true, diagnostics: [...member.diagnostics] };
    const contribution = buildContribution(snapshot, member, stackId, options);
    if (nginx) for (const entry of contribution.diagnostics) if (!member.diagnostics.includes(entry)) entry.field = writtenField(entry.field, nginx.fields);
    return contribution;
  } catch (error) {
    return {
      member,
      listenPorts: [],
      entries: [],
      targetGroups: [],
      certificates: [],
      valid: false,
      diagnostics: [...member.diagnostics, unexpectedFailure(member.ingress, error)],
    };
  }
}

/** The diagnostic for an exception translate did not expect: a defect, reported on the object that caused it. */
export function unexpectedFailure(ingress: V1Ingress, error: unknown): Diagnostic {
  return ingressDiagnostic(
    ingress,
    'spec',
    'error',
    `the Ingress could not be translated (${defectDetail(error)}); it is left out of its load balancer and the rest of the group is unaffected. ` +
      'This is a defect in ingress-bridge: please report it with the Ingress',
  );
}

function buildContribution(snapshot: SnapshotView, member: GroupMember, stackId: string, options: TranslateOptions): MemberContribution {
  const { ingress, annotations } = member;
  const diagnostics: Diagnostic[] = [...member.diagnostics];
  const targetGroups: TargetGroupSpec[] = [];
  const context: ActionContext = {
    ingress,
    snapshot,
    clusterName: options.clusterName,
    stackId,
    namespace: member.ref.namespace,
    defaultTargetType: options.defaultTargetType,
    ingressSettings: annotations,
  };
  const certificates = collectCertificates(snapshot, member, options.now);
  diagnostics.push(...certificates.diagnostics);
  const contribution: MemberContribution = {
    member,
    listenPorts: [],
    entries: [],
    targetGroups,
    diagnostics,
    valid: true,
    certificates: certificates.certificates,
  };

  const authentication = resolveAuthentication(snapshot, member);
  diagnostics.push(...authentication.diagnostics);
  const backendAction = (backend: V1IngressBackend | undefined, field: string): Action => {
    const resolved = resolveBackendAction(context, annotations.actions, backend, field);
    diagnostics.push(...resolved.diagnostics);
    // Without its login a path is never served: it answers 503 and nothing behind it is reached.
    if (authentication.kind === 'unavailable') return AUTHENTICATION_UNAVAILABLE;
    targetGroups.push(...resolved.targetGroups);
    if (resolved.functionTargetGroups) (contribution.functionTargetGroups ??= []).push(...resolved.functionTargetGroups);
    return resolved.action;
  };
  const required = authentication.kind === 'ready' ? authentication.authentication : undefined;

  // Every problem is reported in one round: each check below runs whatever an earlier one found, and
  // any of them leaves the Ingress out.
  const check = (work: () => void): void => {
    try {
      work();
    } catch (error) {
      if (!(error instanceof InvalidMember)) throw error;
      diagnostics.push(ingressDiagnostic(ingress, error.field, 'error', `${error.message}; the Ingress is left out of its load balancer`));
      contribution.valid = false;
    }
  };
  check(() => {
    if (authentication.kind === 'invalid') throw new InvalidMember(authentication.field, authentication.message);
  });
  check(() => {
    contribution.listenPorts = listenPortsOf(member, certificates.certificates.length > 0);
    if (authentication.kind !== 'none') requireHttpsOnly(member, contribution.listenPorts);
    const listenerSettings = checkListenerSettings(member, contribution.listenPorts);
    diagnostics.push(...listenerSettings.diagnostics);
    contribution.member = { ...member, annotations: listenerSettings.annotations };
  });
  const rules = ingress.spec?.rules ?? [];
  check(() => {
    if (rules.length === 0 && !ingress.spec?.defaultBackend) {
      throw new InvalidMember('spec', 'the Ingress has neither rules nor a defaultBackend, so it routes nothing');
    }
  });
  const defaultBackend = ingress.spec?.defaultBackend;
  if (defaultBackend) {
    check(() => {
      contribution.defaultAction = backendAction(defaultBackend, 'spec.defaultBackend');
      if (required) contribution.defaultAuthentication = required;
      rejectDefaultTransforms(member, defaultBackend, diagnostics);
    });
  }
  rules.forEach((rule, ruleIndex) => {
    const hostField = `spec.rules[${ruleIndex}].host`;
    const host = parseHost(rule.host);
    check(() => {
      if (!host.ok) throw new InvalidMember(hostField, host.message);
    });
    const paths = rule.http?.paths ?? [];
    if (paths.length === 0) {
      diagnostics.push(ingressDiagnostic(ingress, `spec.rules[${ruleIndex}].http`, 'warning', 'the rule has no paths, so it routes nothing'));
    }
    paths.forEach((entry, pathIndex) => {
      check(() => {
        const field = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
        const path = member.nginx?.regexPaths.has(`${ruleIndex}:${pathIndex}`) ? parseNginxRegexPath(entry.path) : parsePath(entry.path, entry.pathType);
        if (!path.ok) throw new InvalidMember(`${field}.${path.field}`, path.message);
        if (path.value.note) diagnostics.push(ingressDiagnostic(ingress, `${field}.path`, 'info', path.value.note));
        const action = backendAction(entry.backend, `${field}.backend`);
        // The host's own problem is reported above; the path's are still checked.
        if (!host.ok) return;
        const serviceName = entry.backend.service?.name ?? '';
        const extra = annotations.conditions.get(serviceName) ?? [];
        const transforms = annotations.transforms.get(serviceName);
        const conditions = mergeConditions([hostCondition(host.host), pathCondition(path.value)], extra, `${field}.backend`);
        const limitProblem = ruleLimitProblem(conditions, options.limits);
        if (limitProblem) throw new InvalidMember(field, `the ALB rule for this path cannot be created: ${limitProblem}`);
        contribution.entries.push({
          hostClass: host.hostClass,
          ...(host.host ? { host: host.host } : {}),
          path: path.value,
          conditions,
          extraConditionCount: extra.length,
          action,
          ...(required && { authentication: required }),
          ...(transforms && { transforms }),
          origin: { ingress: member.ref, ...(host.host ? { host: host.host } : {}), path: entry.path ?? '/', pathType: entry.pathType },
          field,
        });
      });
    });
  });
  return contribution;
}

/**
 * ALB authenticates on HTTPS listeners only (authenticate-* and jwt-validation need TLS): a plain
 * HTTP port that serves the Ingress's paths would serve them without the login, so it must redirect.
 */
function requireHttpsOnly(member: GroupMember, ports: readonly ListenPort[]): void {
  const { annotations, ingress } = member;
  const plain = ports.filter((port) => port.protocol === 'HTTP' && annotations.sslRedirect === undefined);
  if (plain.length === 0) return;
  const key = annotations.jwtValidation ? 'jwt-validation' : 'auth-type';
  throw new InvalidMember(
    annotationField(ingress, key),
    `${key} asks for authentication, which runs on HTTPS listeners only, but port${plain.length > 1 ? 's' : ''} ${plain.map((port) => port.port).join(', ')} ` +
      `${plain.length > 1 ? 'are' : 'is'} HTTP and would serve the paths without it; set ssl-redirect or listen-ports with HTTPS ports only`,
  );
}

/** ALB refuses transforms on a listener's default rule: the default backend is served without them. */
function rejectDefaultTransforms(member: GroupMember, backend: V1IngressBackend, diagnostics: Diagnostic[]): void {
  const name = backend.service?.name;
  if (name === undefined || !member.annotations.transforms.has(name)) return;
  const paths = (member.ingress.spec?.rules ?? []).some((rule) => (rule.http?.paths ?? []).some((path) => path.backend.service?.name === name));
  diagnostics.push(
    ingressDiagnostic(
      member.ingress,
      annotationField(member.ingress, `transforms.${name}`),
      'error',
      `transforms.${name} cannot apply to spec.defaultBackend: the ALB allows no transforms on a listener's default action, so requests that reach ` +
        `the default backend are not rewritten${paths ? ` (the paths that name ${name} are)` : ''}`,
    ),
  );
}

function listenPortsOf(member: GroupMember, hasCertificates: boolean): ListenPort[] {
  const { annotations, ingress } = member;
  const ports: ListenPort[] = annotations.listenPorts ?? [
    { protocol: 'HTTP', port: 80 },
    ...(hasCertificates || annotations.certificateArns.length > 0 ? [{ protocol: 'HTTPS' as const, port: 443 }] : []),
  ];
  const redirect = annotations.sslRedirect;
  if (redirect !== undefined && !ports.some((port) => port.protocol === 'HTTPS' && port.port === redirect)) {
    throw new InvalidMember(
      annotationField(ingress, 'ssl-redirect'),
      `ssl-redirect names port ${redirect}, which is not an HTTPS port of this Ingress (its ports: ${ports.map((port) => `${port.protocol}:${port.port}`).join(', ')})`,
    );
  }
  return ports;
}

/**
 * ALB allows one host-header and one path-pattern condition per rule, so annotation values for those
 * fields join the rule's own (either matching), as aws-load-balancer-controller does.
 */
function mergeConditions(own: (Condition | undefined)[], extra: readonly Condition[], field: string): Condition[] {
  const conditions = own.filter((condition): condition is Condition => condition !== undefined);
  for (const condition of extra) {
    const index = conditions.findIndex(
      (existing) => existing.field === condition.field && (condition.field === 'host-header' || condition.field === 'path-pattern'),
    );
    const existing = conditions[index];
    if (
      !existing ||
      (existing.field !== 'host-header' && existing.field !== 'path-pattern') ||
      (condition.field !== 'host-header' && condition.field !== 'path-pattern')
    ) {
      conditions.push(condition);
      continue;
    }
    if (existing.values && condition.values) {
      conditions[index] = { ...existing, values: [...existing.values, ...condition.values] };
    } else if (existing.regexValues && condition.regexValues) {
      conditions[index] = { ...existing, regexValues: [...existing.regexValues, ...condition.regexValues] };
    } else {
      throw new InvalidMember(
        field,
        `a conditions annotation adds ${condition.field} ${condition.values ? 'values' : 'regexValues'} to a rule whose own ${condition.field} needs ${existing.values ? 'values' : 'regexValues'}; the ALB cannot mix them in one condition`,
      );
    }
  }
  return conditions;
}

interface ActionContext extends BackendContext {
  ingress: V1Ingress;
}

interface ResolvedAction {
  action: Action;
  targetGroups: TargetGroupSpec[];
  functionTargetGroups?: FunctionTargetGroupSpec[];
  diagnostics: Diagnostic[];
}

function resolveBackendAction(
  context: ActionContext,
  actions: ReadonlyMap<string, AnnotationAction>,
  backend: V1IngressBackend | undefined,
  field: string,
): ResolvedAction {
  const service = backend?.service;
  if (backend?.resource) {
    // A function backend: a reference that does not resolve costs its own path only (503), like a missing Service.
    const resolved = resolveFunctionBackend(
      {
        ...context,
        holder: { kind: 'Ingress', object: context.ingress },
        targetGroupAttributes: context.ingressSettings.targetGroupAttributes,
        tags: context.ingressSettings.tags,
      },
      backend.resource,
      `${field}.resource`,
    );
    if (!resolved.ok) return { action: BACKEND_UNAVAILABLE, targetGroups: [], diagnostics: resolved.diagnostics };
    return {
      action: { type: 'forward', targetGroups: [{ targetGroupKey: resolved.targetGroup.key, weight: 1 }] },
      targetGroups: [],
      functionTargetGroups: [resolved.targetGroup],
      diagnostics: resolved.diagnostics,
    };
  }
  if (!service?.name) throw new InvalidMember(field, 'the backend names no Service');
  // What the API server refuses, refused here too, so that no message carries a name it never allows.
  if (!SERVICE_NAME.test(service.name)) {
    throw new InvalidMember(
      `${field}.service.name`,
      `${quote(service.name)} is not a Service name (at most 63 lower-case letters, digits or "-", starting with a letter)`,
    );
  }
  const port = service.port?.number ?? service.port?.name;
  if (port === undefined || port === '') throw new InvalidMember(`${field}.service.port`, 'the backend names no Service port (number or name)');
  if (typeof port === 'number' ? !Number.isInteger(port) || port < 1 || port > 65535 : port !== USE_ANNOTATION && !isPortName(port)) {
    throw new InvalidMember(`${field}.service.port`, `${typeof port === 'number' ? port : quote(port)} is not a port number from 1 to 65535 or a port name`);
  }
  if (port === USE_ANNOTATION) {
    const action = actions.get(service.name);
    // Present but invalid: its own error already rejects the Ingress and says why (only the checks of a rejected Ingress get here).
    if (!action && hasAnnotation(context.ingress, `actions.${service.name}`)) return { action: BACKEND_UNAVAILABLE, targetGroups: [], diagnostics: [] };
    if (!action) throw new InvalidMember(`${field}.service.name`, `port "use-annotation" needs an actions.${service.name} annotation, and there is none`);
    return annotationAction(context, action, annotationField(context.ingress, `actions.${service.name}`));
  }
  const portField = `${field}.service.port.${typeof port === 'number' ? 'number' : 'name'}`;
  return forwardTo(context, [{ serviceName: service.name, servicePort: port, weight: 1 }], (culprit) =>
    culprit === 'service' ? `${field}.service.name` : portField,
  );
}

/** The Services of an annotation action are named in the annotation, so that is the field a problem is reported on. */
function annotationAction(context: ActionContext, action: AnnotationAction, annotation: string): ResolvedAction {
  if (action.type !== 'forward') return { action, targetGroups: [], diagnostics: [] };
  const resolved = forwardTo(context, action.backends, () => annotation);
  if (resolved.action.type === 'forward' && action.stickiness) resolved.action.stickiness = action.stickiness;
  return resolved;
}

function forwardTo(context: ActionContext, backends: readonly AnnotationForwardBackend[], fieldOf: (culprit: 'service' | 'port') => string): ResolvedAction {
  const targetGroups: TargetGroupSpec[] = [];
  const functionTargetGroups: FunctionTargetGroupSpec[] = [];
  const weighted: WeightedTargetGroup[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const backend of backends) {
    if ('functionName' in backend) {
      // Only an annotation names a function here, so its problems are reported on the annotation.
      const annotation = fieldOf('service');
      const resolved = resolveFunctionBackend(
        {
          ...context,
          holder: { kind: 'Ingress', object: context.ingress },
          targetGroupAttributes: context.ingressSettings.targetGroupAttributes,
          tags: context.ingressSettings.tags,
        },
        { apiGroup: FUNCTION_API_GROUP, kind: FUNCTION_KIND, name: backend.functionName },
        annotation,
      );
      const onAnnotation = resolved.diagnostics.map((entry) => (entry.field.startsWith(`${annotation}.`) ? { ...entry, field: annotation } : entry));
      diagnostics.push(...onAnnotation);
      if (!resolved.ok) return { action: BACKEND_UNAVAILABLE, targetGroups: [], diagnostics };
      functionTargetGroups.push(resolved.targetGroup);
      weighted.push({ targetGroupKey: resolved.targetGroup.key, weight: backend.weight });
      continue;
    }
    if (!('serviceName' in backend)) {
      // Not ours: referenced by ARN or name, never created or changed (the provider resolves a name).
      weighted.push({ targetGroupKey: externalTargetGroupKey(backend), weight: backend.weight });
      continue;
    }
    const resolution = resolveServiceBackend(context, { name: backend.serviceName, port: backend.servicePort });
    diagnostics.push(...resolution.diagnostics);
    if (!resolution.ok) {
      diagnostics.push(
        ingressDiagnostic(context.ingress, fieldOf(resolution.culprit), 'error', `${resolution.message}; requests here get 503 until it is fixed`),
      );
      return { action: BACKEND_UNAVAILABLE, targetGroups: [], diagnostics };
    }
    targetGroups.push(resolution.targetGroup);
    weighted.push({ targetGroupKey: resolution.targetGroup.key, weight: backend.weight });
  }
  return {
    action: { type: 'forward', targetGroups: weighted },
    targetGroups,
    ...(functionTargetGroups.length > 0 && { functionTargetGroups }),
    diagnostics,
  };
}

/** Whether the Ingress sets the annotation under either prefix, valid or not. */
function hasAnnotation(ingress: V1Ingress, key: string): boolean {
  const annotations = ingress.metadata?.annotations ?? {};
  return `${OWN_PREFIX}${key}` in annotations || `${ALB_PREFIX}${key}` in annotations;
}
