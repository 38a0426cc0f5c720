/**
 * What a listening socket does with a request: pick the stack and action (dispatch.ts), then answer
 * with the action — forward to a target, a fixed response, or a redirect. WebSocket handshakes
 * routed to a forward action are proxied by websocket.ts. Between routing and the action, the
 * checks of admission.ts run (mutual TLS, authentication, transforms); an IdP's answer to a login
 * (`/oauth2/idpresponse`) is answered by the load balancer itself, before routing.
 *
 * The routes are read once, when the request arrives, and the request keeps those objects to the
 * end; an apply swaps in new routes for the requests after it, so none in flight is dropped.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Action, FunctionTargetGroupSpec, ListenerProtocol, Target } from '../../src/model.js';
import { LocalFunctionDirectory, serveFunction } from './functions.js';
import { answerOidcCallback, isOidcCallback, routeOf, whenAdmitted, type AdmissionRuntime } from './admission.js';
import { plainAnswer, writeAnswer, writeRawAnswer } from './answers.js';
import type { ForwardChoosers } from './balancer.js';
import { chooseRoute, requestFacts, type ChosenRoute, type RouteCandidate } from './dispatch.js';
import { forwardRequest, sendError } from './forward.js';
import { hasDuplicateHost } from './framing.js';
import { forwardHttp2, protocolMismatch, sendRequestError, speaksHttp2 } from './http2-forward.js';
import type { RequestHandler, UpgradeHandler } from './listeners.js';
import type { LocalLog } from './log.js';
import { redirectLocation, redirectStatus } from './redirect.js';
import type { HttpRequestFacts } from './rule-match.js';
import type { ServedTargetGroup } from './target-groups.js';
import { isWebSocketUpgrade, proxyWebSocket } from './websocket.js';

/** What a request needs of a served stack. */
export interface RoutedStack {
  targetGroups: ReadonlyMap<string, ServedTargetGroup>;
  /** Function target groups by key: a forward that picks one invokes the function (functions.ts). */
  functionTargetGroups?: ReadonlyMap<string, FunctionTargetGroupSpec>;
  choosers: ForwardChoosers;
  upstreamTimeoutMs: number;
}

/** Everything that answers on one spec port, as of the last apply. */
export interface PortRoutes {
  specPort: number;
  protocol: ListenerProtocol;
  /** Sorted by stack id. */
  candidates: readonly RouteCandidate<RoutedStack>[];
}

export interface HandlerContext {
  routes: () => PortRoutes | undefined;
  /** The local port that serves a spec port, for redirect Locations. */
  localPortFor: (specPort: number) => number;
  log: LocalLog;
  /** Mutual TLS, authentication and transforms; absent: no request is checked or rewritten. */
  admission?: AdmissionRuntime;
  /** The handlers of function targets (`--functions DIR`). */
  functions?: LocalFunctionDirectory;
}

export function createRequestHandler(context: HandlerContext): RequestHandler {
  return (request, response) => {
    if (hasDuplicateHost(request.rawHeaders)) {
      sendError(response, 400);
      return;
    }
    const routes = context.routes();
    if (!routes) {
      sendError(response, 404);
      return;
    }
    const facts = requestFacts(request);
    const chosen = chooseRoute(routes.candidates, facts);
    // The callback path belongs to the load balancer the request reaches, when it logs users in.
    if (context.admission && isOidcCallback(routes.protocol, facts.path, chosen ? [chosen.candidate] : routes.candidates)) {
      void answerOidcCallback(context.admission, routes.specPort, routes.candidates, request, facts.query).then((answer) => writeAnswer(response, answer));
      return;
    }
    if (!chosen) {
      sendError(response, 404);
      return;
    }
    whenAdmitted(context.admission, routeOf(routes.specPort, chosen), request, {
      pass: () => {
        try {
          answer(chosen.action, chosen.candidate.stack, { request, response, routes, facts, context });
        } catch (error) {
          // A value that slipped past translate (a header with CR/LF, a bad status) costs this request only.
          context.log.warn(
            { detail: error instanceof Error ? error.message : String(error) },
            "the local load balancer could not answer with the rule's action",
          );
          if (response.headersSent) response.destroy();
          else sendError(response, 500);
        }
      },
      answer: (answer) => writeAnswer(response, answer),
      close: () => closeConnection(request),
    });
  };
}

/**
 * Closes the client's connection. An HTTP/2 request's `socket` is the compatibility layer's proxy,
 * whose destroy() ends only that stream and leaves the session open until its idle timeout; the
 * session is the connection, so it is destroyed.
 */
function closeConnection(request: IncomingMessage): void {
  const stream = (request as Partial<Pick<Http2ServerRequest, 'stream'>>).stream;
  if (stream) stream.session?.destroy();
  else request.socket.destroy();
}

/** Whether the server should hand the request to the upgrade handler: a WebSocket handshake that is to be forwarded. */
export function shouldProxyUpgrade(context: HandlerContext): (request: IncomingMessage) => boolean {
  return (request) => isWebSocketUpgrade(request) && !hasDuplicateHost(request.rawHeaders) && routeFor(context, request)?.chosen.action.type === 'forward';
}

export function createUpgradeHandler(context: HandlerContext): UpgradeHandler {
  return (request, socket, head) => {
    const route = routeFor(context, request);
    const action = route?.chosen.action;
    // An apply between shouldProxyUpgrade and here may have changed the route.
    if (!route || action?.type !== 'forward') {
      writeRawAnswer(socket, plainAnswer(502));
      return;
    }
    whenAdmitted(context.admission, routeOf(route.routes.specPort, route.chosen), request, {
      pass: () => {
        const picked = pickTarget(action, route.chosen.candidate.stack);
        if (!picked.ok) {
          context.log.warn({ status: picked.status, detail: picked.detail }, 'the local load balancer could not forward a WebSocket handshake');
          writeRawAnswer(socket, plainAnswer(picked.status));
          return;
        }
        proxyWebSocket({
          request,
          clientSocket: socket,
          head,
          target: picked.target,
          targetProtocol: picked.group.spec.protocol,
          listener: { protocol: route.routes.protocol, specPort: route.routes.specPort },
          timeoutMs: route.chosen.candidate.stack.upstreamTimeoutMs,
          log: context.log,
        });
      },
      answer: (answer) => writeRawAnswer(socket, answer),
      close: () => socket.destroy(),
    });
  };
}

function routeFor(context: HandlerContext, request: IncomingMessage): { routes: PortRoutes; chosen: ChosenRoute<RoutedStack> } | undefined {
  const routes = context.routes();
  const chosen = routes ? chooseRoute(routes.candidates, requestFacts(request)) : undefined;
  return routes && chosen ? { routes, chosen } : undefined;
}

/** Without a functions directory every function answers 503: it has no local handler. */
const NO_FUNCTIONS = new LocalFunctionDirectory(undefined);

type ForwardAction = Extract<Action, { type: 'forward' }>;
type PickedTarget = { ok: true; group: ServedTargetGroup; target: Target } | { ok: false; status: 400 | 502 | 503; detail: string };

function pickTarget(action: ForwardAction, stack: RoutedStack, key = stack.choosers.next(action)): PickedTarget {
  // Only a WebSocket handshake gets here with a function: the ALB refuses those upgrades with 400.
  if (key !== undefined && stack.functionTargetGroups?.has(key)) return { ok: false, status: 400, detail: `${key} is a function, which takes no WebSocket` };
  const group = key === undefined ? undefined : stack.targetGroups.get(key);
  if (!group) return { ok: false, status: 503, detail: 'the rule forwards to no target group with a weight above 0' };
  const target = group.pickTarget();
  if (!target) return { ok: false, status: 502, detail: `target group ${group.spec.key} has no healthy target` };
  return { ok: true, group, target };
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  routes: PortRoutes;
  /** As the request was routed (a redirect is never rewritten: transforms apply to forwards). */
  facts: HttpRequestFacts;
  context: HandlerContext;
}

function answer(action: Action, stack: RoutedStack, exchange: Exchange): void {
  const { request, response, routes, facts } = exchange;
  // A request body nobody reads is discarded by the server once the answer is sent.
  switch (action.type) {
    case 'fixed-response': {
      const body = action.messageBody ?? '';
      response.writeHead(Number(action.statusCode), {
        'content-type': action.contentType ?? 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
      return;
    }
    case 'redirect': {
      const location = redirectLocation(
        action,
        { protocol: routes.protocol, host: facts.host, specPort: routes.specPort, path: facts.path, query: facts.query },
        exchange.context.localPortFor,
      );
      response.writeHead(redirectStatus(action), { location, 'content-length': 0 });
      response.end();
      return;
    }
    case 'forward': {
      const key = stack.choosers.next(action);
      const functionGroup = key === undefined ? undefined : stack.functionTargetGroups?.get(key);
      if (functionGroup) {
        serveFunction({
          request,
          response,
          group: functionGroup,
          listener: { protocol: routes.protocol, specPort: routes.specPort },
          functions: exchange.context.functions ?? NO_FUNCTIONS,
          timeoutMs: stack.upstreamTimeoutMs,
          log: exchange.context.log,
        });
        return;
      }
      const picked = pickTarget(action, stack, key);
      if (!picked.ok) {
        exchange.context.log.warn({ status: picked.status, detail: picked.detail }, 'the local load balancer could not forward a request');
        sendRequestError(request, response, picked.status);
        return;
      }
      const version = picked.group.spec.protocolVersion;
      const mismatch = protocolMismatch(request, version);
      if (mismatch) {
        exchange.context.log.warn(
          { status: 464, targetGroup: picked.group.spec.key, protocolVersion: version, detail: mismatch },
          'the local load balancer could not forward a request',
        );
        sendError(response, 464);
        return;
      }
      (speaksHttp2(version) ? forwardHttp2 : forwardRequest)({
        request,
        response,
        target: picked.target,
        targets: picked.group,
        listener: { protocol: routes.protocol, specPort: routes.specPort },
        timeoutMs: stack.upstreamTimeoutMs,
        log: exchange.context.log,
      });
    }
  }
}
