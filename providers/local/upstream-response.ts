/**
 * Whether a target's answer can be passed on to the client. Node's parser accepts a status line
 * such as `HTTP/1.1 099 OK` or a reason phrase with a control byte, and ServerResponse.writeHead
 * then throws; left unchecked, that throw took down every load balancer of the process. An answer
 * that fails here is a 502 for that one request. Pure.
 * @module
 */

/** RFC 9110 section 15: a status code is three digits; writeHead refuses anything outside 100–999. */
const LOWEST_STATUS = 100;
const HIGHEST_STATUS = 999;

/** RFC 9112 section 4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ). */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Why the answer cannot be relayed; undefined when it can. */
export function upstreamResponseProblem(answer: { statusCode?: number | undefined; statusMessage?: string | undefined }): string | undefined {
  const status = answer.statusCode;
  if (status === undefined || !Number.isInteger(status) || status < LOWEST_STATUS || status > HIGHEST_STATUS) {
    return `the target answered with status ${String(status)}, outside ${LOWEST_STATUS}-${HIGHEST_STATUS}`;
  }
  if (status === 101) return 'the target switched protocols (101) for a request that asked for no upgrade';
  return reasonPhraseProblem(answer.statusMessage);
}

export function reasonPhraseProblem(reason: string | undefined): string | undefined {
  return REASON_PHRASE.test(reason ?? '') ? undefined : 'the target answered with a control character in its reason phrase';
}
