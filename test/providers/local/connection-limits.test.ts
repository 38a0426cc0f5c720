/**
 * Connection caps and the headers timeout: slow-loris connections that trickle their headers are
 * closed by the headers timeout, connections over the cap are refused at once, and the load
 * balancer serves again as soon as the slow ones are gone. A small cap stands in for the thousands
 * a real attack would open.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { readLocalSettings } from '../../../providers/local/settings.js';
import { defaultMaxConnections, openFilesLimit } from '../../../providers/local/connection-limits.js';
import { send } from '../../support/local-lb.js';
import { recordingTarget, serve, simpleSpec, startProvider } from './support.js';

const CAP = 4;

/** A connection that has sent part of a request line and then stalls; resolves once it is open. */
function slowLoris(port: number): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET / HTTP/1.1\r\nHost: a.test\r\nX-Slow: ');
      resolve({ socket, closed });
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

describe('connection limits', () => {
  let provider: LocalProvider;
  let target: Awaited<ReturnType<typeof recordingTarget>>;
  let port: number;
  before(async () => {
    target = await recordingTarget();
    // A headers timeout the slow connections will reach while the test waits on them (not timed).
    ({ provider } = startProvider({ maxConnections: CAP, maxConnectionsPerListener: CAP, headersTimeoutMs: 300, requestTimeoutMs: 1000 }));
    port = await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: target.port } }));
  });
  after(async () => {
    await provider.close();
    await target.close();
  });

  it('refuses connections over the cap, closes slow-loris ones by the headers timeout, then serves again', async () => {
    const slow = await Promise.all(Array.from({ length: CAP }, () => slowLoris(port)));
    await assert.rejects(send({ port, host: 'a.test' }), 'a connection over the cap is closed at once');
    const answers = await Promise.all(slow.map((connection) => connection.closed));
    for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 /, 'the headers timeout answers 408 and closes');
    assert.equal((await send({ port, host: 'a.test' })).status, 200);
  });
});

describe('connection limit settings', () => {
  it('reads the caps and timeouts, with defaults like the ALB', () => {
    const defaults = readLocalSettings({});
    assert.equal(defaults.clientIdleTimeoutMs, 60_000);
    assert.equal(defaults.headersTimeoutMs, 20_000);
    assert.equal(defaults.requestTimeoutMs, 300_000);
    assert.equal(defaults.maxConnectionsPerListener, 2048);
    assert.ok(defaults.maxConnections >= 1 && defaults.maxConnections <= 4096);
    const set = readLocalSettings({
      maxConnections: '10',
      maxConnectionsPerListener: 5,
      headersTimeoutMs: '100',
      requestTimeoutMs: 200,
      clientIdleTimeoutMs: 1000,
    });
    assert.deepEqual(
      [set.maxConnections, set.maxConnectionsPerListener, set.headersTimeoutMs, set.requestTimeoutMs, set.clientIdleTimeoutMs],
      [10, 5, 100, 200, 1000],
    );
    assert.throws(() => readLocalSettings({ maxConnections: 0 }), /maxConnections/);
    assert.throws(() => readLocalSettings({ maxConnections: 1.5 }), /whole number/);
    assert.throws(() => readLocalSettings({ headersTimeoutMs: 500, requestTimeoutMs: 100 }), /headersTimeoutMs/);
  });

  it('fits the default overall cap to the open-files limit', () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n';
    assert.equal(openFilesLimit(limits), 1024);
    assert.equal(defaultMaxConnections(1024), 480);
    assert.equal(defaultMaxConnections(1_048_576), 4096);
    assert.equal(defaultMaxConnections(undefined), 4096);
    assert.equal(openFilesLimit('Max open files            unlimited            unlimited            files\n'), undefined);
  });
});
