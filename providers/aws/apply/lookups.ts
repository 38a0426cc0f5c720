/**
 * Lookups made at apply time: when observe was not given the spec, the plan keeps `${Subnets}` and
 * `${Vpc}`, and apply resolves them on first use; a placeholder with a known problem fails with it.
 * A lookup's failure is thrown, like the AWS calls it makes: the executor catches both where it sends
 * the operation and records them as the operation's error.
 * @module
 */
import type { Scheme, SubnetSelection } from '../../../src/model.js';
import { resolveSubnets } from '../observe/subnets.js';
import { SUBNETS_REF, VPC_REF } from '../plan/resource-ids.js';
import type { AwsClients } from '../sdk/clients.js';
import type { Call } from '../sdk/retry.js';
import type { ResolveReference } from './references.js';

/** Resolves `${Subnets}` and `${Vpc}` at apply time; a placeholder with a known problem fails with it. */
export function applyTimeLookup(options: {
  clients: AwsClients;
  call: Call;
  clusterName: string;
  placement: { subnets: SubnetSelection; scheme: Scheme } | undefined;
  problems: Readonly<Record<string, string>>;
}): ResolveReference {
  return async (ref) => {
    const problem = options.problems[ref];
    if (problem !== undefined) throw new Error(problem);
    if ((ref !== SUBNETS_REF && ref !== VPC_REF) || !options.placement) return undefined;
    const { subnets, scheme } = options.placement;
    const resolution = await options.call('resolveSubnets', () => resolveSubnets(options.clients, subnets, scheme, options.clusterName));
    if (!resolution.ok) throw new Error(`no subnets for the load balancer: ${resolution.message}`);
    return ref === SUBNETS_REF ? resolution.subnetIds : resolution.vpcId;
  };
}
