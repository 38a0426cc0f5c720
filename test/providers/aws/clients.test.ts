import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ListCertificatesCommand } from '@aws-sdk/client-acm';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiBudget, type Clock } from '../../../providers/aws/sdk/budget.js';
import { type AwsCallEvent, type AwsClientsOptions, createAwsClients, destroyAwsClients } from '../../../providers/aws/sdk/clients.js';

// Nothing here may consult a real credential chain or the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ELBV2_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const ELBV2_DESCRIBE_OK = `<DescribeLoadBalancersResponse xmlns="${ELBV2_NS}"><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`;
const ELBV2_THROTTLED =
  '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>';
const ACM_LIST_OK = '{"CertificateSummaryList":[]}';
const ACM_THROTTLED = '{"__type":"ThrottlingException","message":"Rate exceeded"}';

interface ReceivedRequest {
  action: string;
  /** The SDK's `amz-sdk-request: attempt=N; max=M` header. */
  attempt: string;
}

/** A loopback endpoint speaking ELBv2's awsQuery and ACM's JSON protocol; throttles on request. */
class FakeAwsEndpoint {
  readonly received: ReceivedRequest[] = [];
  /** Action → how many of its next requests to throttle. */
  readonly throttleNext = new Map<string, number>();
  private readonly server: Server = createServer((request, response) => {
    void this.answer(request).then(({ status, contentType, body }) => {
      response.writeHead(status, { 'content-type': contentType }).end(body);
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server.close();
  }

  reset(): void {
    this.received.length = 0;
    this.throttleNext.clear();
  }

  private async answer(request: IncomingMessage): Promise<{ status: number; contentType: string; body: string }> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const target = request.headers['x-amz-target'];
    const isAcm = typeof target === 'string';
    const action = isAcm ? target.replace('CertificateManager.', '') : (new URLSearchParams(body).get('Action') ?? '');
    this.received.push({ action, attempt: String(request.headers['amz-sdk-request']) });

    const throttles = this.throttleNext.get(action) ?? 0;
    if (throttles > 0) this.throttleNext.set(action, throttles - 1);
    if (isAcm) {
      return { status: throttles > 0 ? 400 : 200, contentType: 'application/x-amz-json-1.1', body: throttles > 0 ? ACM_THROTTLED : ACM_LIST_OK };
    }
    return { status: throttles > 0 ? 400 : 200, contentType: 'text/xml', body: throttles > 0 ? ELBV2_THROTTLED : ELBV2_DESCRIBE_OK };
  }
}

describe('createAwsClients against a loopback endpoint', () => {
  const fake = new FakeAwsEndpoint();
  let endpoint = '';
  let events: AwsCallEvent[] = [];

  const clientsFor = (options: Partial<AwsClientsOptions> = {}) =>
    createAwsClients({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint,
      budget: new ApiBudget(),
      onCall: (event) => events.push(event),
      ...options,
    });

  before(async () => {
    endpoint = await fake.start();
  });
  after(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    events = [];
  });

  it('makes a lazy client on its first use, told to onClient and instrumented like the others', async () => {
    const made: string[] = [];
    const clients = clientsFor({ onClient: (service) => made.push(service) });
    assert.deepEqual(made, ['elbv2', 'ec2', 'tagging']);
    assert.equal(clients.acm.loaded(), undefined);

    const [first, second] = await Promise.all([clients.acm.load(), clients.acm.load()]);
    assert.equal(first.client, second.client, 'calls during the import share one client');
    assert.equal(clients.acm.loaded(), first.client);
    await first.client.send(new ListCertificatesCommand({}));
    destroyAwsClients(clients);

    assert.deepEqual(made, ['elbv2', 'ec2', 'tagging', 'acm']);
    assert.deepEqual(
      events.map(({ service, action, attempts }) => ({ service, action, attempts })),
      [{ service: 'acm', action: 'ListCertificates', attempts: 1 }],
    );
  });

  it('sends to the endpoint override and reports each call by action', async () => {
    const clients = clientsFor();
    await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    await (await clients.acm.load()).client.send(new ListCertificatesCommand({}));
    destroyAwsClients(clients);

    assert.deepEqual(
      fake.received.map((r) => r.action),
      ['DescribeLoadBalancers', 'DescribeLoadBalancers', 'ListCertificates'],
    );
    assert.deepEqual(
      events.map(({ service, action, attempts, error }) => ({ service, action, attempts, error })),
      [
        { service: 'elbv2', action: 'DescribeLoadBalancers', attempts: 1, error: undefined },
        { service: 'elbv2', action: 'DescribeLoadBalancers', attempts: 1, error: undefined },
        { service: 'acm', action: 'ListCertificates', attempts: 1, error: undefined },
      ],
    );
  });

  it('retries a throttled ELBv2 call and takes a budget token per attempt', async () => {
    const budget = new ApiBudget();
    const clients = clientsFor({ budget });
    fake.throttleNext.set('DescribeLoadBalancers', 1);
    const output = await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    destroyAwsClients(clients);

    assert.deepEqual(output.LoadBalancers, []);
    assert.deepEqual(
      fake.received.map((r) => r.attempt),
      ['attempt=1; max=5', 'attempt=2; max=5'],
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]?.attempts, 2);
    assert.equal(events[0]?.error, undefined);
    const { acquiredByBucket } = budget.stats();
    assert.equal(acquiredByBucket['elbv2-non-mutating'], 2);
    assert.equal(acquiredByBucket['elbv2-account'], 2);
  });

  it('tells the shared budget of each throttled attempt, which lowers that bucket for every client', async () => {
    const budget = new ApiBudget();
    const clients = clientsFor({ budget });
    const others = clientsFor({ budget });
    fake.throttleNext.set('DescribeLoadBalancers', 1);
    await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    destroyAwsClients(clients);
    destroyAwsClients(others);

    const stats = budget.stats();
    assert.deepEqual(stats.throttledByBucket, { 'elbv2-non-mutating': 1 });
    assert.ok((stats.loweredRateByBucket['elbv2-non-mutating'] ?? 10) < 10, 'the bucket every client draws from paces slower now');
    assert.equal(stats.loweredRateByBucket['elbv2-account'], undefined);
  });

  it('retries a throttled ACM call (JSON protocol)', async () => {
    const budget = new ApiBudget();
    const clients = clientsFor({ budget });
    fake.throttleNext.set('ListCertificates', 1);
    await (await clients.acm.load()).client.send(new ListCertificatesCommand({}));
    destroyAwsClients(clients);

    assert.equal(fake.received.length, 2);
    assert.equal(events[0]?.attempts, 2);
    assert.equal(budget.stats().acquiredByBucket['acm-list-certificates'], 2);
  });

  it('gives up after maxAttempts and reports the error code', async () => {
    const budget = new ApiBudget();
    const clients = clientsFor({ budget, maxAttempts: 2 });
    fake.throttleNext.set('DescribeLoadBalancers', 10);
    await assert.rejects(clients.elbv2.send(new DescribeLoadBalancersCommand({})), { name: 'Throttling' });
    destroyAwsClients(clients);

    assert.equal(fake.received.length, 2);
    assert.deepEqual(
      events.map(({ action, attempts, error }) => ({ action, attempts, error })),
      [{ action: 'DescribeLoadBalancers', attempts: 2, error: 'Throttling' }],
    );
    assert.equal(budget.stats().acquiredByBucket['elbv2-account'], 2);
  });

  it('holds a request until the budget has a token for it', async () => {
    const clock = new ManualClock();
    const budget = new ApiBudget({ clock, overrides: { 'elbv2-non-mutating': { capacity: 1, refillPerSecond: 1 } } });
    const clients = clientsFor({ budget });
    const first = clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    const second = clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    await first;
    assert.equal(fake.received.length, 1, 'the second request waits for a token');

    clock.advance(1000);
    await second;
    destroyAwsClients(clients);
    assert.equal(fake.received.length, 2);
    assert.equal(budget.stats().waitsByBucket['elbv2-non-mutating'], 1);
  });

  it('uses AWS_ENDPOINT_URL when no endpoint is given', async () => {
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      const clients = clientsFor({ endpoint: undefined });
      await (await clients.acm.load()).client.send(new ListCertificatesCommand({}));
      destroyAwsClients(clients);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
    assert.deepEqual(
      fake.received.map((r) => r.action),
      ['ListCertificates'],
    );
  });
});

/** A clock whose sleeps end only when the test advances it. */
class ManualClock implements Clock {
  private time = 0;
  private sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.time + ms, wake }));
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const sleeper of due) sleeper.wake();
  }
}
