/** The per-reconcile count of cloud API calls follows each reconcile's async context. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { countingApiCalls, noteApiCall } from '../../src/controller/api-call-log.js';

describe('api call log', () => {
  it('keeps the calls of concurrent reconciles apart, and ignores calls outside any', async () => {
    noteApiCall('elbv2', 'Ignored');
    const [first, second] = await Promise.all([
      countingApiCalls(async () => {
        noteApiCall('elbv2', 'DescribeRules');
        await sleep(5);
        noteApiCall('elbv2', 'DescribeRules');
        return 'first';
      }),
      countingApiCalls(async () => {
        await sleep(1);
        noteApiCall('acm', 'ImportCertificate');
        return 'second';
      }),
    ]);
    assert.deepEqual(first, { value: 'first', calls: { 'elbv2:DescribeRules': 2 } });
    assert.deepEqual(second, { value: 'second', calls: { 'acm:ImportCertificate': 1 } });
  });
});
