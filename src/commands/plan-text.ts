/**
 * The plan for people, in the spirit of a Terraform plan: one block per load balancer, then the
 * diagnostics no load balancer claims, then a one-line summary. Cloud-neutral: it reads only the model.
 * Certificates appear by key and source; key material is not in the model, so it cannot leak here.
 * @module
 */
import type {
  Action,
  Authentication,
  CertificateSpec,
  Condition,
  Diagnostic,
  ListenerSpec,
  LoadBalancerSpec,
  MatchValues,
  Target,
  TargetGroupSpec,
  Transform,
} from '../model.js';

const TARGETS_SHOWN = 10;
const MESSAGE_BODY_SHOWN = 40;

/** `notes`: lines after the summary, such as the Ingresses left to another class. */
export function renderPlanText(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[], notes: readonly string[] = []): string {
  const claimed = new Set<Diagnostic>();
  const lines: string[] = [];
  for (const spec of specs) {
    const own = diagnostics.filter((diagnostic) => concernsStack(diagnostic, spec));
    for (const diagnostic of own) claimed.add(diagnostic);
    lines.push(...renderLoadBalancer(spec, own), '');
  }
  const unclaimed = diagnostics.filter((diagnostic) => !claimed.has(diagnostic));
  if (unclaimed.length > 0) {
    lines.push('diagnostics', ...unclaimed.map((diagnostic) => `  ${renderDiagnostic(diagnostic)}`), '');
  }
  lines.push(renderSummary(specs, diagnostics), ...notes);
  return `${lines.join('\n')}\n`;
}

/**
 * A diagnostic belongs under a stack when its object is one the stack is built from: a member
 * Ingress, a Service behind one of its target groups, or a Secret behind one of its certificates.
 * One concerning several stacks is shown under each.
 */
function concernsStack(diagnostic: Diagnostic, spec: LoadBalancerSpec): boolean {
  const { kind, namespace, name } = diagnostic.object;
  switch (kind) {
    case 'Ingress':
      return spec.stack.members.some((member) => member.namespace === namespace && member.name === name);
    case 'Service':
      return spec.targetGroups.some(({ service }) => service.namespace === namespace && service.name === name);
    case 'Secret':
      return spec.certificates.some(({ source }) => source.kind === 'secret' && source.namespace === namespace && source.name === name);
    default:
      return false;
  }
}

function renderLoadBalancer(spec: LoadBalancerSpec, diagnostics: readonly Diagnostic[]): string[] {
  const { subnets, securityGroups } = spec;
  const lines = [
    `load balancer ${spec.stack.id}`,
    `  name             ${spec.stack.name}`,
    `  scheme           ${spec.scheme}, ${spec.ipAddressType}`,
    `  members          ${spec.stack.members.map((m) => `${m.namespace}/${m.name}`).join(', ')}`,
    `  subnets          ${subnets.kind === 'ids' ? subnets.ids.join(', ') : 'discovered'}`,
    `  security groups  ${securityGroups.kind === 'ids' ? securityGroups.ids.join(', ') : `managed, inbound from ${securityGroups.inboundCidrs.join(', ')}`}`,
  ];
  if (Object.keys(spec.attributes).length > 0) lines.push(`  attributes       ${renderPairs(spec.attributes)}`);
  if (Object.keys(spec.tags).length > 0) lines.push(`  tags             ${renderPairs(spec.tags)}`);
  if (spec.webAcl !== undefined) {
    const acl = spec.webAcl.kind === 'arn' ? spec.webAcl.arn : spec.webAcl.kind === 'name' ? `named ${spec.webAcl.name}` : 'none (any association removed)';
    lines.push(`  web ACL          ${acl}`);
  }
  if (spec.shieldAdvancedProtection !== undefined) lines.push(`  shield advanced  ${spec.shieldAdvancedProtection ? 'on' : 'off'}`);
  for (const group of spec.externalTargetGroups ?? []) {
    lines.push(`  outside target group ${group.ref.kind === 'arn' ? group.ref.arn : `named ${group.ref.name}`} (referenced, never changed)`);
  }
  for (const listener of spec.listeners) lines.push('', ...renderListener(listener, spec.certificates));
  for (const group of spec.targetGroups) lines.push('', ...renderTargetGroup(group));
  for (const group of spec.functionTargetGroups ?? []) {
    const { name, arn, qualifier } = group.function;
    lines.push(
      '',
      `  target group ${group.key}  lambda  name ${group.name}`,
      `    function ${arn ?? name}${qualifier === undefined ? '' : ` qualifier ${qualifier}`} (invoked, never changed)`,
      `    health checks off, multi-value headers ${group.multiValueHeaders ? 'on' : 'off'}`,
    );
  }
  if (diagnostics.length > 0) {
    lines.push('', '  diagnostics', ...diagnostics.map((diagnostic) => `    ${renderDiagnostic(diagnostic)}`));
  }
  return lines;
}

function renderListener(listener: ListenerSpec, certificates: readonly CertificateSpec[]): string[] {
  const sslPolicy = listener.sslPolicy !== undefined ? `  ssl-policy ${listener.sslPolicy}` : '';
  const lines = [`  listener ${listener.protocol} :${listener.port}${sslPolicy}`];
  listener.certificateKeys.forEach((key, index) => {
    const certificate = certificates.find((candidate) => candidate.key === key);
    const source = certificate !== undefined ? `  ${renderCertificate(certificate)}` : '';
    lines.push(`    certificate ${key}${index === 0 ? ' (default)' : ''}${source}`);
  });
  const mutual = listener.mutualAuthentication;
  if (mutual !== undefined) {
    const store = mutual.trustStoreArn ?? (mutual.trustStoreName !== undefined ? `named ${mutual.trustStoreName}` : undefined);
    lines.push(
      `    mutual TLS ${mutual.mode}${store !== undefined ? `, trust store ${store}` : ''}${mutual.ignoreClientCertificateExpiry ? ', expired client certificates accepted' : ''}`,
    );
  }
  if (listener.attributes !== undefined && Object.keys(listener.attributes).length > 0) lines.push(`    attributes ${renderPairs(listener.attributes)}`);
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  const width = Math.max(0, ...rules.map((rule) => String(rule.priority).length));
  for (const rule of rules) {
    const priority = String(rule.priority).padStart(width);
    lines.push(
      `    ${priority}  ${renderConditions(rule.conditions)}  → ${renderAuthentication(rule.authentication)}${renderActions(rule.actions)}${renderTransforms(rule.transforms)}`,
    );
  }
  lines.push(`    default  → ${renderAuthentication(listener.defaultAuthentication)}${renderActions([listener.defaultAction])}`);
  return lines;
}

function renderCertificate(certificate: CertificateSpec): string {
  const { source } = certificate;
  const from = source.kind === 'secret' ? `secret ${source.namespace}/${source.name}` : source.kind === 'arn' ? `arn ${source.arn}` : 'discovered';
  return certificate.hosts.length > 0 ? `${from}, hosts ${certificate.hosts.join(', ')}` : from;
}

function renderConditions(conditions: readonly Condition[]): string {
  if (conditions.length === 0) return '(any request)';
  return conditions.map(renderCondition).join(' ');
}

function renderCondition(condition: Condition): string {
  switch (condition.field) {
    case 'host-header':
      return `host=${renderMatchValues(condition)}`;
    case 'path-pattern':
      return `path=${renderMatchValues(condition)}`;
    case 'http-header':
      return `header:${condition.headerName}=${renderMatchValues(condition)}`;
    case 'http-request-method':
      return `method=${condition.values.join(',')}`;
    case 'query-string':
      return `query=${condition.values.map(({ key, value }) => (key === undefined ? value : `${key}:${value}`)).join(',')}`;
    case 'source-ip':
      return `source-ip=${condition.values.join(',')}`;
  }
}

/** Regex values are marked with `~` so they cannot be mistaken for literal or wildcard values. */
function renderMatchValues(match: MatchValues): string {
  if (match.regexValues !== undefined) return match.regexValues.map((value) => `~${value}`).join(',');
  return (match.values ?? []).join(',');
}

/** The check a request passes first, as a prefix of its action; an OIDC client secret shows as its Secret only. */
function renderAuthentication(authentication: Authentication | undefined): string {
  switch (authentication?.type) {
    case undefined:
      return '';
    case 'oidc':
      return `oidc login ${authentication.issuer} (client ${authentication.clientId}, secret from ${authentication.clientSecretRef.namespace}/${authentication.clientSecretRef.name}, ${authentication.onUnauthenticatedRequest}), then `;
    case 'cognito':
      return `cognito login ${authentication.userPoolArn} (${authentication.onUnauthenticatedRequest}), then `;
    case 'jwt-validation':
      return `jwt from ${authentication.issuer}, then `;
  }
}

function renderTransforms(transforms: readonly Transform[] | undefined): string {
  return (transforms ?? []).map((transform) => `; ${transform.type} ${transform.regex} → ${transform.replace}`).join('');
}

function renderActions(actions: readonly Action[]): string {
  return actions.map(renderAction).join('; ');
}

function renderAction(action: Action): string {
  switch (action.type) {
    case 'forward': {
      const groups = action.targetGroups.map((group) => `${group.targetGroupKey} (weight ${group.weight})`);
      const sticky = action.stickiness?.enabled ? `, sticky ${action.stickiness.durationSeconds}s` : '';
      return `forward ${groups.join(', ')}${sticky}`;
    }
    case 'redirect': {
      const parts = (['protocol', 'port', 'host', 'path', 'query'] as const)
        .filter((part) => action[part] !== undefined)
        .map((part) => ` ${part}=${action[part]}`);
      return `redirect ${action.statusCode.replace('HTTP_', '')}${parts.join('')}`;
    }
    case 'fixed-response': {
      const type = action.contentType !== undefined ? ` ${action.contentType}` : '';
      const body = action.messageBody !== undefined ? ` ${JSON.stringify(shorten(action.messageBody))}` : '';
      return `fixed-response ${action.statusCode}${type}${body}`;
    }
  }
}

function renderTargetGroup(group: TargetGroupSpec): string[] {
  const version = group.protocolVersion === 'HTTP1' ? '' : ` ${group.protocolVersion}`;
  const health = group.healthCheck;
  const lines = [
    `  target group ${group.key}  ${group.protocol}${version} :${group.port} ${group.targetType}  name ${group.name}`,
    `    health ${health.protocol} ${health.port} ${health.path} every ${health.intervalSeconds}s, ` +
      `timeout ${health.timeoutSeconds}s, healthy ${health.healthyThresholdCount}, ` +
      `unhealthy ${health.unhealthyThresholdCount}, codes ${health.successCodes}`,
  ];
  if (group.targets.length === 0) lines.push('    (no targets)');
  for (const target of group.targets.slice(0, TARGETS_SHOWN)) {
    lines.push(`    ${renderTarget(target, group.targetType)}`);
  }
  if (group.targets.length > TARGETS_SHOWN) lines.push(`    … and ${group.targets.length - TARGETS_SHOWN} more`);
  return lines;
}

function renderTarget(target: Target, targetType: TargetGroupSpec['targetType']): string {
  const host = targetType === 'instance' ? (target.node ?? target.id) : target.ip;
  return `${host}:${target.port}`;
}

export function renderDiagnostic(diagnostic: Diagnostic): string {
  const { kind, namespace, name } = diagnostic.object;
  const objectName = namespace !== undefined ? `${namespace}/${name}` : name;
  const object = kind === 'Ingress' ? objectName : `${kind} ${objectName}`;
  const field = diagnostic.field !== '' ? `${diagnostic.field}: ` : '';
  const source = diagnostic.source !== undefined ? `  (${diagnostic.source.file}#${diagnostic.source.document})` : '';
  return `${diagnostic.severity.padEnd(7)} ${object}  ${field}${diagnostic.message}${source}`;
}

function renderSummary(specs: readonly LoadBalancerSpec[], diagnostics: readonly Diagnostic[]): string {
  const listeners = specs.flatMap((spec) => spec.listeners);
  const targetGroups = specs.flatMap((spec) => spec.targetGroups);
  // A function's target group is one the load balancer has like any other, with one target: the function.
  const functionTargetGroups = sum(specs.map((spec) => spec.functionTargetGroups?.length ?? 0));
  const bySeverity = (severity: Diagnostic['severity']): number => diagnostics.filter((diagnostic) => diagnostic.severity === severity).length;
  return (
    [
      count(specs.length, 'load balancer'),
      count(listeners.length, 'listener'),
      count(sum(listeners.map((listener) => listener.rules.length)), 'rule'),
      count(targetGroups.length + functionTargetGroups, 'target group'),
      count(sum(targetGroups.map((group) => group.targets.length)) + functionTargetGroups, 'target'),
    ].join(', ') + `; ${count(bySeverity('error'), 'error')}, ${count(bySeverity('warning'), 'warning')}`
  );
}

function renderPairs(record: Readonly<Record<string, string>>): string {
  return Object.entries(record)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

function shorten(text: string): string {
  return text.length > MESSAGE_BODY_SHOWN ? `${text.slice(0, MESSAGE_BODY_SHOWN)}…` : text;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function sum(numbers: readonly number[]): number {
  return numbers.reduce((total, n) => total + n, 0);
}
