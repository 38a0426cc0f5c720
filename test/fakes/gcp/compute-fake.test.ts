/**
 * The Compute fake validates like the API, through the real SDK over loopback: required fields,
 * references that must exist, names unique, a resource in use cannot be deleted, an update must
 * carry the current fingerprint, a managed forwarding rule needs the proxy-only subnet, an HTTPS
 * proxy needs a certificate — each refused with Compute's status (as the client's gRPC-style code)
 * and without a change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GcpFake } from '../../../fakes/gcp/index.js';
import { KINDS } from '../../../providers/gcp/kinds.js';
import { ComputeApi, ComputeCallError } from '../../../providers/gcp/sdk/compute.js';

/** The codes google-gax gives Compute's HTTP statuses: 400, 404, 409 (ABORTED), 412. */
const CODE = { invalid: 3, notFound: 5, alreadyExists: 10, conditionNotMet: 9 } as const;

describe('the Compute fake, through the real SDK', () => {
  const fake = new GcpFake();
  let api: ComputeApi;
  const region = (collection: string, name: string): string => `projects/${fake.project}/regions/${fake.region}/${collection}/${name}`;

  before(async () => {
    const { host, port } = await fake.start();
    api = new ComputeApi({ project: fake.project, region: fake.region, endpoint: `http://${host}:${port}`, maxAttempts: 1 });
    await api.insert(KINDS.healthCheck, undefined, { name: 'hc', type: 'HTTP', httpHealthCheck: { requestPath: '/' } });
    await api.insert(KINDS.backendService, undefined, {
      name: 'bs',
      protocol: 'HTTP',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      healthChecks: [region('healthChecks', 'hc')],
    });
    await api.insert(KINDS.urlMap, undefined, { name: 'um', defaultService: region('backendServices', 'bs') });
  });

  after(async () => {
    await api.close();
    await fake.close();
  });

  async function refused(call: () => Promise<void>, code: number, message: RegExp): Promise<void> {
    const state = JSON.stringify(fake.store.keys());
    await assert.rejects(call, (error: unknown) => error instanceof ComputeCallError && error.code === code && message.test(error.message));
    assert.equal(JSON.stringify(fake.store.keys()), state, 'nothing changed');
  }

  it('requires the fields Compute requires', () => refused(() => api.insert(KINDS.urlMap, undefined, { name: 'no-default' }), CODE.invalid, /defaultService/));

  it('refuses a reference to a resource that does not exist', () =>
    refused(() => api.insert(KINDS.urlMap, undefined, { name: 'dangling', defaultService: region('backendServices', 'missing') }), CODE.notFound, /missing/));

  it('refuses a second resource of the same name', () =>
    refused(() => api.insert(KINDS.urlMap, undefined, { name: 'um', defaultService: region('backendServices', 'bs') }), CODE.alreadyExists, /already exists/));

  it('refuses to delete a resource another uses', () =>
    refused(() => api.delete(KINDS.backendService, undefined, 'bs'), CODE.invalid, /already being used by/));

  it('refuses an update without the current fingerprint, and takes one with it', async () => {
    await refused(
      () => api.update(KINDS.urlMap, undefined, 'um', { name: 'um', defaultService: region('backendServices', 'bs'), fingerprint: 'stale' }),
      CODE.conditionNotMet,
      /fingerprint/,
    );
    const [current] = await api.list(KINDS.urlMap, 'um');
    await api.update(KINDS.urlMap, undefined, 'um', { name: 'um', defaultService: region('backendServices', 'bs'), fingerprint: current!['fingerprint'] });
    const [updated] = await api.list(KINDS.urlMap, 'um');
    assert.notEqual(updated!['fingerprint'], current!['fingerprint'], 'a new fingerprint after the update');
  });

  it('refuses route rules with one priority twice', () =>
    refused(
      () =>
        api.insert(KINDS.urlMap, undefined, {
          name: 'twice',
          defaultService: region('backendServices', 'bs'),
          hostRules: [{ hosts: ['*'], pathMatcher: 'm' }],
          pathMatchers: [
            {
              name: 'm',
              defaultService: region('backendServices', 'bs'),
              routeRules: [
                { priority: 1, service: region('backendServices', 'bs') },
                { priority: 1, service: region('backendServices', 'bs') },
              ],
            },
          ],
        }),
      CODE.invalid,
      /not unique/,
    ));

  it('refuses an HTTPS proxy without a certificate', () =>
    refused(
      () => api.insert(KINDS.targetHttpsProxy, undefined, { name: 'tls', urlMap: region('urlMaps', 'um'), sslCertificates: [] }),
      CODE.invalid,
      /sslCertificates/,
    ));

  it('refuses a certificate whose key does not match', () =>
    refused(() => api.insert(KINDS.sslCertificate, undefined, { name: 'crt', certificate: 'x', privateKey: 'y' }), CODE.invalid, /certificate/));

  it('counts mutating calls and awaits operations only through wait', () => {
    const mutating = fake.mutatingCalls().filter((call) => call.error === undefined).length;
    assert.ok(mutating >= 4);
    assert.deepEqual(fake.store.unwaitedOperations(), []);
  });

  it('refuses a managed forwarding rule without the proxy-only subnet', async () => {
    const bare = new GcpFake({ project: 'bare' });
    const { host, port } = await bare.start({ proxySubnet: false });
    const client = new ComputeApi({ project: 'bare', region: bare.region, endpoint: `http://${host}:${port}`, maxAttempts: 1 });
    try {
      await client.insert(KINDS.healthCheck, undefined, { name: 'hc', type: 'HTTP', httpHealthCheck: {} });
      await client.insert(KINDS.backendService, undefined, { name: 'bs', protocol: 'HTTP', loadBalancingScheme: 'EXTERNAL_MANAGED' });
      const scope = `projects/bare/regions/${bare.region}`;
      await client.insert(KINDS.urlMap, undefined, { name: 'um', defaultService: `${scope}/backendServices/bs` });
      await client.insert(KINDS.targetHttpProxy, undefined, { name: 'p', urlMap: `${scope}/urlMaps/um` });
      await client.insert(KINDS.address, undefined, { name: 'a', addressType: 'EXTERNAL' });
      await assert.rejects(
        client.insert(KINDS.forwardingRule, undefined, {
          name: 'fr',
          IPAddress: `${scope}/addresses/a`,
          portRange: '80-80',
          target: `${scope}/targetHttpProxies/p`,
          loadBalancingScheme: 'EXTERNAL_MANAGED',
          network: 'projects/bare/global/networks/default',
        }),
        /proxy-only subnetwork is required/,
      );
    } finally {
      await client.close();
      await bare.close();
    }
  });
});

describe('the Compute fake: the global collections', () => {
  const fake = new GcpFake();
  let api: ComputeApi;
  const global = (collection: string, name: string): string => `projects/${fake.project}/global/${collection}/${name}`;
  const regional = (collection: string, name: string): string => `projects/${fake.project}/regions/${fake.region}/${collection}/${name}`;

  before(async () => {
    // No proxy-only subnet: a global external load balancer needs none.
    const { host, port } = await fake.start({ proxySubnet: false });
    api = new ComputeApi({ project: fake.project, region: fake.region, endpoint: `http://${host}:${port}`, maxAttempts: 1 });
    await api.insert(KINDS.globalHealthCheck, undefined, { name: 'hc', type: 'HTTP', httpHealthCheck: { requestPath: '/' } });
    await api.insert(KINDS.globalBackendService, undefined, {
      name: 'bs',
      protocol: 'HTTP',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      healthChecks: [global('healthChecks', 'hc')],
    });
    await api.insert(KINDS.healthCheck, undefined, { name: 'regional-hc', type: 'HTTP', httpHealthCheck: { requestPath: '/' } });
    await api.insert(KINDS.backendService, undefined, { name: 'regional-bs', protocol: 'HTTP', loadBalancingScheme: 'EXTERNAL_MANAGED' });
  });

  after(async () => {
    await api.close();
    await fake.close();
  });

  async function refused(call: () => Promise<void>, message: RegExp): Promise<void> {
    const state = JSON.stringify(fake.store.keys());
    await assert.rejects(call, (error: unknown) => error instanceof ComputeCallError && error.code === CODE.invalid && message.test(error.message));
    assert.equal(JSON.stringify(fake.store.keys()), state, 'nothing changed');
  }

  const withRegex = (name: string): Record<string, unknown> => ({
    name,
    defaultService: global('backendServices', 'bs'),
    hostRules: [{ hosts: ['*'], pathMatcher: 'm' }],
    pathMatchers: [
      {
        name: 'm',
        defaultService: global('backendServices', 'bs'),
        routeRules: [
          {
            priority: 1,
            matchRules: [{ headerMatches: [{ headerName: ':authority', regexMatch: '(?i)^a\\.test$' }] }],
            service: global('backendServices', 'bs'),
          },
        ],
      },
    ],
  });

  it('refuses regexMatch in a global URL map of EXTERNAL_MANAGED backend services, as Compute does', () =>
    refused(() => api.insert(KINDS.globalUrlMap, undefined, withRegex('regex')), /regexMatch is only supported by regional EXTERNAL_MANAGED/));

  it('takes the same regexMatch in a regional URL map', async () => {
    const regionalMap = JSON.parse(
      JSON.stringify(withRegex('regional-regex')).replaceAll(global('backendServices', 'bs'), regional('backendServices', 'regional-bs')),
    ) as Record<string, unknown>;
    await api.insert(KINDS.urlMap, undefined, regionalMap);
  });

  it("refuses a reference to another scope's resource", () =>
    refused(
      () => api.insert(KINDS.globalUrlMap, undefined, { name: 'mixed', defaultService: regional('backendServices', 'regional-bs') }),
      /a global urlMaps resource cannot reference/,
    ));

  it('refuses a network on a global external forwarding rule, and takes the rule without one; setUrlMap is served without /global/', async () => {
    await api.insert(KINDS.globalUrlMap, undefined, { name: 'um', defaultService: global('backendServices', 'bs') });
    await api.insert(KINDS.globalUrlMap, undefined, { name: 'um2', defaultService: global('backendServices', 'bs') });
    await api.insert(KINDS.globalTargetHttpProxy, undefined, { name: 'p', urlMap: global('urlMaps', 'um') });
    await api.insert(KINDS.globalAddress, undefined, { name: 'a', addressType: 'EXTERNAL', networkTier: 'PREMIUM' });
    const rule = {
      name: 'fr',
      IPAddress: global('addresses', 'a'),
      portRange: '80-80',
      target: global('targetHttpProxies', 'p'),
      loadBalancingScheme: 'EXTERNAL_MANAGED',
    };
    await refused(
      () => api.insert(KINDS.globalForwardingRule, undefined, { ...rule, network: 'projects/test-project/global/networks/default' }),
      /takes no network/,
    );
    await api.insert(KINDS.globalForwardingRule, undefined, rule);
    await api.verb(KINDS.globalTargetHttpProxy, undefined, 'p', 'setUrlMap', 'urlMapReferenceResource', { urlMap: global('urlMaps', 'um2') });
    assert.match(String(fake.store.get(global('targetHttpProxies', 'p'))['urlMap']), /\/global\/urlMaps\/um2$/);
    assert.ok(fake.calls().some((call) => call.action === 'targetHttpProxies.setUrlMap' && call.target === global('targetHttpProxies', 'p')));
    assert.ok(fake.calls().some((call) => call.action === 'globalForwardingRules.insert'));
  });
});
