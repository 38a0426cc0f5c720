/**
 * One health check of one target, as an ALB makes it: a GET of the check's path, answered with one
 * of the success codes within the timeout.
 * @module
 */
import http from 'node:http';
import https from 'node:https';

/** ALB success codes: `200`, `200,202`, `200-299`, or a mix (`200,300-399`). */
export function parseSuccessCodes(text: string): (status: number) => boolean {
  const ranges = text.split(',').map((part) => {
    const [low = '', high = low] = part.trim().split('-');
    return { low: Number(low), high: Number(high) };
  });
  return (status) => ranges.some((range) => status >= range.low && status <= range.high);
}

export interface ProbeRequest {
  protocol: 'HTTP' | 'HTTPS';
  ip: string;
  port: number;
  path: string;
  timeoutMs: number;
  /** Aborts the probe (its target or the whole load balancer went away). */
  signal: AbortSignal;
}

/** The answer's status code; undefined for no answer (refused, reset, timed out or aborted). */
export function probeTarget(probe: ProbeRequest): Promise<number | undefined> {
  return new Promise((resolve) => {
    const timeout = AbortSignal.timeout(probe.timeoutMs);
    const request = (probe.protocol === 'HTTPS' ? https : http).request({
      host: probe.ip,
      port: probe.port,
      path: probe.path,
      method: 'GET',
      // A fresh connection per check, as the cloud does, so a check never waits on a pooled socket.
      agent: false,
      headers: { 'user-agent': 'ingress-bridge-local-health-checker', connection: 'close' },
      signal: AbortSignal.any([probe.signal, timeout]),
      ...(probe.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
    request.end();
  });
}
