/**
 * Stack ids of Gateways. An IngressGroup's key is a group name (no `/` or `:` allowed) or
 * `namespace/name`; a Gateway's is `gateway:namespace/name`, so the two can never name the same
 * load balancer, and the runtime tells them apart by the prefix alone.
 * @module
 */
const PREFIX = 'gateway:';

export function gatewayStackId(namespace: string, name: string): string {
  return `${PREFIX}${namespace}/${name}`;
}

export function isGatewayStackId(stackId: string): boolean {
  return stackId.startsWith(PREFIX);
}

/** The Gateway a stack id names; undefined for an IngressGroup's key. */
export function gatewayOfStackId(stackId: string): { namespace: string; name: string } | undefined {
  if (!isGatewayStackId(stackId)) return undefined;
  const rest = stackId.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? undefined : { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
