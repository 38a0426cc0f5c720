/**
 * PEM certificate blocks, found in linear time: translate validates TLS Secrets with it, the
 * runtime splits a Secret's chain and the webhook's CA bundle with it.
 * @module
 */

export const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
export const END_CERTIFICATE = '-----END CERTIFICATE-----';

export type PemBlocks = { blocks: string[]; unterminated: boolean };

/**
 * The PEM certificate blocks of a text, in order. Linear in the text: each search starts where the
 * previous block ended and the text is never rescanned. (A lazy `BEGIN[\s\S]+?END` regex with the
 * global flag rescans to the end of the text from every BEGIN that has no END: quadratic, 16 s for
 * a 1 MB Secret.) A BEGIN with no END after it ends the scan, since no later block can be complete.
 */
export function pemCertificateBlocks(text: string): PemBlocks {
  const blocks: string[] = [];
  for (let from = 0; ;) {
    const begin = text.indexOf(BEGIN_CERTIFICATE, from);
    if (begin < 0) return { blocks, unterminated: false };
    const end = text.indexOf(END_CERTIFICATE, begin + BEGIN_CERTIFICATE.length);
    if (end < 0) return { blocks, unterminated: true };
    from = end + END_CERTIFICATE.length;
    blocks.push(text.slice(begin, from));
  }
}
