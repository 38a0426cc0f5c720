/**
 * An accepted Gateway's load balancer: its listeners and rules (spec-listeners.ts), the
 * certificates they serve, the load-balancer settings of its annotations, within the load
 * balancer's rule and target-group limits (stack-limits.ts); over one, the Gateway is refused and
 * its load balancer kept as it is.
 * @module
 */
import type { Diagnostic, LoadBalancerSpec, ObjectRef } from '../../model.js';
import type { GatewayCondition } from '../../sources/gateway-kinds.js';
import type { IngressAnnotations } from '../annotation-types.js';
import { diagnostic } from '../diagnostics.js';
import { loadBalancerName } from '../naming.js';
import { securityGroupSelection, subnetSelection } from '../network.js';
import type { TranslateOptions } from '../options.js';
import type { Attachment } from './attachment.js';
import { servedCertificates } from './listener-certificates.js';
import type { ListenerView } from './listeners.js';
import type { CompiledRoute } from './compiled.js';
import { buildSpecListeners } from './spec-listeners.js';
import { stackLimitProblem } from './stack-limits.js';
import { condition, REASON } from './status.js';

export interface GatewayStackInput {
  ref: ObjectRef;
  stackId: string;
  generation: number | undefined;
  settings: IngressAnnotations;
  options: TranslateOptions;
  listeners: readonly ListenerView[];
  attachments: readonly Attachment[];
}

/** The spec, or the Gateway's Accepted condition when it cannot have one. */
export type GatewayStack =
  { ok: true; spec: LoadBalancerSpec; diagnostics: Diagnostic[] } | { ok: false; refusal: GatewayCondition; diagnostics: Diagnostic[] };

export function assembleGatewayStack(input: GatewayStackInput): GatewayStack {
  const { ref, stackId, generation, settings, options, listeners, attachments } = input;
  const built = buildSpecListeners(listeners, attachments);
  const diagnostics = protocolClashes(attachments);
  const overLimit = stackLimitProblem(built, attachments, options.limits);
  if (overLimit) {
    diagnostics.push(diagnostic(ref, 'spec.listeners', 'error', `${overLimit.detail}; its load balancer is kept as it is`));
    return { ok: false, refusal: condition('Accepted', false, REASON.invalid, overLimit.summary, generation), diagnostics };
  }
  const certificates = servedCertificates(
    listeners.flatMap((listener) => listener.certificates),
    built.listeners,
  );
  const ipAddressType = settings.ipAddressType ?? 'ipv4';
  const spec: LoadBalancerSpec = {
    stack: { id: stackId, name: settings.loadBalancerName ?? loadBalancerName(options.clusterName, stackId), members: [] },
    scheme: settings.scheme ?? options.defaultScheme,
    ipAddressType,
    subnets: subnetSelection(settings.subnets),
    securityGroups: securityGroupSelection(settings.securityGroups, settings.inboundCidrs, ipAddressType),
    attributes: { ...settings.loadBalancerAttributes },
    tags: { ...settings.tags },
    listeners: built.listeners,
    targetGroups: built.targetGroups,
    ...(built.functionTargetGroups.length > 0 && { functionTargetGroups: built.functionTargetGroups }),
    certificates,
    ...(settings.webAcl && { webAcl: settings.webAcl }),
    ...(settings.shieldAdvancedProtection !== undefined && { shieldAdvancedProtection: settings.shieldAdvancedProtection }),
  };
  return { ok: true, spec, diagnostics };
}

/**
 * One target group per Service port and target type: a Service port that an HTTPRoute and a GRPCRoute
 * both reach on one Gateway gets the first one's protocol version, which the other route is told.
 */
function protocolClashes(attachments: readonly Attachment[]): Diagnostic[] {
  const first = new Map<string, { version: string; route: CompiledRoute }>();
  const diagnostics: Diagnostic[] = [];
  for (const route of [...new Set(attachments.map((attachment) => attachment.route))]) {
    for (const group of route.rules.flatMap((rule) => rule.targetGroups)) {
      const seen = first.get(group.key);
      if (!seen) first.set(group.key, { version: group.protocolVersion, route });
      else if (seen.version !== group.protocolVersion) {
        diagnostics.push(
          diagnostic(
            route.ref,
            'spec.rules',
            'warning',
            `Service port ${group.key} is also a backend of ${seen.route.kind} ${seen.route.namespace}/${seen.route.ref.name} on this Gateway, with protocol version ${seen.version}; one target group serves both, with ${seen.version}`,
          ),
        );
      }
    }
  }
  return diagnostics;
}
