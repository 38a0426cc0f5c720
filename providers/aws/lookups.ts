/**
 * Lookups that depend on the spec rather than on what the stack owns: the subnets (and so the VPC)
 * a new load balancer goes into, issued certificates that cover the TLS hosts, and the security
 * groups of the targets. Made before diff when observe is given the spec, so the plan names real
 * ids and an unchanged stack plans nothing; each is cached for minutes by its own module, so a
 * resync pays for none of them.
 *
 * When observe was not given the spec, the plan keeps `${Subnets}` and `${Vpc}` and apply looks them
 * up on first use (`applyTimeLookup`).
 * @module
 */
import type { LoadBalancerSpec, Scheme, SubnetSelection } from '../../src/model.js';
import type { ResolveReference } from './apply-references.js';
import { ApplyFailure } from './apply.js';
import { backendSecurityGroupIds } from './backend-security-groups.js';
import { discoverCertificates } from './certificate-discovery.js';
import type { ObservedCertificate } from './certificates.js';
import type { AwsClients } from './clients.js';
import type { AwsObserved } from './observed.js';
import { certificateRef, SUBNETS_REF, VPC_REF } from './resource-ids.js';
import type { Call } from './retry.js';
import { resolveSubnets, type SubnetResolution } from './subnets.js';

export interface SpecLookups {
  /** Resolved when a load balancer is to be created or the spec names its subnets. */
  subnets?: SubnetResolution;
  discoveredCertificates: ObservedCertificate[];
  /** `${Certificate:key}` → why no issued certificate covers the key's hosts. */
  certificateProblems: Record<string, string>;
  backendGroupIds: string[];
}

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
    if (problem !== undefined) throw new ApplyFailure(problem);
    if ((ref !== SUBNETS_REF && ref !== VPC_REF) || !options.placement) return undefined;
    const { subnets, scheme } = options.placement;
    const resolution = await options.call('resolveSubnets', () => resolveSubnets(options.clients, subnets, scheme, options.clusterName));
    if (!resolution.ok) throw new ApplyFailure(`no subnets for the load balancer: ${resolution.message}`);
    return ref === SUBNETS_REF ? resolution.subnetIds : resolution.vpcId;
  };
}
