/**
 * Lookups that depend on the spec rather than on what the stack owns: the subnets (and so the VPC)
 * a new load balancer goes into, issued certificates that cover the TLS hosts, and the security
 * groups of the targets. Made before diff when observe is given the spec, so the plan names real
 * ids and an unchanged stack plans nothing; each is cached for minutes by its own module, so a
 * resync pays for none of them.
 *
 * When observe was not given the spec, the plan keeps `${Subnets}` and `${Vpc}` and apply looks them
 * up on first use (apply/lookups.ts).
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { backendSecurityGroupIds } from './backend-security-groups.js';
import { discoverCertificates } from './certificate-discovery.js';
import type { AwsClients } from '../sdk/clients.js';
import type { AwsObserved, SpecLookups } from './observed.js';
import { certificateRef } from '../plan/resource-ids.js';
import type { Call } from '../sdk/retry.js';
import { resolveSubnets } from './subnets.js';

export interface LookupContext {
  clients: AwsClients;
  call: Call;
  clusterName: string;
  manageBackendRules: boolean;
}

export async function lookUpForSpec(spec: LoadBalancerSpec, observed: AwsObserved, context: LookupContext): Promise<SpecLookups> {
  const { clients, call } = context;
  const lb = observed.loadBalancer?.description;
  const needsSubnets = !lb || lb.Scheme !== spec.scheme || spec.subnets.kind === 'ids';
  const [subnets, certificates, backendGroupIds] = await Promise.all([
    needsSubnets ? call('resolveSubnets', () => resolveSubnets(clients, spec.subnets, spec.scheme, context.clusterName)) : undefined,
    call('discoverCertificates', () => discoverCertificates(clients, spec)),
    context.manageBackendRules ? call('backendSecurityGroupIds', () => backendSecurityGroupIds(clients, spec)) : [],
  ]);
  return {
    ...(subnets && { subnets }),
    discoveredCertificates: certificates.found,
    certificateProblems: Object.fromEntries(certificates.problems.map((problem) => [certificateRef(problem.key), problem.message])),
    backendGroupIds,
  };
}
