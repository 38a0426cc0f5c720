import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action as Elbv2Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Condition, ListenerSpec, LoadBalancerSpec, RuleSpec } from '../../../src/model.js';
import { planRules } from '../../../providers/aws/plan/diff-rules.js';
import { toElbv2Actions, toElbv2Conditions } from '../../../providers/aws/plan/elbv2-shapes.js';
import { mergeAdjacentRules } from '../../../providers/aws/plan/merge-rules.js';
import type { ObservedRule } from '../../../providers/aws/observe/observed.js';
import type { AwsOperation } from '../../../providers/aws/plan/operations.js';
import { targetGroupRef } from '../../../providers/aws/plan/resource-ids.js';
import { ownershipTags } from '../../../providers/aws/plan/tags.js';
import { routeOf } from '../../support/alb-evaluator.js';
import { listenerSpecFromElbv2 } from '../../support/aws-listener-view.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, onlySpec, serviceYaml, translateYaml, type PathFixture } from '../../support/cluster.js';

const CLUSTER = 'test';
const STACK = 'default/shop';
const arnOfKey = (key: string): string => `arn:tg/${key}`;
const keyOfArn = (arn: string): string => arn.replace(/^arn:tg\//, '');
const nameArn = (arn: string): string => (arn.startsWith('arn:tg/') ? targetGroupRef(keyOfArn(arn)) : arn);
const OUR_TAGS = Object.entries(ownershipTags(CLUSTER, STACK, 'Rule/80')).map(([Key, Value]) => ({ Key, Value }));

interface SimulatedRule {
  arn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Elbv2Action[];
  ours: boolean;
}

/** A listener's rules as ELBv2 keeps them, changed by plan operations as ELBv2 would change them. */
class RuleTable {
  readonly rules = new Map<string, SimulatedRule>();
  private created = 0;

  constructor(rules: readonly RuleSpec[], foreign: readonly RuleSpec[] = []) {
    for (const [index, rule] of [...rules, ...foreign].entries()) {
      const arn = `arn:rule/${index}`;
      this.rules.set(arn, {
        arn,
        priority: rule.priority,
        conditions: toElbv2Conditions(rule.conditions),
        actions: toElbv2Actions(rule.actions, arnOfKey),
        ours: index < rules.length,
      });
    }
  }

  observed(): ObservedRule[] {
    return [...this.rules.values()].map((rule) => ({
      description: { RuleArn: rule.arn, Priority: String(rule.priority), Conditions: rule.conditions, Actions: rule.actions, IsDefault: false },
      tags: rule.ours ? OUR_TAGS : [],
    }));
  }

  apply(operation: AwsOperation): void {
    const input = JSON.parse(JSON.stringify(operation.detail.input).replace(/\$\{TargetGroup:([^}]*)\}/g, (_, key: string) => arnOfKey(key))) as Record<
      string,
      unknown
    >;
    switch (operation.action) {
      case 'SetRulePriorities': {
        const moves = input.RulePriorities as { RuleArn: string; Priority: number }[];
        for (const { RuleArn, Priority } of moves) this.require(RuleArn).priority = Priority;
        this.checkUnique();
        return;
      }
      case 'ModifyRule': {
        const rule = this.require(input.RuleArn as string);
        if (input.Conditions !== undefined) rule.conditions = input.Conditions as RuleCondition[];
        if (input.Actions !== undefined) rule.actions = input.Actions as Elbv2Action[];
        return;
      }
      case 'CreateRule': {
        const arn = `arn:rule/new-${(this.created += 1)}`;
        this.rules.set(arn, {
          arn,
          priority: input.Priority as number,
          conditions: input.Conditions as RuleCondition[],
          actions: input.Actions as Elbv2Action[],
          ours: true,
        });
        this.checkUnique();
        return;
      }
      case 'DeleteRule':
        assert.ok(this.rules.delete(input.RuleArn as string), `DeleteRule of a rule that does not exist: ${String(input.RuleArn)}`);
        return;
      default:
        assert.fail(`unexpected ${operation.action}`);
    }
  }

  listener(template: ListenerSpec): ListenerSpec {
    const defaultActions = toElbv2Actions([template.defaultAction], arnOfKey);
    return listenerSpecFromElbv2({ port: 80, protocol: 'HTTP', defaultActions, rules: [...this.rules.values()] }, keyOfArn);
  }

  private require(arn: string): SimulatedRule {
    const rule = this.rules.get(arn);
    assert.ok(rule, `no rule ${arn}`);
    return rule;
  }

  private checkUnique(): void {
    const priorities = [...this.rules.values()].map((rule) => rule.priority);
    assert.equal(new Set(priorities).size, priorities.length, `priorities collide: ${priorities.join(', ')}`);
  }
}

function planFor(before: ListenerSpec, after: ListenerSpec, table: RuleTable): AwsOperation[] {
  const plan = planRules(mergeAdjacentRules(after).rules, table.observed(), {
    port: 80,
    listenerArn: 'arn:listener/80',
    clusterName: CLUSTER,
    stackId: STACK,
    specTags: {},
    nameArn,
  });
  return [...plan.reorder, ...plan.create, ...plan.modify, ...plan.delete];
}

/**
 * Applies the plan to `before`'s rules, checking routing after every call; returns the calls. A URL
 * served both before and after never meets a 404; with `sameRouteThroughout`, a URL whose route does
 * not change keeps it at every step.
 */
function migrate(
  before: LoadBalancerSpec,
  after: LoadBalancerSpec,
  urls: readonly string[],
  options: { foreign?: RuleSpec[]; sameRouteThroughout?: boolean } = {},
): AwsOperation[] {
  const beforeListener = before.listeners[0] as ListenerSpec;
  const afterListener = after.listeners[0] as ListenerSpec;
  const table = new RuleTable(mergeAdjacentRules(beforeListener).rules, options.foreign);
  const operations = planFor(beforeListener, afterListener, table);
  const stable = options.sameRouteThroughout === false ? [] : urls.filter((url) => routeOf(before, url) === routeOf(after, url));
  const kept = urls.filter((url) => routeOf(before, url) !== '404' && routeOf(after, url) !== '404');
  const targetGroups = [...after.targetGroups, ...before.targetGroups.filter((group) => !after.targetGroups.some((other) => other.key === group.key))];
  for (const operation of operations) {
    table.apply(operation);
    const now = { ...after, targetGroups, listeners: [table.listener(afterListener)] };
    for (const url of stable) assert.equal(routeOf(now, url), routeOf(after, url), `${url} changed route after ${operation.action} ${operation.resource}`);
    for (const url of kept) assert.notEqual(routeOf(now, url), '404', `${url} met a 404 after ${operation.action} ${operation.resource}`);
  }
  const final = { ...after, listeners: [table.listener(afterListener)] };
  for (const url of urls) assert.equal(routeOf(final, url), routeOf(after, url), `${url} routes as the spec says at the end`);
  assert.deepEqual(planFor(afterListener, afterListener, table), [], 'a second diff finds nothing to do');
  return operations;
}

const SERVICES = ['web', 'api', 'docs', 'admin'].map((name) => serviceYaml({ name })).join('') + serviceYaml({ name: 'api2', port: 8080 });

function shop(rules: { host?: string; paths: PathFixture[] }[]): LoadBalancerSpec {
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + NODE_YAML + SERVICES + ingressYaml({ name: 'shop', rules })));
}

const BASE: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'web' },
  { path: '/api', pathType: 'Prefix', service: 'api' },
  { path: '/docs', pathType: 'Prefix', service: 'docs' },
];
const URLS = ['/', '/api', '/api/x', '/docs', '/docs/a', '/admin', '/admin/x', '/apix', '/zzz'].flatMap((path) => [
  `http://a.example.com${path}`,
  `http://b.example.com${path}`,
]);

const count = (operations: AwsOperation[], action: string): number => operations.filter((operation) => operation.action === action).length;

describe('planRules', () => {
  it('plans nothing for rules already in place', () => {
    const spec = shop([{ host: 'a.example.com', paths: BASE }]);
    const table = new RuleTable(mergeAdjacentRules(spec.listeners[0] as ListenerSpec).rules);
    assert.deepEqual(planFor(spec.listeners[0] as ListenerSpec, spec.listeners[0] as ListenerSpec, table), []);
  });

  it('adds a path: the rules after it move in one SetRulePriorities, then one CreateRule', () => {
    const operations = migrate(
      shop([{ host: 'a.example.com', paths: BASE }]),
      shop([{ host: 'a.example.com', paths: [...BASE, { path: '/admin', pathType: 'Prefix', service: 'admin' }] }]),
      URLS,
    );
    assert.deepEqual(
      operations.map((operation) => operation.action),
      ['SetRulePriorities', 'CreateRule'],
    );
  });

  it('removes a path: the stale rule is parked while the others move up, and deleted last', () => {
    const operations = migrate(
      shop([{ host: 'a.example.com', paths: [...BASE, { path: '/admin', pathType: 'Prefix', service: 'admin' }] }]),
      shop([{ host: 'a.example.com', paths: BASE }]),
      URLS,
    );
    assert.deepEqual(
      operations.map((operation) => operation.action),
      ['SetRulePriorities', 'DeleteRule'],
    );
    const moves = (operations[0]?.detail.input.RulePriorities ?? []) as { Priority: number }[];
    assert.ok(
      moves.some((move) => move.Priority === 50000),
      'the stale rule is parked at 50000',
    );
  });

  it('reorders hosts with one SetRulePriorities and nothing else', () => {
    const a = { host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] };
    const b = { host: 'b.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] };
    const operations = migrate(shop([a, b]), shop([b, a]), URLS);
    assert.deepEqual(
      operations.map((operation) => operation.action),
      ['SetRulePriorities'],
    );
  });

  it('switches a path to another backend with one ModifyRule in place', () => {
    const changed = BASE.map((path) => (path.service === 'api' ? { ...path, service: 'api2', port: 8080 } : path));
    const operations = migrate(shop([{ host: 'a.example.com', paths: BASE }]), shop([{ host: 'a.example.com', paths: changed }]), URLS);
    assert.deepEqual(
      operations.map((operation) => operation.action),
      ['ModifyRule'],
    );
  });

  it('replaces a rule whose conditions change instead of modifying it, so its requests are never unserved', () => {
    const operations = migrate(
      shop([
        { host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }] },
        { host: 'b.example.com', paths: [{ path: '/x', pathType: 'Exact', service: 'web' }] },
      ]),
      shop([
        { host: 'a.example.com', paths: [{ path: '/y', pathType: 'Exact', service: 'docs' }] },
        { paths: [{ path: '/api', pathType: 'Prefix', service: 'api2', port: 8080 }] },
      ]),
      [...URLS, 'http://a.example.com/y', 'http://b.example.com/x'],
      { sameRouteThroughout: false },
    );
    assert.equal(count(operations, 'ModifyRule'), 0);
    assert.deepEqual(
      operations.map((operation) => operation.action),
      ['SetRulePriorities', 'CreateRule', 'CreateRule', 'DeleteRule', 'DeleteRule'],
    );
  });

  it('never touches a rule that is not tagged as ours, and parks around its priority', () => {
    const foreign: RuleSpec = {
      priority: 50000,
      conditions: [{ field: 'host-header', values: ['foreign.example.com'] }],
      actions: [{ type: 'fixed-response', statusCode: '418' }],
      origin: { ingress: { namespace: 'x', name: 'y' } },
    };
    const operations = migrate(
      shop([{ host: 'a.example.com', paths: [...BASE, { path: '/admin', pathType: 'Prefix', service: 'admin' }] }]),
      shop([{ host: 'a.example.com', paths: BASE }]),
      URLS,
      { foreign: [foreign] },
    );
    assert.equal(count(operations, 'DeleteRule'), 1);
    const moves = (operations[0]?.detail.input.RulePriorities ?? []) as { RuleArn: string; Priority: number }[];
    assert.ok(
      moves.every((move) => move.Priority !== 50000),
      'the foreign rule keeps 50000',
    );
    assert.ok(
      operations.every((operation) => !JSON.stringify(operation.detail.input).includes('arn:rule/4"')),
      'the foreign rule (arn:rule/4) is never named',
    );
  });

  it('never sends a path served before and after to a 404, across many generated changes', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const choices: PathFixture[] = [
      { path: '/', pathType: 'Prefix', service: 'web' },
      { path: '/api', pathType: 'Prefix', service: 'api' },
      { path: '/api', pathType: 'Prefix', service: 'api2', port: 8080 },
      { path: '/docs', pathType: 'Prefix', service: 'docs' },
      { path: '/docs/a', pathType: 'Exact', service: 'admin' },
      { path: '/admin', pathType: 'Prefix', service: 'admin' },
      { path: '/admin/x', pathType: 'Exact', service: 'web' },
      { path: '/zzz', pathType: 'Exact', service: 'docs' },
    ];
    const pick = (): { host?: string; paths: PathFixture[] }[] => {
      const hosts = ['a.example.com', 'b.example.com', undefined].filter(() => random(3) > 0);
      const rules = hosts.map((host) => {
        const paths = choices.filter(() => random(2) === 0);
        const unique = paths.filter((path, index) => paths.findIndex((other) => other.path === path.path && other.pathType === path.pathType) === index);
        return { ...(host !== undefined && { host }), paths: unique.length > 0 ? unique : [choices[0] as PathFixture] };
      });
      return rules.length > 0 ? rules : [{ host: 'a.example.com', paths: [choices[0] as PathFixture] }];
    };
    for (let round = 0; round < 150; round += 1) migrate(shop(pick()), shop(pick()), URLS, { sameRouteThroughout: false });
  });
});

describe('rule content matching', () => {
  it('sees a rule whose target group is being replaced as changed', () => {
    const spec = shop([{ host: 'a.example.com', paths: BASE }]);
    const listener = spec.listeners[0] as ListenerSpec;
    const table = new RuleTable(mergeAdjacentRules(listener).rules);
    const plan = planRules(mergeAdjacentRules(listener).rules, table.observed(), {
      port: 80,
      listenerArn: 'arn:listener/80',
      clusterName: CLUSTER,
      stackId: STACK,
      specTags: {},
      nameArn: (arn) => arn,
    });
    assert.equal(plan.modify.length, listener.rules.length, 'every rule names an ARN that is not the kept group of its key');
  });

  it('matches Describe answers that spell out defaults', () => {
    const conditions: Condition[] = [
      { field: 'host-header', values: ['A.example.com'] },
      { field: 'path-pattern', values: ['/x', '/y'] },
    ];
    const actions: Action[] = [{ type: 'redirect', protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' }];
    const described: ObservedRule = {
      description: {
        RuleArn: 'arn:rule/1',
        Priority: '1',
        IsDefault: false,
        Conditions: [
          { Field: 'path-pattern', Values: ['/y', '/x'], PathPatternConfig: { Values: ['/y', '/x'] } },
          { Field: 'host-header', Values: ['a.example.com'], HostHeaderConfig: { Values: ['a.example.com'] } },
        ],
        Actions: [
          {
            Type: 'redirect',
            Order: 1,
            RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' },
          },
        ],
      },
      tags: OUR_TAGS,
    };
    const plan = planRules([{ priority: 1, conditions, actions, origin: { ingress: { namespace: 'default', name: 'shop' } } }], [described], {
      port: 80,
      listenerArn: 'arn:listener/80',
      clusterName: CLUSTER,
      stackId: STACK,
      specTags: {},
      nameArn,
    });
    assert.deepEqual([...plan.reorder, ...plan.modify, ...plan.create, ...plan.delete, ...plan.tagChanges], []);
  });
});
