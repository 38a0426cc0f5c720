/**
 * The nginx annotations that are not mapped onto the load balancer, reported as keys.ts classes
 * them: a protective one refuses the Ingress, a snippet refuses it in strict mode, the rest are
 * warnings; on a canary Ingress every other key is the main Ingress's business, as in ingress-nginx.
 * @module
 */
import { escapeControls } from '../annotation-values.js';
import { findUnmapped, MAPPED_KEYS, NGINX_PREFIX } from './keys.js';
import type { NginxAnnotationReader } from './reader.js';

export function reportUnmapped(reader: NginxAnnotationReader, canary: boolean): void {
  for (const [key, value] of reader.values) {
    if (MAPPED_KEYS.has(key)) continue;
    // A canary Ingress takes every other setting from its main Ingress, as in ingress-nginx.
    if (canary) {
      reader.report(key, 'info', `${NGINX_PREFIX}${key} is not read on a canary Ingress: the main Ingress's settings apply, as in ingress-nginx`);
      continue;
    }
    const entry = findUnmapped(key);
    const shown = escapeControls(`${NGINX_PREFIX}${key}`);
    if (!entry) {
      reader.report(key, 'warning', `${shown} is not supported by ingress-bridge; ignored (see docs/migrating-from-ingress-nginx.md)`);
      continue;
    }
    if (entry.inert?.(value)) continue;
    if (entry.kind === 'protective') {
      reader.report(
        key,
        'error',
        `${shown} protects the backend and cannot be honoured by the load balancer, so the Ingress is not served (serving it unprotected would expose what it guards); ${entry.instead}`,
      );
      reader.refused = true;
    } else if (entry.kind === 'snippet' && reader.options.unsupported === 'error') {
      reader.report(
        key,
        'error',
        `${shown} is raw nginx configuration, which the load balancer cannot run; the Ingress is not served (--nginx-unsupported=error); ${entry.instead}`,
      );
      reader.refused = true;
    } else {
      reader.report(key, 'warning', `${shown} is not supported by the load balancer and is ignored; ${entry.instead}`);
    }
  }
}
