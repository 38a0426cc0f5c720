/**
 * A small browser for tests that follow logins across the local load balancer and an IdP: it keeps
 * cookies (a jar by host and path, honouring Max-Age, Expires and Secure), follows redirects one
 * step at a time (tests look at each), trusts the CAs it is given for HTTPS, and resolves the test
 * host names it is told of to 127.0.0.1 — so a redirect to `https://app.test:<port>/…` reaches the
 * load balancer on loopback with the right Host and SNI. Node's http/https clients, no fetch: fetch
 * can neither trust a test CA per request nor send a Host of its own.
 * @module
 */
import http from 'node:http';
import https from 'node:https';

export interface BrowserResponse {
  url: URL;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  expiresAt: number | undefined;
}

export class Browser {
  private cookies: StoredCookie[] = [];
  private readonly ca: string[];
  private readonly loopbackHosts: ReadonlySet<string>;

  constructor(options: { ca?: string[]; loopbackHosts?: string[] } = {}) {
    this.ca = options.ca ?? [];
    this.loopbackHosts = new Set(options.loopbackHosts ?? []);
  }

  /** The cookies the jar would send to this URL, by name. */
  cookiesFor(url: URL | string): Map<string, string> {
    const target = typeof url === 'string' ? new URL(url) : url;
    const now = Date.now();
    this.cookies = this.cookies.filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now);
    const sent = new Map<string, string>();
    for (const cookie of this.cookies) {
      if (cookie.host !== target.hostname) continue;
      if (cookie.secure && target.protocol !== 'https:') continue;
      if (!(target.pathname === cookie.path || target.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))) continue;
      sent.set(cookie.name, cookie.value);
    }
    return sent;
  }

  request(url: URL | string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<BrowserResponse> {
    const target = typeof url === 'string' ? new URL(url) : url;
    const cookieHeader = [...this.cookiesFor(target)].map(([name, value]) => `${name}=${value}`).join('; ');
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = {
      host: target.host,
      ...(cookieHeader ? { cookie: cookieHeader } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(options.body)) } : {}),
      ...options.headers,
    };
    const requestOptions: https.RequestOptions = {
      host: this.loopbackHosts.has(target.hostname) ? '127.0.0.1' : target.hostname,
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      method: options.method ?? 'GET',
      headers,
      agent: false,
      ...(secure ? { ca: this.ca, servername: target.hostname } : {}),
    };
    return new Promise((resolve, reject) => {
      const outgoing = (secure ? https : http).request(requestOptions, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          this.store(target, response.headers['set-cookie'] ?? []);
          resolve({ url: target, status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  }

  /** Where a redirect answer sends the browser, resolved against the URL that answered. */
  static location(response: BrowserResponse): URL | undefined {
    const location = response.headers.location;
    return response.status >= 300 && response.status < 400 && location ? new URL(location, response.url) : undefined;
  }

  private store(url: URL, lines: readonly string[]): void {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1) || '/';
      let expiresAt: number | undefined;
      let secure = false;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            path = attributeValue || '/';
            break;
          case 'max-age':
            expiresAt = Date.now() + Number(attributeValue) * 1000;
            break;
          case 'expires':
            expiresAt ??= Date.parse(attributeValue);
            break;
          case 'secure':
            secure = true;
            break;
        }
      }
      this.cookies = this.cookies.filter((cookie) => !(cookie.name === name && cookie.host === url.hostname && cookie.path === path));
      if (expiresAt === undefined || expiresAt > Date.now()) this.cookies.push({ name, value, host: url.hostname, path, secure, expiresAt });
    }
  }
}
