/**
 * What happens to a request between routing (dispatch.ts) and its rule's action (handler.ts), in
 * the ALB's order: the listener's mutual TLS (mutual-tls.ts), then the rule's authentication —
 * `jwt-validation` (jwt-validation.ts), `oidc` (oidc-login.ts) or `cognito` — then, for a forward,
 * the rule's transforms (rewrite.ts). The outcome is data: go on with these edits to the request,
 * answer the client, or close the connection.
 *
 * Requests on rules with none of these go on at once (no promise, no allocation beyond the headers
 * a client may not set), so routing without them costs what it cost before.
 *
 * Cognito needs the user pool's own client secret, which only AWS holds: the local load balancer
 * cannot log anyone in through it, so it fails closed — `allow` forwards without user claims,
 * anything else is a 401 — and says so once per load balancer (feature-diagnostics.ts).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Action, Authentication, ListenerSpec, RuleSpec } from '../../src/model.js';
import { plainAnswer, type LocalAnswer } from './answers.js';
import { forwardedRequestTarget, type ChosenRoute } from './dispatch.js';
import type { JwtValidator } from './jwt-validation.js';
import type { LocalLog } from './log.js';
import { clientCertificateAllowed, clientCertificateHeaders, MTLS_HEADER_PREFIX, modeOf, type TrustStore } from './mutual-tls.js';
import { CALLBACK_PATH, type OidcConfig, type OidcLogin, type OidcOwner } from './oidc-login.js';
import { applyTransforms } from './rewrite.js';

/** Headers only the load balancer may set (X-Amzn-Oidc-*): a client's own are dropped. */
const OIDC_HEADER_PREFIX = 'x-amzn-oidc-';

export interface AdmissionRuntime {
  jwt: JwtValidator;
  oidc: OidcLogin;
  trustStore: TrustStore | undefined;
  log: LocalLog;
}

/** The route dispatch chose, as admission needs it. */
export interface AdmittedRoute {
  stackId: string;
  specPort: number;
  listener: ListenerSpec;
  rule?: RuleSpec;
  action: Action;
}

/** What the target is sent instead of what the client sent. */
export interface RequestEdits {
  target?: string;
  host?: string;
  headers: Record<string, string>;
}

export type Admission =
  | { kind: 'pass'; edits: RequestEdits }
  | { kind: 'answer'; answer: LocalAnswer }
  /** The client's certificate does not admit it: its connection is closed, as a failed handshake would be. */
  | { kind: 'close' };

function admit(runtime: AdmissionRuntime, route: AdmittedRoute, request: IncomingMessage): Admission | Promise<Admission> {
  const socket = request.socket as Partial<TLSSocket>;
  const mode = modeOf(route.listener);
  let headers: Record<string, string> = {};
  if (mode !== 'off' && typeof socket.getPeerCertificate === 'function') {
    const tlsSocket = socket as TLSSocket;
    // Also checked per connection (listeners.ts), but a connection is admitted by the load balancer
    // whose certificate SNI chose, and its requests may name another host on the same port.
    if (!clientCertificateAllowed(route.listener.mutualAuthentication, tlsSocket, runtime.trustStore)) return { kind: 'close' };
    headers = clientCertificateHeaders(mode, tlsSocket);
  } else if (mode === 'verify') {
    return { kind: 'close' };
  }
  const authentication = route.rule ? route.rule.authentication : route.listener.defaultAuthentication;
  if (!authentication) return withTransforms(runtime, route, request, headers);
  return authenticate(runtime, route, request, authentication).then((outcome) => {
    if (outcome.kind !== 'pass') return outcome;
    return withTransforms(runtime, route, request, { ...headers, ...outcome.edits.headers });
  });
}

async function authenticate(runtime: AdmissionRuntime, route: AdmittedRoute, request: IncomingMessage, authentication: Authentication): Promise<Admission> {
  switch (authentication.type) {
    case 'jwt-validation': {
      const check = await runtime.jwt.check(authentication, request.headers.authorization);
      if (check.ok) return pass({});
      if (check.status === 500) {
        runtime.log.warn({ stack: route.stackId, port: route.specPort, status: 500, detail: check.detail }, 'a JWT could not be validated');
        return { kind: 'answer', answer: plainAnswer(500) };
      }
      return { kind: 'answer', answer: plainAnswer(401, { 'www-authenticate': check.wwwAuthenticate }) };
    }
    case 'oidc': {
      const outcome = await runtime.oidc.admit(authentication, ownerOf(route), { headers: request.headers, target: forwardedRequestTarget(request) });
      if (outcome.kind === 'answer') return { kind: 'answer', answer: outcome.answer };
      return pass(outcome.kind === 'session' ? outcome.headers : {});
    }
    case 'cognito':
      return authentication.onUnauthenticatedRequest === 'allow' ? pass({}) : { kind: 'answer', answer: plainAnswer(401) };
  }
}

function withTransforms(runtime: AdmissionRuntime, route: AdmittedRoute, request: IncomingMessage, headers: Record<string, string>): Admission {
  const transforms = route.action.type === 'forward' ? route.rule?.transforms : undefined;
  if (!transforms || transforms.length === 0) return pass(headers);
  const result = applyTransforms(transforms, { target: forwardedRequestTarget(request), host: request.headers.host ?? '' });
  if (!result.ok) {
    runtime.log.warn(
      { stack: route.stackId, port: route.specPort, priority: route.rule?.priority, status: 500, detail: result.problem },
      'a rule transform failed',
    );
    return { kind: 'answer', answer: plainAnswer(500) };
  }
  return {
    kind: 'pass',
    edits: { headers, ...(result.target !== undefined ? { target: result.target } : {}), ...(result.host !== undefined ? { host: result.host } : {}) },
  };
}

function pass(headers: Record<string, string>): Admission {
  return { kind: 'pass', edits: { headers } };
}

function ownerOf(route: AdmittedRoute): OidcOwner {
  return { stackId: route.stackId, specPort: route.specPort, priority: route.rule?.priority ?? null };
}

/**
 * The edits, made on the request itself: forward.ts and websocket.ts build what the target is sent
 * from the request's url and headers, so the request they are handed is the one the target gets.
 * Headers only the load balancer may set are dropped first, whatever the rule.
 */
function applyEdits(request: IncomingMessage, edits: RequestEdits): void {
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith(MTLS_HEADER_PREFIX) || name.startsWith(OIDC_HEADER_PREFIX)) Reflect.deleteProperty(request.headers, name);
  }
  Object.assign(request.headers, edits.headers);
  if (edits.host !== undefined) request.headers.host = edits.host;
  if (edits.target !== undefined) request.url = edits.target;
}

/** Whether a request on this port is an IdP's answer to a login the load balancer started. */
export function isOidcCallback(protocol: string, path: string, listeners: readonly { listener: ListenerSpec }[]): boolean {
  return (
    protocol === 'HTTPS' && path === CALLBACK_PATH && listeners.some(({ listener }) => listenerAuthentications(listener).some((each) => each.type === 'oidc'))
  );
}

/** The OIDC configuration of a rule as now served, for a login's callback. */
function findOidcConfig(owner: OidcOwner, specPort: number, candidates: readonly { stackId: string; listener: ListenerSpec }[]): OidcConfig | undefined {
  if (owner.specPort !== specPort) return undefined;
  const listener = candidates.find((candidate) => candidate.stackId === owner.stackId)?.listener;
  const authentication =
    owner.priority === null ? listener?.defaultAuthentication : listener?.rules.find((rule) => rule.priority === owner.priority)?.authentication;
  return authentication?.type === 'oidc' ? authentication : undefined;
}

/** Every authentication a listener's rules and default action name. */
export function listenerAuthentications(listener: ListenerSpec): Authentication[] {
  return [listener.defaultAuthentication, ...listener.rules.map((rule) => rule.authentication)].filter((each): each is Authentication => each !== undefined);
}

/** The route as admission reads it, from what dispatch chose on a port. */
export function routeOf(specPort: number, chosen: ChosenRoute<unknown>): AdmittedRoute {
  return {
    stackId: chosen.candidate.stackId,
    specPort,
    listener: chosen.candidate.listener,
    ...(chosen.rule ? { rule: chosen.rule } : {}),
    action: chosen.action,
  };
}

export interface AdmissionHandlers {
  /** Go on with the rule's action; the request already carries the edits. */
  pass: () => void;
  answer: (answer: LocalAnswer) => void;
  close: () => void;
}

/**
 * Runs admission and hands its outcome to the caller's shell: at once when it is decided at once,
 * else when it is. A check that throws costs this request a 500 and is logged.
 */
export function whenAdmitted(runtime: AdmissionRuntime | undefined, route: AdmittedRoute, request: IncomingMessage, handlers: AdmissionHandlers): void {
  if (!runtime) {
    handlers.pass();
    return;
  }
  const failed = (error: unknown): void => {
    runtime.log.warn(
      { stack: route.stackId, port: route.specPort, status: 500, detail: error instanceof Error ? error.message : String(error) },
      "the checks before the rule's action failed",
    );
    handlers.answer(plainAnswer(500));
  };
  const settle = (admission: Admission): void => {
    switch (admission.kind) {
      case 'answer':
        handlers.answer(admission.answer);
        return;
      case 'close':
        handlers.close();
        return;
      case 'pass':
        applyEdits(request, admission.edits);
        handlers.pass();
    }
  };
  let admission: Admission | Promise<Admission>;
  try {
    admission = admit(runtime, route, request);
  } catch (error) {
    failed(error);
    return;
  }
  if (admission instanceof Promise) void admission.then(settle, failed);
  else settle(admission);
}

/** The answer to an IdP's callback on this port (isOidcCallback said it is one). */
export function answerOidcCallback(
  runtime: AdmissionRuntime,
  specPort: number,
  candidates: readonly { stackId: string; listener: ListenerSpec }[],
  request: IncomingMessage,
  query: string,
): Promise<LocalAnswer> {
  return runtime.oidc
    .completeLogin({ headers: request.headers, query }, (owner) => findOidcConfig(owner, specPort, candidates))
    .catch((error: unknown) => {
      runtime.log.warn(
        { port: specPort, status: 500, detail: error instanceof Error ? error.message : String(error) },
        'an OIDC callback could not be answered',
      );
      return plainAnswer(500);
    });
}
