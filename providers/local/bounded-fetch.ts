/**
 * HTTP calls the load balancer makes on its own behalf — an issuer's JWKS, an IdP's token and user
 * info endpoints — with the bounds every such call needs in a process that serves every tenant: a
 * deadline, a cap on the answer's size (a JWKS endpoint is named by whoever writes an Ingress, and
 * must not be able to fill the process's memory), and no redirects (an endpoint is the URL the spec
 * names, nothing it points to).
 * @module
 */

export interface FetchBounds {
  timeoutMs: number;
  maxBytes: number;
}

export type BoundedAnswer = { ok: true; status: number; headers: Headers; body: string } | { ok: false; problem: string };

/** Never throws: a network error, a timeout, a redirect or an answer over the cap is a problem. */
export async function boundedFetch(url: string, init: RequestInit, bounds: FetchBounds): Promise<BoundedAnswer> {
  const timeout = AbortSignal.timeout(bounds.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal });
  } catch (error) {
    return { ok: false, problem: timeout.aborted ? `no answer within ${bounds.timeoutMs} ms` : `could not be reached (${causeOf(error)})` };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    return { ok: false, problem: `answered with a redirect (${response.status}), which is not followed` };
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > bounds.maxBytes) {
    await response.body?.cancel();
    return { ok: false, problem: `answered with ${declared} bytes, over the limit of ${bounds.maxBytes}` };
  }
  try {
    const body = await readCapped(response, bounds.maxBytes);
    return body === undefined
      ? { ok: false, problem: `answered with more than ${bounds.maxBytes} bytes` }
      : { ok: true, status: response.status, headers: response.headers, body };
  } catch (error) {
    return { ok: false, problem: timeout.aborted ? `no answer within ${bounds.timeoutMs} ms` : `the answer could not be read (${causeOf(error)})` };
  }
}

/** The body as text, or undefined as soon as it grows past the cap (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream: the rest is never read.
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
