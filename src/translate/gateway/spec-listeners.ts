/**
 * The attached routes → the load balancer's listeners: one per port, its rules every match of every
 * route attached to a listener of that port, prioritized by precedence.ts, a 404 for the rest; and
 * the target groups those rules forward to.
 * @module
 */
import type { Condition, FunctionTargetGroupSpec, ListenerSpec, RuleSpec, TargetGroupSpec } from '../../model.js';
import { forwardedTargetGroups } from '../forwarded-target-groups.js';
import type { Attachment } from './attachment.js';
import { hostnameCondition } from './hostnames.js';
import type { ListenerView } from './listeners.js';
import { claimedByOtherListener, comparePlaced, type PlacedEntry } from './precedence.js';
import { compareText } from '../compare-text.js';

const NOT_FOUND = { type: 'fixed-response', statusCode: '404', contentType: 'text/plain', messageBody: 'Not Found' } as const;

export interface SpecListeners {
  listeners: ListenerSpec[];
  targetGroups: TargetGroupSpec[];
  functionTargetGroups: FunctionTargetGroupSpec[];
}

export function buildSpecListeners(views: readonly ListenerView[], attachments: readonly Attachment[]): SpecListeners {
  const byPort = new Map<number, ListenerView[]>();
  for (const view of views.filter((candidate) => candidate.usable)) byPort.set(view.port, [...(byPort.get(view.port) ?? []), view]);
  const targetGroups = new Map<string, TargetGroupSpec>();
  const functionCandidates: FunctionTargetGroupSpec[] = [];
  const listeners: ListenerSpec[] = [];
  for (const [port, onPort] of [...byPort].sort(([a], [b]) => a - b)) {
    const placed: PlacedEntry[] = [];
    let order = 0;
    for (const attachment of attachments.filter((entry) => onPort.includes(entry.listener))) {
      for (const hostname of attachment.hostnames) {
        if (claimedByOtherListener(attachment.listener, hostname, onPort)) continue;
        for (const rule of attachment.route.rules) {
          for (const match of rule.matches) {
            const host = hostnameCondition(hostname);
            placed.push({
              ...(hostname !== undefined && { hostname }),
              conditions: [...(host ? [host] : []), ...match.conditions],
              match,
              rule,
              route: attachment.route,
              order: order++,
            });
          }
        }
      }
    }
    // A request whose host a listener's hostname matches belongs to that listener alone: without a
    // fence, a less specific listener's rules on the same port would answer what it does not route.
    if (onPort.length > 1) {
      for (const view of onPort) {
        if (view.hostname !== undefined) placed.push({ hostname: view.hostname, conditions: [hostnameCondition(view.hostname) as Condition], order: order++ });
      }
    }
    const seen = new Set<string>();
    const rules: RuleSpec[] = [];
    for (const entry of placed.sort(comparePlaced)) {
      const signature = JSON.stringify(entry.conditions);
      // Of two matches that match the same requests the first in precedence is the one served.
      if (seen.has(signature)) continue;
      seen.add(signature);
      const route = entry.route;
      const rule = entry.rule;
      const actions = rule ? [rule.action] : [NOT_FOUND];
      if (rule) for (const group of rule.targetGroups) if (!targetGroups.has(group.key)) targetGroups.set(group.key, group);
      if (rule) functionCandidates.push(...rule.functionTargetGroups);
      rules.push({
        priority: rules.length + 1,
        conditions: entry.conditions.length > 0 ? entry.conditions : [{ field: 'path-pattern', values: ['/*'] }],
        actions: actions.map((action) => ({ ...action })),
        ...(rule?.transforms && { transforms: rule.transforms }),
        origin: {
          ingress: { namespace: route?.namespace ?? '', name: route?.ref.name ?? '' },
          ...(route && { route: route.ref }),
          ...(entry.hostname !== undefined && { host: entry.hostname }),
          ...(entry.match && { path: entry.match.field }),
        },
      });
    }
    const protocol = onPort[0]?.protocol ?? 'HTTP';
    const certificateKeys = protocol === 'HTTPS' ? [...new Set(onPort.flatMap((view) => view.certificates.map((certificate) => certificate.key)))] : [];
    listeners.push({ port, protocol, certificateKeys, defaultAction: { ...NOT_FOUND }, rules });
  }
  return {
    listeners,
    targetGroups: [...targetGroups.values()].sort((a, b) => compareText(a.key, b.key)),
    functionTargetGroups: forwardedTargetGroups(listeners, functionCandidates),
  };
}
