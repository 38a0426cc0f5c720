/**
 * A target's malformed or unexpected answer is a 502 for that request alone: the process (and every
 * other load balancer in it) keeps serving. Error bodies name no target; the log does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalProvider } from '../../../providers/local/index.js';
import { send } from '../../support/local-lb.js';
import { rawTarget, recordingTarget, serve, simpleSpec, startProvider, type RecordingLog } from './support.js';

const MALFORMED: Record<string, string> = {
  'a status below 100': 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n',
  'a control byte in the reason phrase': 'HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n',
  'a four-digit status': 'HTTP/1.1 1000 Big\r\nContent-Length: 0\r\n\r\n',
  garbage: 'this is not HTTP at all\r\n\r\n',
  'a 101 to a request that asked for no upgrade': 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
};

describe('malformed answers from a target', () => {
  let provider: LocalProvider;
  let log: RecordingLog;
  let healthy: Awaited<ReturnType<typeof recordingTarget>>;
  before(async () => {
    healthy = await recordingTarget();
    ({ provider, log } = startProvider());
  });
  after(async () => {
    await provider.close();
    await healthy.close();
  });

  for (const [what, answer] of Object.entries(MALFORMED)) {
    it(`answers 502 for ${what}, and keeps serving`, async () => {
      const broken = await rawTarget(answer);
      try {
        const port = await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: broken.port } }));
        const response = await send({ port, path: '/x', host: 'a.test' });
        assert.equal(response.status, 502);
        assert.equal(response.body, '502 Bad Gateway\n', 'a generic body');
        await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: healthy.port } }));
        assert.equal((await send({ port, path: '/next', host: 'a.test' })).status, 200, 'the next request is served');
      } finally {
        await broken.close();
      }
    });
  }

  it('names the target only in the log, never in the body of a 502 or 504', async () => {
    const closed = await rawTarget('');
    const closedPort = closed.port;
    await closed.close();
    log.entries.length = 0;
    const port = await serve(provider, simpleSpec({ target: { ip: '127.0.0.1', port: closedPort } }));
    const refused = await send({ port, path: '/', host: 'a.test' });
    assert.equal(refused.status, 502);
    assert.doesNotMatch(refused.body, new RegExp(`127\\.0\\.0\\.1|${closedPort}|ECONNREFUSED`));
    assert.match(log.text(), new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
    assert.match(log.text(), /ECONNREFUSED/);
  });
});
