/**
 * Watch stream decoding: one JSON event per line, however the bytes are cut into chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorEventCode, WatchLineDecoder, type WatchEvent } from '../../src/sources/kube-watch.js';

const line = (event: WatchEvent): string => `${JSON.stringify(event)}\n`;
const added: WatchEvent = { type: 'ADDED', object: { metadata: { name: 'café', resourceVersion: '5' } } };
const bookmark: WatchEvent = { type: 'BOOKMARK', object: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: '9' } } };
const gone: WatchEvent = {
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (5)' },
};

describe('WatchLineDecoder', () => {
  it('puts together lines, and characters, split across chunks', () => {
    const bytes = Buffer.from(line(added) + line(bookmark) + line(gone));
    // Every cut, including inside the two bytes of é.
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new WatchLineDecoder();
      const events = [...decoder.push(bytes.subarray(0, cut)).events, ...decoder.push(bytes.subarray(cut)).events, ...decoder.end().events];
      assert.deepEqual(events, [added, bookmark, gone], `cut at ${cut}`);
    }
  });

  it('takes a last line without its newline when the stream ends', () => {
    const decoder = new WatchLineDecoder();
    assert.deepEqual(decoder.push(JSON.stringify(added)).events, []);
    assert.deepEqual(decoder.end().events, [added]);
  });

  it('counts, and skips, lines that are not watch events', () => {
    const decoder = new WatchLineDecoder();
    const decoded = decoder.push(`not json\n${JSON.stringify({ type: 'SURPRISE', object: {} })}\n\n${line(added)}[1]\n`);
    assert.deepEqual(decoded, { events: [added], invalid: 3 });
  });

  it('reads the code of an ERROR event (410: the version is too old)', () => {
    assert.equal(errorEventCode(gone), 410);
    assert.equal(errorEventCode({ type: 'ERROR', object: 'no status' }), undefined);
  });
});
