/**
 * What a reconcile would do to each part of a load balancer, read from the provider's planned
 * operations, for `plan --live --output mermaid`. Pure.
 *
 * An operation names its resource by a provider's own id; the built-in providers share the
 * shape `<Kind>/<rest>` (`Listener/443`, `Rule/443/3`, `TargetGroup/default/web:80/ip`,
 * `targetgroup/<stack>/<key>`, `LoadBalancer`), and its action says add or remove when it is the
 * kind's own Create/Open/Import or Delete/Remove/Close (`CreateRule`, `CloseListener`). Anything
 * else changes the resource in place. An operation no part of the picture names (a security group,
 * a certificate no listener holds) counts against the load balancer itself, so none is dropped.
 *
 * Removed parts are not in the spec, so they are returned apart, to be drawn as ghosts.
 * @module
 */
import type { LoadBalancerSpec } from '../model.js';
import type { PlannedOperation } from '../provider.js';

export type Mark = 'added' | 'changed' | 'removed';

export interface StackMarks {
  /** `added` when the load balancer itself is created: then everything in it is new. */
  loadBalancer?: Mark;
  /** Operations that no listener, rule or target group of the picture names. */
  otherChanges: number;
  listeners: Map<number, Mark>;
  /** Rules by `<port>/<priority>`, as the spec numbers them. */
  rules: Map<string, Mark>;
  targetGroups: Map<string, Mark>;
  /** Target groups whose targets are registered or deregistered. */
  targetsChanged: Set<string>;
  removedListeners: number[];
  /** `<port>/<priority>` of rules the reconcile deletes (their content is the old one). */
  removedRules: string[];
  /** Target group keys (or the provider's id when no key is recognisable) the reconcile deletes. */
  removedTargetGroups: string[];
}

type Verb = 'add' | 'remove' | 'change';

export function marksOf(spec: LoadBalancerSpec, operations: readonly PlannedOperation[]): StackMarks {
  const marks: StackMarks = {
    otherChanges: 0,
    listeners: new Map(),
    rules: new Map(),
    targetGroups: new Map(),
    targetsChanged: new Set(),
    removedListeners: [],
    removedRules: [],
    removedTargetGroups: [],
  };
  for (const operation of operations) place(spec, operation, marks);
  return marks;
}

function place(spec: LoadBalancerSpec, operation: PlannedOperation, marks: StackMarks): void {
  const kind = /^[A-Za-z]+/.exec(operation.resource)?.[0] ?? '';
  const rest = operation.resource.slice(kind.length).replace(/^\//, '').split('/');
  const verb = verbOf(operation.action, kind);
  switch (kind.toLowerCase()) {
    case 'loadbalancer':
      marks.loadBalancer = combine(marks.loadBalancer, verb === 'add' ? 'added' : 'changed');
      return;
    case 'listener': {
      const port = listenerPort(rest[0], operation.detail);
      if (port === undefined) break;
      if (verb === 'remove') marks.removedListeners.push(port);
      else marks.listeners.set(port, combine(marks.listeners.get(port), verb === 'add' ? 'added' : 'changed'));
      return;
    }
    case 'rule': {
      const port = Number(rest[0]);
      if (!Number.isInteger(port)) break;
      // `Rule/<port>/*` moves priorities: the listener's order changes.
      if (rest[1] === '*') {
        marks.listeners.set(port, combine(marks.listeners.get(port), 'changed'));
        return;
      }
      const key = `${port}/${rest[1] ?? ''}`;
      if (verb === 'remove') marks.removedRules.push(key);
      else marks.rules.set(key, combine(marks.rules.get(key), verb === 'add' ? 'added' : 'changed'));
      return;
    }
    case 'targetgroup': {
      const key = targetGroupKey(spec, rest.join('/'));
      if (verb === 'remove') marks.removedTargetGroups.push(key);
      else if (/targets$/i.test(operation.action)) marks.targetsChanged.add(key);
      else marks.targetGroups.set(key, combine(marks.targetGroups.get(key), verb === 'add' ? 'added' : 'changed'));
      return;
    }
    case 'certificate':
    case 'certificates': {
      // A certificate shows through the listeners that serve it.
      const holders = spec.listeners.filter(
        (listener) => listener.certificateKeys.length > 0 && (kind === 'certificates' || listener.certificateKeys.includes(rest.join('/'))),
      );
      for (const listener of holders) marks.listeners.set(listener.port, combine(marks.listeners.get(listener.port), 'changed'));
      if (holders.length > 0) return;
      break;
    }
  }
  marks.otherChanges += 1;
}

/** Add or remove only when the action is the resource kind's own create or delete (`CreateRule`, not `RemoveTags`). */
function verbOf(action: string, kind: string): Verb {
  const match = /^(Create|Open|Import|Delete|Remove|Close)(.+)$/.exec(action);
  if (!match || (match[2] ?? '').toLowerCase() !== kind.toLowerCase()) return 'change';
  return ['Create', 'Open', 'Import'].includes(match[1] ?? '') ? 'add' : 'remove';
}

/** `80`, or a provider's own listener address whose spec port is in the operation's detail. */
function listenerPort(id: string | undefined, detail: unknown): number | undefined {
  const port = Number(id);
  if (Number.isInteger(port)) return port;
  const fromDetail = (detail as { port?: unknown } | undefined)?.port;
  return typeof fromDetail === 'number' ? fromDetail : undefined;
}

/** A target-group key: `namespace/service:port/targetType`. */
const TARGET_GROUP_KEY = /^[^/]+\/[^/]+:[^/]+\/[^/]+$/;

/**
 * The spec's key that the id is or ends with (a provider may put the stack before it); for a group
 * the spec no longer has, the id without that stack prefix.
 */
function targetGroupKey(spec: LoadBalancerSpec, id: string): string {
  const keys = [...spec.targetGroups.map((group) => group.key), ...(spec.externalTargetGroups ?? []).map((group) => group.key)];
  const known = keys.find((key) => id === key) ?? keys.find((key) => id.endsWith(`/${key}`));
  if (known !== undefined) return known;
  const prefix = `${spec.stack.id}/`;
  return id.startsWith(prefix) && TARGET_GROUP_KEY.test(id.slice(prefix.length)) ? id.slice(prefix.length) : id;
}

function combine(previous: Mark | undefined, next: Mark): Mark {
  return previous === undefined || previous === next ? next : 'changed';
}
