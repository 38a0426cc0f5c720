/**
 * The rules one path of an nginx-class Ingress becomes, in ingress-nginx's order of decision: a
 * redirect before anything (rewrite phase), then the denied and the allowed source ranges (access
 * phase), then a canary's header, cookie and weight, each a variant with its conditions and action.
 * @module
 */
import type { V1IngressServiceBackend } from '@kubernetes/client-node';
import { MAX_FORWARD_WEIGHT } from '../../limits.js';
import { escapeRegex } from '../regex.js';
import type { PathCanary } from './canary.js';
import type { Json, NginxAnnotationReader } from './reader.js';
import { FORBIDDEN, sourceIpCondition, type SourceRanges } from './source-ranges.js';

export interface Variant {
  conditions: Json[];
  action: Json;
  /** Forwards carry the path's transforms; 403s and redirects do not. */
  forward: boolean;
}

/**
 * translate orders rules of one host and path by their number of conditions, then by manifest
 * order, so the list must already be in that order: that holds except for a deny list together with
 * an allow list and a header or cookie canary (a denied client would reach the canary first), which
 * is refused.
 */
export function pathVariants(
  reader: NginxAnnotationReader,
  service: V1IngressServiceBackend,
  canary: PathCanary | undefined,
  ranges: SourceRanges & { redirect?: Json },
  pathField: string,
): Variant[] {
  // A redirect returns before nginx checks addresses (rewrite phase, then access phase).
  if (ranges.redirect) return [{ conditions: [], action: ranges.redirect, forward: false }];
  const variants: Variant[] = [];
  if (ranges.deny) variants.push({ conditions: [sourceIpCondition(ranges.deny)], action: FORBIDDEN, forward: false });
  const allowed = ranges.allow ? [sourceIpCondition(ranges.allow)] : [];
  const main = forward([[service, 1]]);
  if (canary) {
    const { header, cookie, weight } = canary.settings;
    const other = forward([[canary.backend, 1]]);
    if (ranges.deny && ranges.allow && (header || cookie)) {
      reader.reportField(
        pathField,
        'error',
        'denylist-source-range with whitelist-source-range and a header or cookie canary cannot be ordered on the load balancer without letting a denied client reach the canary; the Ingress is not served. Drop one of the source ranges',
      );
      reader.refused = true;
    }
    if (header) {
      const matching = header.pattern !== undefined ? header.pattern : `^${escapeRegex(header.value ?? 'always')}$`;
      variants.push({ conditions: [...allowed, headerCondition(header.name, matching)], action: other, forward: true });
      if (header.value === undefined && header.pattern === undefined)
        variants.push({ conditions: [...allowed, headerCondition(header.name, '^never$')], action: main, forward: true });
    }
    if (cookie) {
      variants.push({ conditions: [...allowed, headerCondition('Cookie', cookieValue(cookie, 'always'))], action: other, forward: true });
      variants.push({ conditions: [...allowed, headerCondition('Cookie', cookieValue(cookie, 'never'))], action: main, forward: true });
    }
    if (weight && weight.canary > 0) {
      // ingress-nginx's canary-weight-total defaults to 100; a larger total is rescaled to the ALB's range.
      const scale = weight.total > MAX_FORWARD_WEIGHT ? MAX_FORWARD_WEIGHT / weight.total : 1;
      const canaryWeight = Math.round(weight.canary * scale);
      variants.push({
        conditions: allowed,
        action: forward([
          [service, Math.round(weight.total * scale) - canaryWeight],
          [canary.backend, canaryWeight],
        ]),
        forward: true,
      });
    } else variants.push({ conditions: allowed, action: main, forward: true });
  } else variants.push({ conditions: allowed, action: main, forward: true });
  if (ranges.allow) variants.push({ conditions: [], action: FORBIDDEN, forward: false });
  return variants;
}

function forward(weights: [V1IngressServiceBackend, number][]): Json {
  return {
    type: 'forward',
    forwardConfig: {
      targetGroups: weights.map(([backend, weight]) => ({
        serviceName: backend.name,
        servicePort: backend.port?.number ?? backend.port?.name ?? '',
        weight,
      })),
    },
  };
}

function headerCondition(name: string, regex: string): Json {
  return { field: 'http-header', httpHeaderConfig: { httpHeaderName: name, regexValues: [regex] } };
}

/** nginx reads `$cookie_<name>`: the cookie's exact value, wherever it stands in the Cookie header. */
function cookieValue(name: string, value: string): string {
  return `(^|;\\s*)${escapeRegex(name)}=${value}(;|$)`;
}
