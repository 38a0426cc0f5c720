/**
 * Log lines a person can read at a terminal (issue 13): the same records as the JSON lines, one
 * readable line each; JSON stays the default wherever stderr is not a terminal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, defaultLogFormat } from '../../src/observability/logger.js';

describe('log formats', () => {
  it('defaults to text on a terminal and to JSON anywhere else', () => {
    assert.equal(defaultLogFormat({ isTTY: true }), 'text');
    assert.equal(defaultLogFormat({ isTTY: false }), 'json');
    assert.equal(defaultLogFormat({}), 'json');
  });

  it('writes one readable line per record in text: time, level, message, then the keys', () => {
    const lines: string[] = [];
    const logger = createLogger('info', 'text', (line) => lines.push(line));
    logger.info({ stack: 'default/echo', operations: 3, apiCalls: {} }, 'load balancer updated');
    logger.error({ err: new Error('port 8080 is taken'), stack: 'shared' }, 'reconcile failed');
    logger.debug('not at info');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^\d\d:\d\d:\d\d\.\d{3} INFO {2}load balancer updated stack=default\/echo operations=3 apiCalls=\{\}\n$/);
    assert.match(lines[1] ?? '', /^\d\d:\d\d:\d\d\.\d{3} ERROR reconcile failed err="port 8080 is taken" stack=shared\n$/);
  });

  it('writes the same record as one JSON object per line in json', () => {
    const lines: string[] = [];
    createLogger('info', 'json', (line) => lines.push(line)).warn({ ingress: 'default/web' }, 'left out');
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(record.msg, 'left out');
    assert.equal(record.ingress, 'default/web');
    assert.equal(record.level, 40);
  });
});
