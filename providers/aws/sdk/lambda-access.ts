/**
 * The Lambda client of a client set: the one createAwsClients made, or, for a set made by hand (tests,
 * plugins), one made on first use in the region of the set's ELBv2 client — ELB invokes only
 * functions of its own region.
 * @module
 */
import type { AwsClients } from './clients.js';
import { lazyLambdaClient, type LambdaAccess } from './lambda.js';

const fallbacks = new WeakMap<AwsClients, LambdaAccess>();

export function lambdaAccessOf(clients: AwsClients): LambdaAccess {
  if (clients.lambda) return clients.lambda;
  let access = fallbacks.get(clients);
  if (!access) {
    access = lazyLambdaClient(async () => ({ region: await clients.elbv2.config.region() }));
    fallbacks.set(clients, access);
  }
  return access;
}
