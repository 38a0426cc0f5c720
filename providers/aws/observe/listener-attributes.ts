/**
 * The attributes of the stack's listeners whose spec lists some, read so diff can change only the
 * keys that differ (DescribeListenerAttributes, one call per such listener: the API has no batch
 * form). A listener whose spec lists no attribute costs no call, since only listed keys are managed.
 * @module
 */
import { DescribeListenerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import type { Call } from '../sdk/retry.js';
import type { ObservedListener } from './observed.js';

export async function observeListenerAttributes(
  spec: LoadBalancerSpec,
  listeners: readonly ObservedListener[],
  context: { clients: AwsClients; call: Call },
): Promise<Record<number, Record<string, string>>> {
  const wanted = new Set(spec.listeners.filter((listener) => Object.keys(listener.attributes ?? {}).length > 0).map((listener) => listener.port));
  const read = listeners.filter((listener) => wanted.has(listener.description.Port ?? -1) && listener.description.ListenerArn !== undefined);
  const answers = await Promise.all(
    read.map(async (listener) => {
      const output = await context.call('DescribeListenerAttributes', () =>
        context.clients.elbv2.send(new DescribeListenerAttributesCommand({ ListenerArn: listener.description.ListenerArn })),
      );
      const attributes = Object.fromEntries((output.Attributes ?? []).map(({ Key, Value }) => [Key ?? '', Value ?? '']));
      return [listener.description.Port ?? 0, attributes] as const;
    }),
  );
  return Object.fromEntries(answers);
}
