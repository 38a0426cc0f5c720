/**
 * The load-balancer-wide quotas a Gateway's stack must fit, checked before it is assembled (as the
 * Ingress translator checks an IngressGroup's): rules (`--rule-limit`) and target groups, a
 * function's counted as a Service's. Over one, the Gateway is refused and its load balancer kept as
 * it is; the message names the routes that bring the most target groups, so the owner of a route
 * can tell it is theirs. Pure.
 * @module
 */
import type { AlbLimits } from '../../limits.js';
import { compareText } from '../compare-text.js';
import type { Attachment } from './attachment.js';
import type { SpecListeners } from './spec-listeners.js';

export interface StackLimitProblem {
  /** For the diagnostic on the Gateway (log line and Warning Event). */
  detail: string;
  /** For the Gateway's Accepted condition. */
  summary: string;
}

/** How many routes the target-group message names. */
const NAMED_ROUTES = 3;

export function stackLimitProblem(built: SpecListeners, attachments: readonly Attachment[], limits: AlbLimits): StackLimitProblem | undefined {
  const rules = built.listeners.reduce((total, listener) => total + listener.rules.length, 0);
  if (rules > limits.rulesPerLoadBalancer) {
    return {
      detail: `the Gateway's routes need ${rules} rules, over the limit of ${limits.rulesPerLoadBalancer} per load balancer (flag --rule-limit)`,
      summary: `the routes need ${rules} rules, over the load balancer's limit of ${limits.rulesPerLoadBalancer}`,
    };
  }
  const targetGroups = built.targetGroups.length + built.functionTargetGroups.length;
  if (targetGroups > limits.targetGroupsPerLoadBalancer) {
    return {
      detail: `the Gateway's routes need ${targetGroups} target groups (one per Service port and target type, one per Function), over the ALB's limit of ${limits.targetGroupsPerLoadBalancer} per load balancer (${largestContributors(built, attachments)})`,
      summary: `the routes need ${targetGroups} target groups, over the load balancer's limit of ${limits.targetGroupsPerLoadBalancer}`,
    };
  }
  return undefined;
}

/** `HTTPRoute ns/a reaches 60, …`: the routes that reach the most of the stack's target groups, most first. */
function largestContributors(built: SpecListeners, attachments: readonly Attachment[]): string {
  const onStack = new Set([...built.targetGroups, ...built.functionTargetGroups].map((group) => group.key));
  const counted = [...new Set(attachments.map((attachment) => attachment.route))].map((route) => {
    const keys = new Set(route.rules.flatMap((rule) => [...rule.targetGroups, ...rule.functionTargetGroups].map((group) => group.key)));
    return { name: `${route.kind} ${route.namespace}/${route.ref.name}`, count: [...keys].filter((key) => onStack.has(key)).length };
  });
  const largest = counted
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || compareText(a.name, b.name))
    .slice(0, NAMED_ROUTES);
  return largest.map((entry, index) => `${entry.name} ${index === 0 ? 'reaches ' : ''}${entry.count}`).join(', ');
}
