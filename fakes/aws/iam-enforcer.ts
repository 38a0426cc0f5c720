/**
 * The fake's IAM: every call is authorized against one identity policy before anything else
 * happens (a refused call changes nothing), each authorization is logged, and the first refusal
 * rejects the call with the service's own access-denied error, worded as AWS words it.
 * @module
 */
import type { IamLog } from './calls.js';
import { accessDeniedError, type ServiceId } from './errors.js';
import { type AuthorizationRequest, evaluate, type IamDecision, type IamPolicy } from './iam.js';
import { authorizationRequests } from './iam-requests.js';
import type { FakeState } from './state.js';

export type IamEnforcer = (service: ServiceId, action: string, input: unknown) => void;

function refusal(principal: string, request: AuthorizationRequest, decision: Extract<IamDecision, { allowed: false }>): string {
  const why =
    decision.reason === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`;
}

export function createIamEnforcer(options: { state: FakeState; policy: IamPolicy; log: IamLog }): IamEnforcer {
  const { state, policy, log } = options;
  const principal = `arn:aws:sts::${state.accountId}:assumed-role/ingress-bridge/aws-fake`;
  return (service, action, input) => {
    for (const request of authorizationRequests(state, service, action, input)) {
      const decision = evaluate(policy, request);
      const statement = 'statement' in decision ? { statement: decision.statement } : {};
      log.record({ service, call: action, action: request.action, resource: request.resource, allowed: decision.allowed, ...statement });
      if (decision.allowed) continue;
      log.deny({ service, action, input, iamAction: request.action, resource: request.resource, reason: decision.reason, ...statement });
      const message = refusal(principal, request, decision);
      throw accessDeniedError(service, service === 'ec2' ? `You are not authorized to perform this operation. ${message}` : message);
    }
  };
}
