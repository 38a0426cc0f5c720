/**
 * What stands in front of the load balancer, which the provider does not own but may have set: the
 * WAFv2 web ACL associated with it and its Shield Advanced protection. Read only for a stack that
 * asks for them (the spec names a web ACL or Shield) or whose load balancer carries our marker tag
 * (we set one before): a stack that uses neither costs no call.
 *
 * - WAF: GetWebACLForResource, one call per observe of such a stack (the association is one fact
 *   about one resource, and anyone may change it: it is read each time, never cached).
 * - Shield: ListProtections filtered to Application Load Balancers, one call (per page) for every
 *   stack of the provider, cached for minutes; the answer is forgotten as soon as a call of ours
 *   creates or deletes a protection (apply/commands.ts calls forgetProtections), so its own changes
 *   are never read stale. Shield's API has no batch describe by ARN, and DescribeProtection per stack would cost a
 *   call per stack per resync.
 * @module
 */
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import type { Call } from '../sdk/retry.js';
import { SHIELD_TAG, tagValue, WEB_ACL_TAG } from '../plan/tags.js';
import { cachePerOwner } from './lookup-cache.js';
import type { ObservedAddons, ObservedLoadBalancer } from './observed.js';

export interface AddonContext {
  clients: AwsClients;
  call: Call;
}

const PROTECTIONS_TTL_MS = 5 * 60_000;
const PROTECTIONS_KEY = 'application-load-balancers';
const protectionCaches = cachePerOwner<Map<string, string>>(PROTECTIONS_TTL_MS);

export async function observeAddons(
  context: AddonContext,
  loadBalancer: ObservedLoadBalancer | undefined,
  spec: LoadBalancerSpec | undefined,
): Promise<ObservedAddons> {
  const arn = loadBalancer?.description.LoadBalancerArn;
  if (!loadBalancer || arn === undefined) return {};
  const wantsWaf = spec?.webAcl !== undefined || tagValue(loadBalancer.tags, WEB_ACL_TAG) !== undefined;
  const wantsShield = spec?.shieldAdvancedProtection === true || tagValue(loadBalancer.tags, SHIELD_TAG) !== undefined;
  const [webAcl, shield] = await Promise.all([wantsWaf ? associatedWebAcl(context, arn) : undefined, wantsShield ? protectionOf(context, arn) : undefined]);
  return { ...(webAcl && { webAcl }), ...(shield && { shield }) };
}

async function associatedWebAcl(context: AddonContext, resourceArn: string): Promise<{ associatedArn?: string }> {
  const wafv2 = await context.clients.wafv2.load();
  const output = await context.call('GetWebACLForResource', () => wafv2.client.send(new wafv2.sdk.GetWebACLForResourceCommand({ ResourceArn: resourceArn })));
  const associated = output.WebACL?.ARN;
  return associated === undefined ? {} : { associatedArn: associated };
}

async function protectionOf(context: AddonContext, resourceArn: string): Promise<{ protectionId?: string }> {
  const protections = await protectionCaches(context.clients).get(PROTECTIONS_KEY, () => listProtections(context));
  const id = protections.get(resourceArn);
  return id === undefined ? {} : { protectionId: id };
}

/** Resource ARN → protection id, for every protected Application Load Balancer of the account. */
async function listProtections(context: AddonContext): Promise<Map<string, string>> {
  const shield = await context.clients.shield.load();
  const byResource = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await context.call('ListProtections', () =>
      shield.client.send(
        new shield.sdk.ListProtectionsCommand({
          InclusionFilters: { ResourceTypes: ['APPLICATION_LOAD_BALANCER'] },
          ...(token !== undefined && { NextToken: token }),
        }),
      ),
    );
    for (const protection of page.Protections ?? []) {
      if (protection.ResourceArn !== undefined && protection.Id !== undefined) byResource.set(protection.ResourceArn, protection.Id);
    }
    token = page.NextToken || undefined;
  } while (token !== undefined);
  return byResource;
}

/** After an apply that created or deleted a protection: the next observe reads them again. */
export function forgetProtections(clients: AwsClients): void {
  protectionCaches(clients).forget(PROTECTIONS_KEY);
}
