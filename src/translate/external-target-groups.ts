/**
 * Target groups the controller does not own, named by `actions.<name>` forwards (`targetGroupARN`,
 * `targetGroupName`). Their keys start with `external:`, which no Service key can (a Service key
 * starts with its namespace, a DNS label), so the two never collide in the spec.
 * @module
 */
import type { ExternalTargetGroupSpec, ListenerSpec } from '../model.js';
import { forwardedTargetGroupKeys } from './forwarded-target-groups.js';

const PREFIX = 'external:';

export function externalTargetGroupKey(backend: { targetGroupArn: string } | { targetGroupName: string }): string {
  return 'targetGroupArn' in backend ? `${PREFIX}arn:${backend.targetGroupArn}` : `${PREFIX}name:${backend.targetGroupName}`;
}

function isExternalTargetGroupKey(key: string): boolean {
  return key.startsWith(PREFIX);
}

/** The external target groups the listeners' forwards name, each once, in key order. */
export function externalTargetGroupsOf(listeners: readonly ListenerSpec[]): ExternalTargetGroupSpec[] {
  const keys = [...forwardedTargetGroupKeys(listeners)].filter(isExternalTargetGroupKey);
  return keys.sort().map((key) => {
    const rest = key.slice(PREFIX.length);
    return rest.startsWith('arn:')
      ? { key, ref: { kind: 'arn', arn: rest.slice('arn:'.length) } }
      : { key, ref: { kind: 'name', name: rest.slice('name:'.length) } };
  });
}
