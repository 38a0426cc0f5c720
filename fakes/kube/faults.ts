/**
 * What tests observe and inject per request: every request's attributes and final status are
 * recorded, and `failNext` makes the next matching requests fail with a chosen status.
 */
import { ApiError, type StatusReason } from './errors.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** The authorization attributes of a request, as RBAC sees them. */
export interface RequestAttributes {
  verb: Verb;
  /** '' for the core group. */
  group: string;
  /** The plural, e.g. `ingresses`; '' for a path the fake does not serve. */
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface RequestRecord extends RequestAttributes {
  method: string;
  path: string;
  /** The HTTP status sent (200 for a watch that started streaming). */
  code: number;
  /** The Content-Type of a PATCH body. */
  patchContentType?: string;
  /** Made with the admin KubeConfig, which the authorizer does not judge. */
  admin?: boolean;
}

/** Attributes a request must have to match; absent ones match anything. */
export type RequestMatch = Partial<RequestAttributes>;

export type Authorizer = (request: RequestAttributes) => boolean;

export interface FailOptions {
  /** How many matching requests fail (default 1). */
  times?: number;
  message?: string;
  reason?: StatusReason;
  /** Sent as Retry-After, e.g. with 429. */
  retryAfterSeconds?: number;
}

export interface InjectedFailure {
  error: ApiError;
  retryAfterSeconds: number | undefined;
}

interface PlannedFailure {
  match: RequestMatch;
  status: number;
  options: FailOptions;
  remaining: number;
}

/** True when every field given in `match` equals the same field of `request`. */
export function matchesRequest<Request extends RequestAttributes>(match: Partial<Request>, request: Request): boolean {
  return Object.entries(match).every(([field, expected]) => expected === undefined || request[field as keyof Request] === expected);
}

export class FaultPlan {
  private planned: PlannedFailure[] = [];

  failNext(match: RequestMatch, status: number, options: FailOptions = {}): void {
    this.planned.push({ match, status, options, remaining: options.times ?? 1 });
  }

  /** The failure planned for this request, if any; consumes one use of it. */
  take(attributes: RequestAttributes): InjectedFailure | undefined {
    const found = this.planned.find((entry) => matchesRequest(entry.match, attributes));
    if (!found) return undefined;
    found.remaining -= 1;
    if (found.remaining <= 0) this.planned = this.planned.filter((entry) => entry !== found);
    const message =
      found.options.message ?? `injected failure for ${attributes.verb} ${attributes.resource}${attributes.subresource ? '/' + attributes.subresource : ''}`;
    return {
      error: new ApiError({ code: found.status, message, ...(found.options.reason ? { reason: found.options.reason } : {}) }),
      retryAfterSeconds: found.options.retryAfterSeconds,
    };
  }

  clear(): void {
    this.planned = [];
  }
}
