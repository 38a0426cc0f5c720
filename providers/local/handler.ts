/**
 * What a listening socket does with a request: pick the stack and action (dispatch.ts), then answer
 * with the action — forward to a target, a fixed response, or a redirect.
 *
 * The routes are read once, when the request arrives, and the request keeps those objects to the
 * end; an apply swaps in new routes for the requests after it, so none in flight is dropped.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Action, ListenerProtocol } from '../../src/model.js';
import type { ForwardChoosers } from './balancer.js';
import { chooseRoute, requestFacts, type RouteCandidate } from './dispatch.js';
import { forwardRequest, sendError, type UpstreamAgents } from './forward.js';
import type { RequestHandler } from './listeners.js';
import { redirectLocation, redirectStatus } from './redirect.js';
import type { ServedTargetGroup } from './target-groups.js';

/** What a request needs of a served stack. */
export interface RoutedStack {
  targetGroups: ReadonlyMap<string, ServedTargetGroup>;
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
  agents: UpstreamAgents;
  /** The local port that serves a spec port, for redirect Locations. */
  localPortFor: (specPort: number) => number;
}

export function createRequestHandler(context: HandlerContext): RequestHandler {
  return (request, response) => {
    const routes = context.routes();
    if (!routes) return sendError(response, 404, 'no load balancer listens on this port');
    const facts = requestFacts(request);
    const chosen = chooseRoute(routes.candidates, facts);
    if (!chosen) return sendError(response, 404, 'no rule matches the request');
    answer(chosen.action, chosen.candidate.stack, { request, response, routes, context });
  };
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  routes: PortRoutes;
  context: HandlerContext;
}

function answer(action: Action, stack: RoutedStack, exchange: Exchange): void {
  const { request, response, routes } = exchange;
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
      const facts = requestFacts(request);
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
      const group = key === undefined ? undefined : stack.targetGroups.get(key);
      if (!group) return sendError(response, 503, 'the rule forwards to no target group with a weight above 0');
      const target = group.pickTarget();
      if (!target) return sendError(response, 502, `target group ${group.spec.key} has no healthy target`);
      forwardRequest({
        request,
        response,
        target,
        targetProtocol: group.spec.protocol,
        listener: { protocol: routes.protocol, specPort: routes.specPort },
        timeoutMs: stack.upstreamTimeoutMs,
        agents: exchange.context.agents,
      });
    }
  }
}
