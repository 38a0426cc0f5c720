/**
 * An Ingress's listener settings (`mutual-authentication`, `listener-attributes.<PROTOCOL>-<port>`)
 * checked against the ports it listens on: a setting for a port the Ingress does not have, or for
 * one of another protocol, cannot take effect and is dropped with a diagnostic naming it. Mutual TLS
 * needs TLS, so it is refused on an HTTP port.
 * @module
 */
import type { Diagnostic, MutualAuthentication } from '../model.js';
import type { IngressAnnotations, ListenerAttributesAnnotation, ListenPort } from './annotation-types.js';
import { annotationField, ingressDiagnostic } from './diagnostics.js';
import type { GroupMember } from './groups.js';

export interface CheckedListenerSettings {
  annotations: IngressAnnotations;
  diagnostics: Diagnostic[];
}

export function checkListenerSettings(member: GroupMember, ports: readonly ListenPort[]): CheckedListenerSettings {
  const { ingress, annotations } = member;
  const diagnostics: Diagnostic[] = [];
  const protocolOf = new Map(ports.map((port) => [port.port, port.protocol]));
  const describePorts = ports.map((port) => `${port.protocol}:${port.port}`).join(', ');

  let mutualAuthentication: Map<number, MutualAuthentication> | undefined;
  if (annotations.mutualAuthentication) {
    mutualAuthentication = new Map();
    for (const [port, settings] of annotations.mutualAuthentication) {
      const protocol = protocolOf.get(port);
      if (protocol === 'HTTPS') {
        mutualAuthentication.set(port, settings);
        continue;
      }
      const why =
        protocol === undefined
          ? `this Ingress does not listen on port ${port} (its ports: ${describePorts})`
          : `port ${port} is HTTP, and mutual TLS needs an HTTPS listener`;
      diagnostics.push(
        ingressDiagnostic(ingress, annotationField(ingress, 'mutual-authentication'), 'error', `mutual-authentication for port ${port} is not used: ${why}`),
      );
    }
  }

  const listenerAttributes = new Map<number, ListenerAttributesAnnotation>();
  for (const [port, settings] of annotations.listenerAttributes) {
    const key = `listener-attributes.${settings.protocol}-${port}`;
    const protocol = protocolOf.get(port);
    if (protocol === settings.protocol) {
      listenerAttributes.set(port, settings);
      continue;
    }
    const why =
      protocol === undefined
        ? `this Ingress does not listen on port ${port} (its ports: ${describePorts})`
        : `port ${port} is ${protocol}, not ${settings.protocol}`;
    diagnostics.push(ingressDiagnostic(ingress, annotationField(ingress, key), 'warning', `${key} is ignored: ${why}`));
  }

  const changed = diagnostics.length > 0;
  const checked: IngressAnnotations = changed ? { ...annotations, listenerAttributes, ...(mutualAuthentication ? { mutualAuthentication } : {}) } : annotations;
  return { annotations: checked, diagnostics };
}
