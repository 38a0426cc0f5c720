/**
 * Compute API errors as the REST API returns them: an HTTP status and a body
 * `{ error: { code, message, errors: [{ domain, reason, message }] } }`, whose `reason` is what a
 * client branches on (notFound, alreadyExists, resourceInUseByAnotherResource, conditionNotMet,
 * rateLimitExceeded, forbidden, invalid, required).
 * @module
 */
export class ComputeError extends Error {
  override readonly name = 'ComputeError';

  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { code: this.status, message: this.message, errors: [{ domain: 'global', reason: this.reason, message: this.message }] } };
  }
}

export const notFound = (what: string): ComputeError => new ComputeError(404, 'notFound', `The resource '${what}' was not found`);
export const alreadyExists = (what: string): ComputeError => new ComputeError(409, 'alreadyExists', `The resource '${what}' already exists`);
export const inUse = (what: string, by: string): ComputeError =>
  new ComputeError(400, 'resourceInUseByAnotherResource', `The resource '${what}' is already being used by '${by}'`);
export const invalid = (field: string, message: string): ComputeError => new ComputeError(400, 'invalid', `Invalid value for field '${field}': ${message}`);
export const required = (field: string): ComputeError => new ComputeError(400, 'required', `Required field '${field}' not specified`);
export const conditionNotMet = (what: string): ComputeError =>
  new ComputeError(412, 'conditionNotMet', `Supplied fingerprint does not match current fingerprint of '${what}'.`);
export const forbidden = (permission: string, what: string): ComputeError =>
  new ComputeError(403, 'forbidden', `Required '${permission}' permission for '${what}'`);
export const rateLimited = (): ComputeError => new ComputeError(429, 'rateLimitExceeded', 'Rate Limit Exceeded');
