/**
 * Resources the spec names by name that the provider does not own, resolved to ARNs before diff so a
 * plan names real ARNs (and an unchanged stack plans nothing): a WAFv2 web ACL (`wafv2-acl-name`), a
 * trust store (`mutual-authentication` trustStore), a target group outside the cluster
 * (`targetGroupName`). Each answer is cached for minutes, per provider, as the other lookups are; a
 * name that is not found is not remembered, so it is seen as soon as someone creates it. What is not
 * found becomes a problem on the placeholder the plan uses instead, and apply fails with it.
 *
 * Calls: one ListWebACLs (paged) for all web ACL names; one DescribeTrustStores or
 * DescribeTargetGroups per name (a name that does not exist fails the whole call, so they are not
 * batched).
 * @module
 */
import { DescribeTargetGroupsCommand, DescribeTrustStoresCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { AwsClients } from '../sdk/clients.js';
import { isNotFound } from '../sdk/errors.js';
import type { Call } from '../sdk/retry.js';
import { targetGroupRef, trustStoreRef, webAclRef } from '../plan/resource-ids.js';
import { cachePerOwner } from './lookup-cache.js';

const TTL_MS = 5 * 60_000;
/** ListWebACLs' largest page. */
const WEB_ACL_PAGE = 100;
const webAclCaches = cachePerOwner<Map<string, string>>(TTL_MS);
const arnByNameCaches = cachePerOwner<string | undefined>(TTL_MS);

export interface NamedResources {
  /** Web ACL name → ARN. */
  webAclArns: Record<string, string>;
  /** Trust store name → ARN. */
  trustStoreArns: Record<string, string>;
  /** External target-group key (`external:…`) → ARN, for those given by ARN too. */
  externalTargetGroupArns: Record<string, string>;
  /** Placeholder → why it cannot be resolved. */
  problems: Record<string, string>;
}

export interface NamedContext {
  clients: AwsClients;
  call: Call;
}

export async function resolveNamedResources(spec: LoadBalancerSpec, context: NamedContext): Promise<NamedResources> {
  const resolved: NamedResources = { webAclArns: {}, trustStoreArns: {}, externalTargetGroupArns: {}, problems: {} };
  const trustStoreNames = [...new Set(spec.listeners.flatMap((listener) => listener.mutualAuthentication?.trustStoreName ?? []))];
  const webAclName = spec.webAcl?.kind === 'name' ? spec.webAcl.name : undefined;
  const tasks: Promise<void>[] = [];
  if (webAclName !== undefined) {
    tasks.push(
      (async () => {
        const arn = (await webAclCaches(context.clients).get('REGIONAL', () => listWebAcls(context))).get(webAclName);
        if (arn !== undefined) resolved.webAclArns[webAclName] = arn;
        else resolved.problems[webAclRef(webAclName)] = `no regional WAFv2 web ACL is named ${webAclName} in this Region`;
      })(),
    );
  }
  for (const name of trustStoreNames) {
    tasks.push(
      (async () => {
        const arn = await arnByName(context, `trust-store:${name}`, () => trustStoreArn(context, name));
        if (arn !== undefined) resolved.trustStoreArns[name] = arn;
        else resolved.problems[trustStoreRef(name)] = `no trust store is named ${name} in this Region`;
      })(),
    );
  }
  for (const external of spec.externalTargetGroups ?? []) {
    if (external.ref.kind === 'arn') {
      resolved.externalTargetGroupArns[external.key] = external.ref.arn;
      continue;
    }
    const name = external.ref.name;
    tasks.push(
      (async () => {
        const arn = await arnByName(context, `target-group:${name}`, () => targetGroupArn(context, name));
        if (arn !== undefined) resolved.externalTargetGroupArns[external.key] = arn;
        else resolved.problems[targetGroupRef(external.key)] = `no target group is named ${name} in this Region`;
      })(),
    );
  }
  await Promise.all(tasks);
  return resolved;
}

function arnByName(context: NamedContext, key: string, load: () => Promise<string | undefined>): Promise<string | undefined> {
  return arnByNameCaches(context.clients).get(key, load, { keep: (arn) => arn !== undefined });
}

async function listWebAcls(context: NamedContext): Promise<Map<string, string>> {
  const wafv2 = await context.clients.wafv2.load();
  const byName = new Map<string, string>();
  let marker: string | undefined;
  do {
    const page = await context.call('ListWebACLs', () =>
      wafv2.client.send(new wafv2.sdk.ListWebACLsCommand({ Scope: 'REGIONAL', Limit: WEB_ACL_PAGE, ...(marker !== undefined && { NextMarker: marker }) })),
    );
    for (const acl of page.WebACLs ?? []) if (acl.Name !== undefined && acl.ARN !== undefined) byName.set(acl.Name, acl.ARN);
    // WAFv2 may return a NextMarker on the last page too: a page short of the limit is the last.
    marker = (page.WebACLs?.length ?? 0) >= WEB_ACL_PAGE ? page.NextMarker || undefined : undefined;
  } while (marker !== undefined);
  return byName;
}

async function trustStoreArn(context: NamedContext, name: string): Promise<string | undefined> {
  return undefinedIfNotFound(async () => {
    const output = await context.call('DescribeTrustStores', () => context.clients.elbv2.send(new DescribeTrustStoresCommand({ Names: [name] })));
    return output.TrustStores?.[0]?.TrustStoreArn;
  });
}

async function targetGroupArn(context: NamedContext, name: string): Promise<string | undefined> {
  return undefinedIfNotFound(async () => {
    const output = await context.call('DescribeTargetGroups', () => context.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] })));
    return output.TargetGroups?.[0]?.TargetGroupArn;
  });
}

/** A Describe by name fails when the name does not exist: that answer is "no such resource", not an error. */
async function undefinedIfNotFound(describe: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await describe();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
