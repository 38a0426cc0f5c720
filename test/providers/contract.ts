/**
 * The provider contract suite: what every provider promises (DESIGN.md section 5, docs/providers.md),
 * written once and run against each provider through an adapter — a "world" that says how to serve
 * targets, how to see what the provider serves, how to count its mutating calls, how to crash it
 * between two calls and how to plant resources that are not its own:
 *
 * - a load balancer created from empty serves the spec (and reports its address);
 * - an unchanged resync makes no mutating call, whether it reads everything or only changes;
 * - rules added, removed and reordered, targets changed and a certificate rotated are served as the
 *   new spec says, and each change leaves nothing for the next resync to do;
 * - delete (and a reconcile to no spec) leaves nothing; deleting nothing is harmless;
 * - a crash between any two calls, then a restart, converges with nothing leaked or duplicated;
 * - resources the provider does not own are never touched, nor is another stack.
 * Optional methods keep the same promises where they exist: `targetHealth` and `observe`'s `changes`
 * read make no mutating call, `applyTargets` serves the new targets, leaves nothing for a full
 * reconcile and survives a crash between its calls.
 *
 * A promise that cannot apply to a provider is a NotApplicable with the reason, and its test is
 * reported as skipped with that reason — never as passed.
 *
 * Specs are translated from Ingress YAML (so they are what the runtime hands a provider): Services `a`
 * and `b` with two endpoints each at the world's addresses, Ingress `default/shop` on hosts a.test,
 * b.test (and c.test once added), `default/neighbour` on neighbour.test.
 * @module
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, CertificateMaterial, Provider, ProviderPlan, TargetRef } from '../../src/provider.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { evaluateAlbRequest, routeOf } from '../support/alb-evaluator.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, testOptions, tlsSecretYaml, translateYaml, type IngressFixture } from '../support/cluster.js';

/** A promise that does not apply to this provider, and why (the suite skips its test with this reason). */
export interface NotApplicable {
  notApplicable: string;
}

/** The stacks the suite makes; an adapter that must be told which stacks to look at looks at these. */
export const CONTRACT_STACKS = ['default/shop', 'default/neighbour'] as const;
const SHOP = 'default/shop';
const NEIGHBOUR = 'default/neighbour';

export interface ContractSetup {
  /**
   * TLS material by `namespace/name`, for the provider's CertificateMaterialSource: the suite writes a
   * Secret's material here before it translates it, and a rotation replaces it in place, so the
   * provider must read it when it installs a certificate.
   */
  material: Record<string, CertificateMaterial>;
}

/** Where a request goes, as served now. */
export interface ServedRoute {
  /** As routeOf names it: the Service (`default/a:80`) or a status (`404`); `none` when nothing answers. */
  route: string;
  /** The targets (`ip:port`) that answer it, sorted; empty unless it is forwarded. */
  targets: string[];
}

export interface ContractWorld {
  /** The provider under test. */
  provider: Provider;
  /** Endpoints the suite gives Services `a` and `b`: two addresses, each Service on its own port; the provider must be able to serve them. */
  endpoints: { addresses: readonly [string, string]; ports: { a: number; b: number } };
  /** Mutating calls made so far in this world (the adapter says what a mutating call is for its provider). */
  mutations(): Promise<number>;
  /** Where a request to `url` on the HTTP listener (port 80) of the spec's load balancer goes now. */
  route(spec: LoadBalancerSpec, url: string): Promise<ServedRoute>;
  /** The SHA-256 fingerprint (X509Certificate.fingerprint256) of the certificate served for this SNI name on port 443; undefined without one. */
  certificateFor(spec: LoadBalancerSpec, host: string): Promise<string | undefined>;
  /** Everything the provider holds for any stack, one entry per resource: equal inventories hold the same resources, none twice. */
  inventory(): Promise<string[]>;
  /** A provider as a restarted controller makes it, over the same cloud. */
  restart: (() => Provider) | NotApplicable;
  crash: CrashInjection | NotApplicable;
  foreign: ForeignResources | NotApplicable;
  close(): Promise<void>;
}

export interface CrashInjection {
  /** After `mutations` more mutating calls, every mutating call fails as if the controller had died before it. */
  after(mutations: number): void;
  /** The controller is back: calls succeed again. */
  clear(): void;
}

export interface ForeignResources {
  /**
   * Plants resources the provider does not own (another owner's, another cluster's, look-alikes by
   * name or by some of its tags); resolves to a check that fails unless they are exactly as planted
   * and no mutating call named them.
   */
  plant(): Promise<() => void | Promise<void>>;
}

export interface ContractAdapter {
  name: string;
  /** A fresh world: nothing of the suite's stacks exists in it yet. */
  createWorld(setup: ContractSetup): Promise<ContractWorld>;
}

type Paths = IngressFixture['rules'];

const BASE_RULES: NonNullable<Paths> = [
  {
    host: 'a.test',
    paths: [
      { path: '/', pathType: 'Prefix', service: 'a' },
      { path: '/api', pathType: 'Prefix', service: 'b' },
    ],
  },
  { host: 'b.test', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] },
];
const C_RULE = { host: 'c.test', paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] };
const SHOP_URLS = ['http://a.test/', 'http://a.test/api/x', 'http://b.test/', 'http://c.test/'];
const NEIGHBOUR_URLS = ['http://neighbour.test/', 'http://neighbour.test/x'];

interface ShopShape {
  rules?: NonNullable<Paths>;
  /** Which of the world's addresses Service `a` has endpoints at (Service `b` has both). */
  aEndpoints?: readonly (0 | 1)[];
  tls?: boolean;
}

/** The suite's specs for one world, and the TLS Secret it rotates. */
class Specs {
  private certificate = testCertificate({ commonName: 'a.test' });

  constructor(
    private readonly world: ContractWorld,
    private readonly setup: ContractSetup,
  ) {}

  shop(shape: ShopShape = {}): LoadBalancerSpec {
    const annotations: Record<string, string> = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
    if (shape.tls) annotations['alb.ingress.kubernetes.io/listen-ports'] = '[{"HTTP":80},{"HTTPS":443}]';
    this.setup.material['default/shop-tls'] = { certificatePem: this.certificate.certificatePem, chainPem: '', privateKeyPem: this.certificate.privateKeyPem };
    return this.translate(
      (shape.tls ? tlsSecretYaml('shop-tls', this.certificate) : '') +
        this.services(shape.aEndpoints ?? [0, 1]) +
        ingressYaml({
          name: 'shop',
          annotations,
          rules: shape.rules ?? BASE_RULES,
          ...(shape.tls && { tls: [{ hosts: ['a.test'], secretName: 'shop-tls' }] }),
        }),
    );
  }

  neighbour(): LoadBalancerSpec {
    const annotations = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
    return this.translate(
      this.services([0, 1]) +
        ingressYaml({ name: 'neighbour', annotations, rules: [{ host: 'neighbour.test', paths: [{ path: '/', pathType: 'Prefix', service: 'b' }] }] }),
    );
  }

  /** The Secret gets a new certificate and key under the same name. */
  rotateCertificate(): string {
    this.certificate = testCertificate({ commonName: 'a.test' });
    return new X509Certificate(this.certificate.certificatePem).fingerprint256;
  }

  fingerprint(): string {
    return new X509Certificate(this.certificate.certificatePem).fingerprint256;
  }

  private services(aEndpoints: readonly (0 | 1)[]): string {
    const { addresses, ports } = this.world.endpoints;
    return (
      serviceYaml({ name: 'a', endpoints: aEndpoints.map((index) => addresses[index]), endpointPort: ports.a }) +
      serviceYaml({ name: 'b', endpoints: [...addresses], endpointPort: ports.b })
    );
  }

  private translate(yaml: string): LoadBalancerSpec {
    return onlySpec(translateYaml(INGRESS_CLASS_YAML + yaml, testOptions({ now: new Date() })));
  }
}

/** The same rules with their priorities reversed on every listener: an order change, routing as the evaluator says. */
function reversePriorities(spec: LoadBalancerSpec): LoadBalancerSpec {
  return {
    ...spec,
    listeners: spec.listeners.map((listener) => {
      const priorities = listener.rules.map((rule) => rule.priority).sort((a, b) => a - b);
      const byPriority = [...listener.rules].sort((a, b) => a.priority - b.priority);
      return { ...listener, rules: byPriority.map((rule, index) => ({ ...rule, priority: priorities[priorities.length - 1 - index] as number })) };
    }),
  };
}

/** observe → diff → apply, as the runtime runs it; fails the test on any failed operation. */
async function reconcile(
  provider: Provider,
  stackId: string,
  spec: LoadBalancerSpec | undefined,
  read?: 'full' | 'changes',
): Promise<{ plan: ProviderPlan; result: ApplyResult }> {
  const observed = await provider.observe({ id: stackId }, spec, ...(read === undefined ? [] : [{ read }]));
  const plan = provider.diff(spec, observed);
  const result = await provider.apply(plan);
  assertSucceeded(result);
  return { plan, result };
}

function assertSucceeded(result: ApplyResult): void {
  const failed = result.outcomes.filter((outcome) => outcome.error !== undefined);
  assert.deepEqual(
    failed.map((outcome) => `${outcome.operation.action} ${outcome.operation.resource}: ${outcome.error}`),
    [],
    'every operation succeeds',
  );
}

function addressOf(result: ApplyResult): string | undefined {
  return result.address?.hostname ?? result.address?.ip;
}

function expectedRoute(spec: LoadBalancerSpec, url: string): ServedRoute {
  const evaluated = evaluateAlbRequest(spec, { url });
  if (evaluated.kind !== 'forward') return { route: routeOf(spec, url), targets: [] };
  const targets = evaluated.targetGroupKeys
    .flatMap((key) => spec.targetGroups.find((group) => group.key === key)?.targets ?? [])
    .map((target) => `${target.ip}:${target.port}`);
  return { route: routeOf(spec, url), targets: [...new Set(targets)].sort() };
}

async function assertServes(world: ContractWorld, spec: LoadBalancerSpec, urls: readonly string[], when: string): Promise<void> {
  for (const url of urls) {
    const served = await world.route(spec, url);
    assert.deepEqual({ url, ...served, targets: [...served.targets].sort() }, { url, ...expectedRoute(spec, url) }, `${url} ${when}`);
  }
}

/** A resync right after a change has nothing left to do, reading everything or only changes. */
async function assertConverged(world: ContractWorld, provider: Provider, spec: LoadBalancerSpec, when: string): Promise<void> {
  for (const read of ['full', 'changes'] as const) {
    const before = await world.mutations();
    const { plan, result } = await reconcile(provider, spec.stack.id, spec, read);
    assert.deepEqual(
      plan.operations.map((operation) => `${operation.action} ${operation.resource}`),
      [],
      `nothing left to do ${when} (read: ${read})`,
    );
    assert.equal(await world.mutations(), before, `no mutating call in a resync ${when} (read: ${read})`);
    assert.ok(addressOf(result), `a resync still reports the address ${when} (read: ${read})`);
  }
}

/** Target group keys whose targets differ between two specs. */
function changedTargetGroups(from: LoadBalancerSpec, to: LoadBalancerSpec): string[] {
  const targetsOf = (spec: LoadBalancerSpec, key: string): string => JSON.stringify(spec.targetGroups.find((group) => group.key === key)?.targets ?? []);
  return to.targetGroups.filter((group) => targetsOf(from, group.key) !== targetsOf(to, group.key)).map((group) => group.key);
}

function isNotApplicable(value: object): value is NotApplicable {
  return 'notApplicable' in value;
}

/** Runs `body` in a fresh world and closes it whatever happens. */
async function inWorld(adapter: ContractAdapter, body: (world: ContractWorld, specs: Specs) => void | Promise<void>): Promise<void> {
  const setup: ContractSetup = { material: {} };
  const world = await adapter.createWorld(setup);
  try {
    await body(world, new Specs(world, setup));
  } finally {
    await world.close();
  }
}

/** What a world answers before any test runs: which promises apply, so skipped ones say why. */
interface Applicability {
  restart?: string;
  crash?: string;
  foreign?: string;
  applyTargets?: string;
  targetHealth?: string;
}

async function applicabilityOf(adapter: ContractAdapter): Promise<Applicability> {
  const applicability: Applicability = {};
  await inWorld(adapter, (world) => {
    if (isNotApplicable(world.restart)) applicability.restart = world.restart.notApplicable;
    if (isNotApplicable(world.crash)) applicability.crash = world.crash.notApplicable;
    else if (applicability.restart) applicability.crash = `a crash needs a restart: ${applicability.restart}`;
    if (isNotApplicable(world.foreign)) applicability.foreign = world.foreign.notApplicable;
    if (!world.provider.applyTargets) applicability.applyTargets = `${world.provider.name} has no applyTargets (optional)`;
    if (!world.provider.targetHealth) applicability.targetHealth = `${world.provider.name} has no targetHealth (optional)`;
  });
  return applicability;
}

/** Registers the contract's tests for one provider. Call it at the top level of a test file. */
export function providerContract(adapter: ContractAdapter): void {
  describe(`provider contract: ${adapter.name}`, async () => {
    const skip = await applicabilityOf(adapter);
    const when = (reason: string | undefined): { skip?: string } => (reason === undefined ? {} : { skip: reason });

    it('creates a load balancer from empty that serves the spec and reports its address', () =>
      inWorld(adapter, async (world, specs) => {
        assert.deepEqual(await world.inventory(), [], 'a fresh world holds nothing');
        const spec = specs.shop();
        const { plan, result } = await reconcile(world.provider, SHOP, spec);
        assert.ok(plan.operations.length > 0, 'creating is a plan with operations');
        assert.ok((await world.mutations()) > 0, 'and mutating calls');
        assert.ok(addressOf(result), 'the address for Ingress status');
        assert.ok((await world.inventory()).length > 0);
        await assertServes(world, spec, SHOP_URLS, 'after the create');
        await assertConverged(world, world.provider, spec, 'after the create');
      }));

    it('makes no mutating call in an unchanged resync, for a spec translated again', () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        const before = await world.mutations();
        const { plan } = await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        assert.deepEqual(plan.operations, []);
        assert.equal(await world.mutations(), before);
        await assertConverged(world, world.provider, specs.shop({ tls: true }), 'on a second resync');
      }));

    it('finds its own resources after a restart and changes nothing', when(skip.restart), () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        const restart = world.restart as () => Provider;
        await assertConverged(world, restart(), specs.shop({ tls: true }), 'after a restart');
      }),
    );

    it('adds, removes and reorders rules', () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop());
        const steps: [string, LoadBalancerSpec][] = [
          ['after a rule is added', specs.shop({ rules: [...BASE_RULES, C_RULE] })],
          ['after a rule is removed', specs.shop({ rules: [BASE_RULES[0] as NonNullable<Paths>[number], C_RULE] })],
          ['after the rules are reordered', reversePriorities(specs.shop())],
        ];
        for (const [step, spec] of steps) {
          await reconcile(world.provider, SHOP, spec);
          await assertServes(world, spec, SHOP_URLS, step);
          await assertConverged(world, world.provider, spec, step);
        }
        assert.notEqual(
          expectedRoute(steps[2]![1], 'http://a.test/api/x').route,
          expectedRoute(specs.shop(), 'http://a.test/api/x').route,
          'the reorder changes where a request goes',
        );
      }));

    it('follows target changes', () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ aEndpoints: [0] }));
        for (const aEndpoints of [[0, 1], [1]] as const) {
          const spec = specs.shop({ aEndpoints });
          await reconcile(world.provider, SHOP, spec);
          await assertServes(world, spec, SHOP_URLS, `with Service a at ${aEndpoints.join(', ')}`);
          await assertConverged(world, world.provider, spec, `with Service a at ${aEndpoints.join(', ')}`);
        }
      }));

    it('rotates a certificate in place', () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        assert.equal(await world.certificateFor(specs.shop({ tls: true }), 'a.test'), specs.fingerprint(), "the Secret's certificate is served");
        const inventory = await world.inventory();
        const rotated = specs.rotateCertificate();
        const spec = specs.shop({ tls: true });
        await reconcile(world.provider, SHOP, spec);
        assert.equal(await world.certificateFor(spec, 'a.test'), rotated, 'the new certificate is served');
        assert.deepEqual(await world.inventory(), inventory, 'the same resources: nothing duplicated, nothing left behind');
        await assertServes(world, spec, SHOP_URLS, 'after the rotation');
        await assertConverged(world, world.provider, spec, 'after the rotation');
      }));

    it('leaves nothing after a delete or a reconcile to no spec, and deleting nothing is harmless', () =>
      inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        await world.provider.delete({ id: SHOP });
        assert.deepEqual(await world.inventory(), [], 'delete leaves nothing');

        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        await reconcile(world.provider, SHOP, undefined);
        assert.deepEqual(await world.inventory(), [], 'a reconcile to no spec leaves nothing');

        const before = await world.mutations();
        await world.provider.delete({ id: SHOP });
        const { plan } = await reconcile(world.provider, NEIGHBOUR, undefined);
        assert.deepEqual(plan.operations, [], 'no plan to delete a stack that does not exist');
        assert.equal(await world.mutations(), before, 'deleting what does not exist makes no mutating call');
      }));

    it('converges after a crash between any two calls, with nothing leaked or duplicated', when(skip.crash), async () => {
      let calls = 0;
      let expected: string[] = [];
      await inWorld(adapter, async (world, specs) => {
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        calls = await world.mutations();
        expected = await world.inventory();
      });
      assert.ok(calls >= 2, `the create makes ${calls} mutating calls`);
      for (let k = 0; k < calls; k += 1) {
        await inWorld(adapter, async (world, specs) => {
          const crash = world.crash as CrashInjection;
          const spec = specs.shop({ tls: true });
          crash.after(k);
          const crashed = await world.provider.apply(world.provider.diff(spec, await world.provider.observe({ id: SHOP }, spec)));
          assert.ok(
            crashed.outcomes.some((outcome) => outcome.error !== undefined),
            `the crash after ${k} calls is an operation's error, not an exception`,
          );
          crash.clear();
          const restarted = (world.restart as () => Provider)();
          await reconcile(restarted, SHOP, spec);
          await assertConverged(world, restarted, spec, `after a crash at call ${k}`);
          assert.deepEqual(await world.inventory(), expected, `the same resources as a create without a crash (crash at call ${k})`);
          await assertServes(world, spec, SHOP_URLS, `after a crash at call ${k}`);
        });
      }
    });

    it('never touches a resource it does not own', when(skip.foreign), () =>
      inWorld(adapter, async (world, specs) => {
        const untouched = await (world.foreign as ForeignResources).plant();
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        await reconcile(world.provider, SHOP, specs.shop({ rules: [C_RULE] }));
        await world.provider.delete({ id: SHOP });
        await untouched();
      }),
    );

    it('leaves another stack as it was while one changes and goes', () =>
      inWorld(adapter, async (world, specs) => {
        const neighbour = specs.neighbour();
        await reconcile(world.provider, NEIGHBOUR, neighbour);
        await reconcile(world.provider, SHOP, specs.shop({ tls: true }));
        await reconcile(world.provider, SHOP, specs.shop({ rules: [...BASE_RULES, C_RULE], aEndpoints: [1] }));
        await assertServes(world, neighbour, NEIGHBOUR_URLS, 'while another stack changes');
        await world.provider.delete({ id: SHOP });
        await assertServes(world, neighbour, NEIGHBOUR_URLS, 'after another stack is deleted');
        await assertConverged(world, world.provider, neighbour, 'after another stack is deleted');
      }));

    describe('optional: targetHealth', () => {
      it('reads without a mutating call, and reports only what was asked of groups it applied', when(skip.targetHealth), () =>
        inWorld(adapter, async (world, specs) => {
          const spec = specs.shop();
          await reconcile(world.provider, SHOP, spec);
          const asked = new Map<string, TargetRef[]>(
            spec.targetGroups.map((group) => [group.key, group.targets.slice(0, 1).map((target) => ({ id: target.id, port: target.port }))]),
          );
          asked.set('default/never-applied:80/ip', [{ id: '127.0.0.9', port: 9 }]);
          const before = await world.mutations();
          const report = await world.provider.targetHealth!(SHOP, asked);
          assert.equal(await world.mutations(), before, 'reading health mutates nothing');
          assert.deepEqual([...report.keys()].sort(), spec.targetGroups.map((group) => group.key).sort(), 'groups it did not apply are left out');
          for (const [key, health] of report) {
            const wanted = (asked.get(key) ?? []).map((target) => `${target.id}:${target.port}`);
            assert.ok(
              [...health.keys()].every((target) => wanted.includes(target)),
              `only the targets asked of ${key}`,
            );
          }
          assert.deepEqual(await world.provider.targetHealth!(NEIGHBOUR, asked), new Map(), 'a stack it never applied has no report');
        }),
      );
    });

    describe('optional: applyTargets', () => {
      it('brings targets in step, leaving nothing for a full reconcile, and makes no call when they are', when(skip.applyTargets), () =>
        inWorld(adapter, async (world, specs) => {
          let current = specs.shop({ aEndpoints: [0] });
          await reconcile(world.provider, SHOP, current);
          for (const aEndpoints of [[0], [0, 1], [1]] as const) {
            const spec = specs.shop({ aEndpoints });
            const keys = changedTargetGroups(current, spec);
            const before = await world.mutations();
            const result = await world.provider.applyTargets!(spec, keys.length > 0 ? keys : spec.targetGroups.map((group) => group.key));
            if (keys.length === 0) assert.equal(await world.mutations(), before, 'targets already in step: no mutating call');
            assert.ok(result, 'a stack it applied, whose groups exist, takes the fast path');
            assertSucceeded(result);
            await assertServes(world, spec, SHOP_URLS, `after applyTargets with Service a at ${aEndpoints.join(', ')}`);
            await assertConverged(world, world.provider, spec, `after applyTargets with Service a at ${aEndpoints.join(', ')}`);
            current = spec;
          }
        }),
      );

      it('converges after a crash between its calls', when(skip.applyTargets ?? skip.crash), async () => {
        let calls = 0;
        let expected: string[] = [];
        await inWorld(adapter, async (world, specs) => {
          await reconcile(world.provider, SHOP, specs.shop({ aEndpoints: [0] }));
          const before = await world.mutations();
          const spec = specs.shop({ aEndpoints: [1] });
          const result = await world.provider.applyTargets!(spec, changedTargetGroups(specs.shop({ aEndpoints: [0] }), spec));
          assert.ok(result, 'a remembered stack whose groups exist takes the fast path');
          calls = (await world.mutations()) - before;
          expected = await world.inventory();
        });
        assert.ok(calls >= 1, `the target change makes ${calls} mutating calls`);
        for (let k = 0; k < calls; k += 1) {
          await inWorld(adapter, async (world, specs) => {
            const crash = world.crash as CrashInjection;
            const from = specs.shop({ aEndpoints: [0] });
            await reconcile(world.provider, SHOP, from);
            const spec = specs.shop({ aEndpoints: [1] });
            crash.after(k);
            await world.provider.applyTargets!(spec, changedTargetGroups(from, spec));
            crash.clear();
            const restarted = (world.restart as () => Provider)();
            await reconcile(restarted, SHOP, spec);
            await assertConverged(world, restarted, spec, `after a crash at call ${k} of applyTargets`);
            assert.deepEqual(await world.inventory(), expected, `nothing leaked or duplicated (crash at call ${k})`);
            await assertServes(world, spec, SHOP_URLS, `after a crash at call ${k} of applyTargets`);
          });
        }
      });
    });
  });
}
