/**
 * Dot segments in request paths. `/public/../admin/secret.txt` names `/admin/secret.txt` for every
 * server that resolves it (RFC 3986 section 5.2.4, and so do most application servers); matched
 * as sent, it would satisfy a `/public` Prefix rule and reach a path no rule allows.
 *
 * What the ALB does is not documented: the path-pattern condition "is compared only to the path of
 * the URL" (Elastic Load Balancing API reference, PathPatternConditionConfig), and the desync
 * mitigation mode (Application Load Balancers guide, "Desync mitigation mode", which classifies
 * requests with the http_desync_guardian library) looks at message framing and header syntax, not
 * at the path. So the local load balancer takes the safe reading of the RFCs, as nginx does:
 * - `%2e`/`%2E` is `.` (RFC 3986 section 6.2.2.2: percent-encoded unreserved characters are
 *   equivalent to the characters), so `%2e%2e` is a dot segment too; nothing else is decoded, and
 *   `%2f` stays data rather than becoming a separator;
 * - dot segments are removed with remove_dot_segments (RFC 3986 section 5.2.4), and a `..` above
 *   the root stays at the root;
 * - the rules see the normalised path, and the target is sent that same path, so what was routed
 *   is what is served.
 * Pure.
 * @module
 */

/** The path with `%2e` decoded and its dot segments removed; a path not starting with `/` (e.g. `*`) is left alone. */
export function normalizeRequestPath(path: string): string {
  if (!path.startsWith('/')) return path;
  const decoded = path.replace(/%2e/gi, '.');
  if (!/\/\.\.?(\/|$)/.test(decoded)) return decoded;
  return removeDotSegments(decoded);
}

/** RFC 3986 section 5.2.4, for an absolute path: segment by segment, `.` dropped, `..` pops one. */
function removeDotSegments(path: string): string {
  const input = path.split('/').slice(1);
  const output: string[] = [];
  input.forEach((segment, index) => {
    const isLast = index === input.length - 1;
    if (segment === '..') {
      output.pop();
      if (isLast) output.push('');
    } else if (segment === '.') {
      if (isLast) output.push('');
    } else output.push(segment);
  });
  return `/${output.join('/')}`;
}
