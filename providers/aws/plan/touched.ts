/**
 * Which parts of a stack a plan changes in ways a stale memory could get wrong, so observe can read
 * exactly those again before the plan is made for real (observe/refresh.ts). Pure: from the
 * operations' actions and logical resource ids (`Rule/443/3`, `Listener/443`, `TargetGroup/<key>`).
 *
 * Left out on purpose: creates of what the memory says is absent (a create by the same name returns
 * the existing load balancer or target group; a listener or rule that exists after all fails the
 * apply, and a failed apply leads to a full observe), target registrations (idempotent both ways),
 * deletes and tag changes (idempotent). Certificates are shared by every stack of the cluster, so any
 * ACM call verifies them first: another stack may have imported, tagged or let go of one meanwhile.
 * @module
 */
import type { AwsOperation } from './operations.js';
import { LOAD_BALANCER_ID, targetGroupKeyOf } from './resource-ids.js';

export interface TouchedParts {
  /** Its description and attributes. */
  loadBalancer: boolean;
  /** The listener list (any listener created, modified or deleted). */
  listeners: boolean;
  /** Ports whose listener's certificate list changes. */
  listenerCertificates: Set<number>;
  /** Ports whose listener's rules change. */
  rules: Set<number>;
  /** Keys of existing target groups whose settings or attributes change. */
  targetGroups: Set<string>;
  certificates: boolean;
  securityGroups: boolean;
}

const LOAD_BALANCER_CHANGES = new Set(['ModifyLoadBalancerAttributes', 'SetSecurityGroups', 'SetSubnets', 'SetIpAddressType', 'DeleteLoadBalancer']);
const LISTENER_CHANGES = new Set(['CreateListener', 'ModifyListener', 'DeleteListener']);
const RULE_CHANGES = new Set(['CreateRule', 'ModifyRule', 'DeleteRule', 'SetRulePriorities']);
const TARGET_GROUP_CHANGES = new Set(['ModifyTargetGroup', 'ModifyTargetGroupAttributes']);

export function touchedBy(operations: readonly AwsOperation[]): TouchedParts {
  const touched: TouchedParts = {
    loadBalancer: false,
    listeners: false,
    listenerCertificates: new Set(),
    rules: new Set(),
    targetGroups: new Set(),
    certificates: false,
    securityGroups: false,
  };
  const created = new Set(operations.filter((operation) => operation.action === 'CreateTargetGroup').map((operation) => operation.resource));
  for (const { action, resource, detail } of operations) {
    if (detail.service === 'acm') touched.certificates = true;
    else if (detail.service === 'ec2') touched.securityGroups = true;
    else if (LOAD_BALANCER_CHANGES.has(action) && resource.startsWith(LOAD_BALANCER_ID)) touched.loadBalancer = true;
    else if (LISTENER_CHANGES.has(action)) touched.listeners = true;
    else if (action === 'AddListenerCertificates' || action === 'RemoveListenerCertificates') addPort(touched.listenerCertificates, resource);
    else if (RULE_CHANGES.has(action)) addPort(touched.rules, resource);
    else if (TARGET_GROUP_CHANGES.has(action) && !created.has(resource)) {
      const key = targetGroupKeyOf(resource);
      if (key !== undefined) touched.targetGroups.add(key);
    }
  }
  return touched;
}

export function touchesAnything(touched: TouchedParts): boolean {
  return (
    touched.loadBalancer ||
    touched.listeners ||
    touched.certificates ||
    touched.securityGroups ||
    touched.listenerCertificates.size + touched.rules.size + touched.targetGroups.size > 0
  );
}

/** `Rule/443/3`, `Rule/443/*`, `Listener/443` → 443. */
function addPort(ports: Set<number>, resource: string): void {
  const port = Number(resource.split('/')[1]);
  if (Number.isInteger(port)) ports.add(port);
}
