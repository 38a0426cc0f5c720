/**
 * ingress-nginx's redirects: `permanent-redirect` and `temporal-redirect` (with their codes), which
 * answer every path of the Ingress; `ssl-redirect` and `force-ssl-redirect`, HTTP to HTTPS; and
 * `app-root`, which redirects `/` alone. ALB redirects are 301 or 302 only: other codes are told.
 * @module
 */
import type { Json, NginxAnnotationReader } from './reader.js';

/** The redirect a `permanent-redirect` or `temporal-redirect` URL becomes; ALB codes are 301 and 302 only. */
export function readRedirect(reader: NginxAnnotationReader): Json | undefined {
  // ingress-nginx reads temporal-redirect first: it wins when both are set.
  const temporal = reader.use('temporal-redirect');
  const permanent = reader.use('permanent-redirect');
  const key = temporal !== undefined ? 'temporal-redirect' : permanent !== undefined ? 'permanent-redirect' : undefined;
  if (key === undefined) return undefined;
  const raw = (temporal ?? permanent ?? '').trim();
  const codeKey = `${key}-code`;
  const codeText = reader.use(codeKey);
  const code = codeText === undefined ? (key === 'temporal-redirect' ? 302 : 301) : Number(codeText);
  if (!Number.isInteger(code) || code < 300 || code > 308) {
    reader.invalid(codeKey, 'expected a redirect status from 300 to 308');
    return undefined;
  }
  const keepsRequest = raw.endsWith('$request_uri');
  const base = keepsRequest ? raw.slice(0, -'$request_uri'.length) : raw;
  let url: URL;
  try {
    url = new URL(keepsRequest ? `${base}/` : base);
  } catch {
    {
      reader.invalid(key, 'expected an absolute http or https URL (optionally ending in $request_uri)');
      return undefined;
    }
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || base.includes('$') || url.username !== '' || url.hash !== '') {
    reader.invalid(key, 'expected an absolute http or https URL without variables other than a final $request_uri, user info or fragment');
    return undefined;
  }
  const https = url.protocol === 'https:';
  const statusCode = code === 302 || code === 303 || code === 307 ? 'HTTP_302' : 'HTTP_301';
  if (code !== 301 && code !== 302)
    reader.report(
      codeKey in Object.fromEntries(reader.values) ? codeKey : key,
      'info',
      `the load balancer redirects with ${statusCode.slice(5)} where ingress-nginx answered ${code}: ALB redirects are 301 or 302 only`,
    );
  const config: Json = { protocol: https ? 'HTTPS' : 'HTTP', port: url.port || (https ? '443' : '80'), host: url.hostname, statusCode };
  // `$request_uri` keeps the request's path and query, which is what a redirect part left out does.
  // Otherwise nginx's `return <code> <url>` sends the URL as written: the request's query is
  // dropped, not appended (only `rewrite` appends it), so the query is the URL's own, or empty.
  if (!keepsRequest) {
    config.path = url.pathname;
    config.query = url.search.slice(1);
  }
  return { type: 'redirect', redirectConfig: config };
}

/** HTTPS: ingress-nginx redirects HTTP to HTTPS by default when the Ingress has TLS. */
export function readSslRedirect(reader: NginxAnnotationReader): void {
  const hasTls = (reader.ingress.spec?.tls ?? []).length > 0;
  const sslRedirect = reader.boolean('ssl-redirect', true);
  const forceSslRedirect = reader.boolean('force-ssl-redirect', false);
  if (hasTls && (sslRedirect || forceSslRedirect)) {
    reader.setOwn('ssl-redirect', '443', reader.values.has('force-ssl-redirect') ? 'force-ssl-redirect' : 'ssl-redirect');
    reader.reportField(
      'spec.tls',
      'info',
      'HTTP requests are redirected to HTTPS with 301, as ingress-nginx does for an Ingress with TLS (it answers 308, which the ALB does not have; set nginx.ingress.kubernetes.io/ssl-redirect: "false" to serve HTTP too)',
    );
  } else if (forceSslRedirect && !hasTls) {
    reader.report(
      'force-ssl-redirect',
      'warning',
      'the Ingress has no spec.tls, so there is no HTTPS listener to redirect to; HTTP is served as is. Add spec.tls or set ingress-bridge.io/listen-ports and certificate-arn',
    );
  }
}

/** The `app-root` path, when it is one the load balancer can redirect to. */
export function readAppRoot(reader: NginxAnnotationReader): string | undefined {
  const written = reader.use('app-root');
  const appRoot = written !== undefined && written.startsWith('/') && /^[\x21-\x7e]{1,128}$/.test(written) ? written : undefined;
  if (written !== undefined && appRoot === undefined) reader.invalid('app-root', 'expected a path starting with "/" (at most 128 visible ASCII characters)');
  return appRoot;
}

/**
 * nginx answers `return 302 $scheme://$http_host<app-root>`: the request's query is dropped, and a
 * query written in app-root is the Location's.
 */
export function appRootRedirect(appRoot: string): Json {
  const queryAt = appRoot.indexOf('?');
  const [rootPath, rootQuery] = queryAt === -1 ? [appRoot, ''] : [appRoot.slice(0, queryAt), appRoot.slice(queryAt + 1)];
  return { type: 'redirect', redirectConfig: { path: rootPath, query: rootQuery, statusCode: 'HTTP_302' } };
}
