/**
 * Keep-alive connections from the load balancer to the targets of one target group: one pool (a
 * Node Agent) per target, so a target can be let go of on its own.
 *
 * A target that leaves the group — deregistered, or its group gone — keeps the requests it is
 * answering: nothing is aborted. Its pool is retired instead: idle connections are closed at once,
 * and a busy one is closed as soon as its response is done rather than kept for another request
 * (Node's Agent asks `keepSocketAlive` before it pools a socket again). A Pod that is shutting down
 * then sees its last requests finish and no new one on an old connection, as behind the ALB's
 * deregistration.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Target } from '../../src/model.js';

export type TargetProtocol = 'HTTP' | 'HTTPS';

interface RetirableAgent extends http.Agent {
  retired: boolean;
}

class TargetHttpAgent extends http.Agent implements RetirableAgent {
  retired = false;

  override keepSocketAlive(socket: Duplex): boolean {
    if (this.retired) return false;
    super.keepSocketAlive(socket);
    return true;
  }
}

class TargetHttpsAgent extends https.Agent implements RetirableAgent {
  retired = false;

  override keepSocketAlive(socket: Duplex): boolean {
    if (this.retired) return false;
    super.keepSocketAlive(socket);
    return true;
  }
}

function createAgent(protocol: TargetProtocol): RetirableAgent {
  return protocol === 'HTTPS' ? new TargetHttpsAgent({ keepAlive: true }) : new TargetHttpAgent({ keepAlive: true });
}

/** No new request is given this agent's idle connections, and busy ones close once their response is done. */
function retire(agent: RetirableAgent): void {
  agent.retired = true;
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy();
  }
}

function poolKey(target: Pick<Target, 'ip' | 'port'>, protocol: TargetProtocol): string {
  return `${protocol} ${target.ip}:${target.port}`;
}

export class TargetConnections {
  private readonly pools = new Map<string, RetirableAgent>();
  private closed = false;

  /** The pool for this target; after `closeAll`, a connection used once and then closed. */
  agentFor(target: Pick<Target, 'ip' | 'port'>, protocol: TargetProtocol): http.Agent {
    const key = poolKey(target, protocol);
    const pooled = this.pools.get(key);
    if (pooled) return pooled;
    const agent = createAgent(protocol);
    // A request of a retired group may still retry on one of its targets; it pools nothing.
    if (this.closed) retire(agent);
    else this.pools.set(key, agent);
    return agent;
  }

  /** Retires the pools of targets no longer served (or served by another protocol now). */
  retainOnly(targets: readonly Pick<Target, 'ip' | 'port'>[], protocol: TargetProtocol): void {
    const kept = new Set(targets.map((target) => poolKey(target, protocol)));
    for (const [key, agent] of this.pools) {
      if (kept.has(key)) continue;
      retire(agent);
      this.pools.delete(key);
    }
  }

  closeAll(): void {
    this.closed = true;
    this.retainOnly([], 'HTTP');
  }
}
