/**
 * Lookups that depend on the spec rather than on what the stack owns: the subnets (and so the VPC)
 * a new load balancer goes into, issued certificates that cover the TLS hosts, the security groups
 * of the targets, the ARNs of what the spec names by name (a web ACL, trust stores, target groups
 * outside the cluster), and the attributes of listeners whose spec lists some. Made before diff when observe is given the spec, so the plan names real
 * ids and an unchanged stack plans nothing; each is cached for minutes by its own module, so a
 * resync pays for none of them.
 *
 * When observe was not given the spec, the plan keeps `${Subnets}` and `${Vpc}` and apply looks them
 * up on first use (apply/lookups.ts).
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import { observeAddons } from './addons.js';
import { backendSecurityGroupIds } from './backend-security-groups.js';
import { observeListenerAttributes } from './listener-attributes.js';
import { resolveNamedResources } from './named-resources.js';
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
  const [subnets, certificates, backendGroupIds, named, listenerAttributes, addons] = await Promise.all([
    needsSubnets ? call('resolveSubnets', () => resolveSubnets(clients, spec.subnets, spec.scheme, context.clusterName)) : undefined,
    call('discoverCertificates', () => discoverCertificates(clients, spec)),
    context.manageBackendRules ? call('backendSecurityGroupIds', () => backendSecurityGroupIds(clients, spec)) : [],
    resolveNamedResources(spec, { clients, call }),
    observeListenerAttributes(spec, observed.listeners, { clients, call }),
    observeAddons({ clients, call }, observed.loadBalancer, spec),
  ]);
  return {
    ...(subnets && { subnets }),
    discoveredCertificates: certificates.found,
    certificateProblems: Object.fromEntries(certificates.problems.map((problem) => [certificateRef(problem.key), problem.message])),
    backendGroupIds,
    webAclArns: named.webAclArns,
    trustStoreArns: named.trustStoreArns,
    externalTargetGroupArns: named.externalTargetGroupArns,
    listenerAttributes,
    problems: named.problems,
    addons,
  };
}

/** What of the observed state lookUpForSpec reads: lookups made for equal inputs are the same. */
export function lookupInputs(observed: AwsObserved): string {
  const lb = observed.loadBalancer;
  return JSON.stringify([
    lb?.description.LoadBalancerArn,
    lb?.description.Scheme,
    lb?.tags,
    observed.listeners.map((listener) => [listener.description.Port, listener.description.ListenerArn]),
  ]);
}
