/**
 * The target fast path's engine (providers/aws/apply/target-sync.ts) against a stub ELBv2 client
 * whose calls stay in flight until the test answers them: one registration and one deregistration
 * in flight per group, what arrives meanwhile coalesced into the next call, 200 targets per call,
 * registrations before deregistrations when the registration bucket is the limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetSync } from '../../../providers/aws/apply/target-sync.js';
import { targetKey } from '../../../providers/aws/plan/diff-targets.js';
import { ApiBudget } from '../../../providers/aws/sdk/budget.js';
import type { AwsClients } from '../../../providers/aws/sdk/clients.js';
import { settle, VirtualClock } from '../../support/virtual-clock.js';

interface SentCall {
  action: string;
  arn: string;
  targets: string[];
  answer: () => void;
  fail: (error: Error) => void;
}

/** An ELBv2 client whose calls wait for the test; it takes budget tokens as the real middleware would. */
function stubWorld(options: { budget?: ApiBudget } = {}) {
  const sent: SentCall[] = [];
  const registered = new Map<string, Set<string>>([
    ['tg-a', new Set()],
    ['tg-b', new Set()],
  ]);
  const failedStacks: string[] = [];
  const elbv2 = {
    async send(command: { constructor: { name: string }; input: { TargetGroupArn: string; Targets: TargetDescription[] } }): Promise<object> {
      const action = command.constructor.name.replace(/Command$/, '');
      await options.budget?.acquire('elbv2', action);
      return new Promise((resolve, reject) => {
        sent.push({
          action,
          arn: command.input.TargetGroupArn,
          targets: command.input.Targets.map((target) => target.Id ?? ''),
          answer: () => resolve({}),
          fail: reject,
        });
      });
    },
  };
  const sync = new TargetSync({
    clients: { elbv2 } as unknown as AwsClients,
    call: (_label, run) => run(),
    ...(options.budget && { budget: options.budget }),
    registered: (_stack, arn) => registered.get(arn),
    succeeded: (_stack, operation, input) => {
      const set = registered.get(input.TargetGroupArn as string);
      for (const target of input.Targets as TargetDescription[]) {
        if (operation.action === 'RegisterTargets') set?.add(targetKey(target));
        else set?.delete(targetKey(target));
      }
    },
    failed: (stack) => failedStacks.push(stack),
  });
  const want = (arn: string, ids: string[]) => ({ stackId: 'shop', arn, resource: `TargetGroup/${arn}`, targets: ids.map((Id) => ({ Id, Port: 80 })) });
  const ids = (set: Set<string> | undefined): string[] => [...(set ?? [])].map((key) => key.split(':')[0] ?? '').sort();
  return { sent, registered, failedStacks, sync, want, ids };
}

const addresses = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, index) => `10.0.${Math.floor((from + index) / 250)}.${((from + index) % 250) + 1}`);

describe('TargetSync', () => {
  it('resolves once the new targets are registered; the old ones leave after, in the background', async () => {
    const { sent, registered, sync, want, ids } = stubWorld();
    for (const id of ['10.0.0.1', '10.0.0.2']) registered.get('tg-a')?.add(`${id}:80`);
    let converged = false;
    const done = sync.converge([want('tg-a', ['10.0.0.3', '10.0.0.4'])]).then((result) => {
      converged = true;
      return result;
    });
    await settle();
    assert.deepEqual(
      sent.map((call) => [call.action, call.targets.sort()]),
      [
        ['RegisterTargets', ['10.0.0.3', '10.0.0.4']],
        ['DeregisterTargets', ['10.0.0.1', '10.0.0.2']],
      ],
    );
    sent[0]?.answer();
    const result = await done;
    assert.equal(converged, true, 'the deregistration is still in flight');
    assert.deepEqual(
      result.outcomes.map((outcome) => outcome.operation.action),
      ['RegisterTargets'],
    );
    sent[1]?.answer();
    await settle();
    assert.deepEqual(ids(registered.get('tg-a')), ['10.0.0.3', '10.0.0.4']);
  });

  it('coalesces what arrives while a call is in flight into the next call of that group', async () => {
    const { sent, registered, sync, want, ids } = stubWorld();
    const first = sync.converge([want('tg-a', ['10.0.0.1'])]);
    await settle();
    const second = sync.converge([want('tg-a', ['10.0.0.1', '10.0.0.2'])]);
    const third = sync.converge([want('tg-a', ['10.0.0.1', '10.0.0.2', '10.0.0.3'])]);
    await settle();
    assert.equal(sent.length, 1, 'one call in flight per group');
    sent[0]?.answer();
    await first;
    await settle();
    assert.deepEqual(
      sent.map((call) => call.targets.sort()),
      [['10.0.0.1'], ['10.0.0.2', '10.0.0.3']],
    );
    sent[1]?.answer();
    await Promise.all([second, third]);
    assert.deepEqual(ids(registered.get('tg-a')), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('groups do not wait for each other', async () => {
    const { sent, sync, want } = stubWorld();
    void sync.converge([want('tg-a', ['10.0.0.1'])]);
    void sync.converge([want('tg-b', ['10.0.0.9'])]);
    await settle();
    assert.deepEqual(
      sent.map((call) => call.arn),
      ['tg-a', 'tg-b'],
    );
  });

  it('batches up to 200 targets per call', async () => {
    const { sent, registered, sync, want } = stubWorld();
    const done = sync.converge([want('tg-a', addresses(0, 450))]);
    for (let answered = 0; answered < 3; answered += 1) {
      await settle();
      sent[answered]?.answer();
    }
    await done;
    assert.deepEqual(
      sent.map((call) => call.targets.length),
      [200, 200, 50],
    );
    assert.equal(registered.get('tg-a')?.size, 450);
  });

  it('registers before it deregisters when the registration bucket is the limit', async () => {
    const clock = new VirtualClock();
    const budget = new ApiBudget({ clock });
    const { sent, registered, sync, want } = stubWorld({ budget });
    // Every new Pod replaces an old one in the same group: 1 registration and 1 deregistration each time.
    const old = addresses(0, 40);
    for (const id of old) registered.get('tg-a')?.add(`${id}:80`);
    const registeredAt: number[] = [];
    const wanted = new Set(old);
    for (let change = 0; change < 40; change += 1) {
      wanted.delete(old[change] ?? '');
      wanted.add(addresses(1000 + change, 1)[0] ?? '');
      const askedAt = clock.now();
      void sync.converge([want('tg-a', [...wanted])]).then(() => registeredAt.push(clock.now() - askedAt));
      for (let step = 0; step < 3; step += 1) {
        await settle();
        for (const call of sent.splice(0)) call.answer();
      }
      await clock.advanceBy(300);
    }
    await clock.advanceBy(60_000);
    for (const call of sent.splice(0)) call.answer();
    await settle();
    assert.equal(registeredAt.length, 40);
    assert.deepEqual(
      registeredAt.filter((waited) => waited > 0),
      [],
      'no registration waited for a token',
    );
    const stats = budget.stats();
    assert.ok((stats.acquiredByBucket['elbv2-registration'] ?? 0) < 80, 'deregistrations were batched');
    assert.equal(registered.get('tg-a')?.size, 40);
  });

  it('a failed registration stops the group, tells the provider, and reports the error', async () => {
    const { sent, failedStacks, sync, want } = stubWorld();
    const done = sync.converge([want('tg-a', ['10.0.0.1'])]);
    await settle();
    sent[0]?.fail(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const result = await done;
    assert.match(result.error ?? '', /RegisterTargets TargetGroup\/tg-a failed: Throttling/);
    assert.deepEqual(failedStacks, ['shop']);
  });

  it('makes no call once this replica may not mutate', async () => {
    const { sent, sync, want } = stubWorld();
    const result = await sync.converge([want('tg-a', ['10.0.0.1'])], { mayMutate: () => false });
    assert.deepEqual(sent, []);
    assert.match(result.error ?? '', /no longer the leader/);
  });
});
