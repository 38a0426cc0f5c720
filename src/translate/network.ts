/**
 * Where a load balancer stands and who may reach it, the same for an IngressGroup and a Gateway:
 * the subnets the annotations name, or the provider's discovery; the security groups they name, or
 * a managed one open to the inbound CIDRs — by default to every address of its address type.
 * @module
 */
import type { IpAddressType, SecurityGroupSelection, SubnetSelection } from '../model.js';

export function subnetSelection(ids: string[] | undefined): SubnetSelection {
  return ids ? { kind: 'ids', ids } : { kind: 'discover' };
}

export function securityGroupSelection(ids: string[] | undefined, inboundCidrs: string[] | undefined, ipAddressType: IpAddressType): SecurityGroupSelection {
  if (ids) return { kind: 'ids', ids };
  return { kind: 'managed', inboundCidrs: inboundCidrs ?? (ipAddressType === 'dualstack' ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0']) };
}
