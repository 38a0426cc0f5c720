/**
 * WAFv2, as far as the controller uses it: regional web ACLs (seeded; the controller never makes
 * one), listed by ListWebACLs, and their association with an Application Load Balancer —
 * GetWebACLForResource, AssociateWebACL (a resource has at most one web ACL: associating another
 * replaces it) and DisassociateWebACL (succeeds when there is none). An association goes when its
 * load balancer is deleted (elbv2.ts).
 * @module
 */
import type { AssociateWebACLRequest, DisassociateWebACLRequest, GetWebACLForResourceRequest, ListWebACLsRequest, WebACL } from '@aws-sdk/client-wafv2';
import { wafv2Error } from './errors.js';
import { checkPageSize, pageOf } from './pagination.js';
import { handler, type FakeState, type Handler, type WebAclRecord } from './state.js';

function describe(acl: WebAclRecord): WebACL {
  return {
    Name: acl.name,
    Id: acl.id,
    ARN: acl.arn,
    DefaultAction: { Allow: {} },
    VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl.name },
  };
}

function requireLoadBalancerResource(state: FakeState, arn: string | undefined): string {
  if (arn === undefined || !state.loadBalancers.has(arn)) {
    throw wafv2Error('WAFNonexistentItemException', `AWS WAF couldn’t perform the operation because your resource doesn’t exist: ${arn ?? ''}`);
  }
  return arn;
}

function getWebAclForResource(state: FakeState, input: GetWebACLForResourceRequest): object {
  const resource = requireLoadBalancerResource(state, input.ResourceArn);
  const acl = state.webAcls.get(state.webAclAssociations.get(resource) ?? '');
  return acl === undefined ? {} : { WebACL: describe(acl) };
}

function associateWebAcl(state: FakeState, input: AssociateWebACLRequest): object {
  const acl = state.webAcls.get(input.WebACLArn ?? '');
  if (acl === undefined)
    throw wafv2Error('WAFNonexistentItemException', `AWS WAF couldn’t perform the operation because your web ACL doesn’t exist: ${input.WebACLArn ?? ''}`);
  state.webAclAssociations.set(requireLoadBalancerResource(state, input.ResourceArn), acl.arn);
  return {};
}

function disassociateWebAcl(state: FakeState, input: DisassociateWebACLRequest): object {
  state.webAclAssociations.delete(requireLoadBalancerResource(state, input.ResourceArn));
  return {};
}

function listWebAcls(state: FakeState, input: ListWebACLsRequest): object {
  if (input.Scope !== 'REGIONAL') throw wafv2Error('WAFInvalidParameterException', 'Only the REGIONAL scope is modelled by the fake');
  const invalid = (message: string): Error => wafv2Error('WAFInvalidParameterException', message);
  const requested = checkPageSize(input.Limit, { min: 1, max: 100, field: 'Limit' }, invalid);
  const page = pageOf(state, [...state.webAcls.values()], { api: 'ListWebACLs', token: input.NextMarker, requested, defaultSize: 100, invalidToken: invalid });
  return {
    WebACLs: page.items.map((acl) => ({ Name: acl.name, Id: acl.id, ARN: acl.arn, LockToken: acl.id })),
    ...(page.next !== undefined && { NextMarker: page.next }),
  };
}

export const wafv2Handlers: Readonly<Record<string, Handler>> = {
  GetWebACLForResource: handler(getWebAclForResource),
  AssociateWebACL: handler(associateWebAcl),
  DisassociateWebACL: handler(disassociateWebAcl),
  ListWebACLs: handler(listWebAcls),
};
