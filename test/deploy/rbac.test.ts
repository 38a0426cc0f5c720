/**
 * deploy/base/rbac.yaml is least privilege: a full lifecycle of two replicas runs under it with no
 * request denied, and every grant in it is used by that run. Also: the authorizer that enforces it
 * matches requests as Kubernetes RBAC does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startKubeRun, type KubeRunHandle } from '../../src/commands/run-cluster.js';
import { FINALIZER } from '../../src/controller/ingress-writer.js';
import { createLogger } from '../../src/observability/logger.js';
import { testCertificate } from '../../fakes/aws/fixtures.js';
import { INGRESS_CLASS_YAML, ingressYaml, NODE_YAML, selectingServiceYaml, serviceYaml, testOptions, type IngressFixture } from '../support/cluster.js';
import { startKubeFake, type KubeFake, type KubeObject, type RequestAttributes } from '../../fakes/kube/index.js';
import { applyWebhookManifest, applyYaml } from '../support/kube-yaml.js';
import { tlsSecretYaml } from '../support/local-lb.js';
import { createMemoryCloud, hostnameOf, memoryProvider, type MemoryCloud } from '../support/plugin-provider.js';
import { assertNothingDenied, describeGrant, loadRbacAuthorizer, RBAC_FILE, waitUnlessDenied, type RbacAuthorizer } from '../support/rbac.js';

const CONTROLLER_NAMESPACE = 'ingress-bridge';
/** The Service `api` selects the Pods `app: api`, and the namespace asks for readiness gates. */
const GATED_NAMESPACE_YAML = `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {ingress-bridge.io/pod-readiness-gate-inject: enabled}}
---
${selectingServiceYaml('api', 'default')}`;

const GATEWAY_API_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ingress-bridge}
spec: {controllerName: ingress-bridge.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ingress-bridge
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: http, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{method: {service: api.Api}}], backendRefs: [{name: api, port: 80}]}]
---
`;

const web = (path: string): IngressFixture => ({
  name: 'web',
  annotations: { 'ingress-bridge.io/target-type': 'ip' },
  tls: [{ hosts: ['web.test'], secretName: 'web-tls' }],
  rules: [{ host: 'web.test', paths: [{ path, pathType: 'Prefix', service: 'api' }] }],
});

describe('deploy/base/rbac.yaml over a full lifecycle of two replicas', () => {
  let fake: KubeFake;
  let rbac: RbacAuthorizer;
  let cloud: MemoryCloud;
  const running: KubeRunHandle[] = [];
  const until = (condition: () => boolean, timeoutMs = 8000): Promise<void> => waitUnlessDenied(rbac, condition, timeoutMs);
  const apply = (yaml: string): void => applyYaml(fake, yaml);
  const ingress = (): KubeObject | undefined => fake.get('ingresses', 'default', 'web');
  const start = async (identity: string): Promise<KubeRunHandle> => {
    const handle = await startKubeRun({
      connection: fake.connection(),
      provider: () => memoryProvider(cloud, identity),
      providerSettings: {},
      translateOptions: () => testOptions({ now: new Date() }),
      logger: createLogger('silent'),
      namespace: CONTROLLER_NAMESPACE,
      leaderElection: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200, identity },
      concurrency: 2,
      resyncMs: 60_000,
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      webhook: { address: '127.0.0.1:0', namespace: CONTROLLER_NAMESPACE, serviceName: 'ingress-bridge-webhook', configurationName: 'ingress-bridge' },
      readinessGates: { pollMs: 100 },
    });
    running.push(handle);
    return handle;
  };
  const stop = async (handle: KubeRunHandle): Promise<void> => {
    running.splice(running.indexOf(handle), 1);
    await handle.stop();
  };

  before(async () => {
    fake = await startKubeFake();
    rbac = loadRbacAuthorizer();
    fake.setAuthorizer(rbac.authorize);
    cloud = createMemoryCloud();
  });
  after(async () => {
    await Promise.all(running.splice(0).map((handle) => handle.stop()));
    await fake.close();
  });

  it('runs create, edit, status, Events, readiness gates, deletion and a leader handover with nothing denied', async () => {
    applyWebhookManifest(fake);
    apply(
      INGRESS_CLASS_YAML +
        NODE_YAML +
        serviceYaml({ name: 'api' }) +
        GATED_NAMESPACE_YAML +
        tlsSecretYaml('web-tls', testCertificate({ commonName: 'web.test' })) +
        ingressYaml(web('/api')),
    );
    const first = await start('first');
    const second = await start('second');
    await until(() => first.elector?.isLeader() === true || second.elector?.isLeader() === true);
    const [leader, follower] = first.elector?.isLeader() ? [first, second] : [second, first];

    type Status = { loadBalancer?: { ingress?: { hostname?: string }[] } };
    await until(() => (ingress()?.status as Status | undefined)?.loadBalancer?.ingress?.[0]?.hostname === hostnameOf('default/web'));
    assert.deepEqual(ingress()?.metadata.finalizers, [FINALIZER]);
    type Event = { involvedObject?: { name?: string }; reason?: string };
    await until(() =>
      (fake.list('events', 'default') as Event[]).some((event) => event.involvedObject?.name === 'web' && event.reason === 'SuccessfullyReconciled'),
    );

    // A Pod created (by someone else) through the API gets its gate from the webhook, then the condition from the leader.
    type Webhooks = { webhooks?: { clientConfig?: { caBundle?: string } }[] };
    await until(
      () =>
        (fake.get('mutatingwebhookconfigurations', undefined, 'ingress-bridge') as Webhooks | undefined)?.webhooks?.[0]?.clientConfig?.caBundle !== undefined,
    );
    fake.routeService(CONTROLLER_NAMESPACE, 'ingress-bridge-webhook', 443, `https://127.0.0.1:${leader.webhook?.port() ?? 0}`);
    const created = await fake
      .adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name: 'api-1', labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api' }] } },
      });
    assert.equal(created.spec?.readinessGates?.length, 1, JSON.stringify(fake.admissionCalls()));
    const gate = created.spec?.readinessGates?.[0]?.conditionType ?? '';
    fake.patch('pods', 'default', 'api-1', {
      status: {
        podIP: '10.0.0.1',
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    });
    type PodStatus = { conditions?: { type?: string; status?: string }[] };
    await until(() =>
      ((fake.get('pods', 'default', 'api-1')?.status as PodStatus | undefined)?.conditions ?? []).some(
        (condition) => condition.type === gate && condition.status === 'True',
      ),
    );

    apply(ingressYaml(web('/v2')));
    await until(() => JSON.stringify(cloud.served.get('default/web')?.listeners[0]?.rules).includes('/v2'));

    // A Gateway with an HTTPRoute and a GRPCRoute: the Gateway API kinds are read and their status written.
    apply(GATEWAY_API_YAML);
    type Conditions = { conditions?: { type?: string; status?: string }[]; parents?: { conditions?: { type?: string; status?: string }[] }[] };
    const condition = (resource: string, namespace: string | undefined, name: string, type: string): string | undefined => {
      const status = fake.get(resource, namespace, name)?.status as Conditions | undefined;
      return (status?.conditions ?? status?.parents?.[0]?.conditions)?.find((entry) => entry.type === type)?.status;
    };
    await until(() => condition('gateways', 'default', 'gw', 'Programmed') === 'True');
    await until(() => condition('gatewayclasses', undefined, 'ingress-bridge', 'Accepted') === 'True');
    await until(() => condition('httproutes', 'default', 'http', 'Accepted') === 'True' && condition('grpcroutes', 'default', 'grpc', 'Accepted') === 'True');
    fake.remove('gateways', 'default', 'gw');
    await until(() => !cloud.served.has('gateway:default/gw'));

    fake.remove('ingresses', 'default', 'web');
    await until(() => ingress() === undefined);
    assert.equal(cloud.served.has('default/web'), false);

    await stop(leader);
    await until(() => follower.elector?.isLeader() === true, 3000);
    await stop(follower);
    assertNothingDenied(rbac);
  });

  it('used every grant in the ClusterRole and the Role: nothing is granted that is not needed', () => {
    assert.ok(rbac.grants.length > 0, "the controller's ServiceAccount is bound to some rules");
    assert.deepEqual(rbac.unusedGrants().map(describeGrant), [], 'grants the lifecycle never used');
  });

  it('grants no wildcard apiGroup, resource or verb', () => {
    for (const grant of rbac.grants) {
      assert.ok(![grant.apiGroup, grant.resource, grant.verb].some((value) => value.includes('*')), describeGrant(grant));
    }
    const kinds = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((document) => (document.toJS() as { kind?: string }).kind);
    assert.deepEqual(kinds.sort(), ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  });
});

const POLICY = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["list", "patch"]}
- {apiGroups: [""], resources: ["*/status"], verbs: ["patch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app, namespace: home}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lease, namespace: home}
rules:
- {apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["lock"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lease, namespace: home}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease}
subjects: [{kind: ServiceAccount, name: app, namespace: home}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: someone-else, namespace: away}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: other, namespace: away}]
`;

describe('the RBAC authorizer for the Kubernetes API fake', () => {
  const authorizer = (): RbacAuthorizer => loadRbacAuthorizer({ yaml: POLICY, subject: { namespace: 'home', name: 'app' } });
  const ingresses = { group: 'networking.k8s.io', resource: 'ingresses' };
  const lease = { group: 'coordination.k8s.io', resource: 'leases' };
  const cases: { request: RequestAttributes; allowed: boolean; why: string }[] = [
    { request: { verb: 'list', ...ingresses }, allowed: true, why: 'a ClusterRoleBinding grants cluster-wide' },
    { request: { verb: 'list', ...ingresses, namespace: 'anywhere' }, allowed: true, why: 'and in every namespace' },
    { request: { verb: 'watch', ...ingresses }, allowed: false, why: 'only the verbs listed' },
    { request: { verb: 'list', group: 'extensions', resource: 'ingresses' }, allowed: false, why: 'only the apiGroups listed' },
    {
      request: { verb: 'patch', ...ingresses, subresource: 'status', namespace: 'a', name: 'x' },
      allowed: false,
      why: 'a resource does not grant its subresources',
    },
    {
      request: { verb: 'patch', group: '', resource: 'services', subresource: 'status', namespace: 'a', name: 'x' },
      allowed: true,
      why: '*/status grants the status of any resource',
    },
    {
      request: { verb: 'patch', group: '', resource: 'services', namespace: 'a', name: 'x' },
      allowed: false,
      why: '*/status does not grant the resource itself',
    },
    { request: { verb: 'get', ...lease, namespace: 'home', name: 'lock' }, allowed: true, why: 'a Role grants the names listed in its namespace' },
    { request: { verb: 'get', ...lease, namespace: 'home', name: 'other' }, allowed: false, why: 'only the resourceNames listed' },
    { request: { verb: 'get', ...lease, namespace: 'elsewhere', name: 'lock' }, allowed: false, why: 'a Role grants nothing outside its namespace' },
    { request: { verb: 'get', ...lease, name: 'lock' }, allowed: false, why: 'nor cluster-wide' },
    { request: { verb: 'get', group: '', resource: '' }, allowed: false, why: 'a path the API does not serve is never allowed' },
  ];
  for (const { request, allowed, why } of cases) {
    it(`${allowed ? 'allows' : 'denies'}: ${why}`, () => {
      const rbac = authorizer();
      assert.equal(rbac.authorize(request), allowed);
      assert.deepEqual(rbac.denied(), allowed ? [] : [request]);
    });
  }

  it('ignores bindings of other subjects and reports the grants no request used', () => {
    const rbac = authorizer();
    assert.deepEqual(rbac.grants.map(describeGrant), [
      'ClusterRole/reader: list ingresses (networking.k8s.io)',
      'ClusterRole/reader: patch ingresses (networking.k8s.io)',
      'ClusterRole/reader: patch */status (core)',
      'Role/home/lease: get leases "lock" (coordination.k8s.io)',
    ]);
    rbac.authorize({ verb: 'list', ...ingresses, namespace: 'away' });
    rbac.authorize({ verb: 'get', ...lease, namespace: 'home', name: 'lock' });
    assert.deepEqual(rbac.unusedGrants().map(describeGrant), [
      'ClusterRole/reader: patch ingresses (networking.k8s.io)',
      'ClusterRole/reader: patch */status (core)',
    ]);
    assert.equal(rbac.decisions().length, 2);
  });

  it('fails on a binding to a role that is not defined', () => {
    const dangling = POLICY.replace('kind: Role, name: lease', 'kind: Role, name: missing');
    assert.throws(() => loadRbacAuthorizer({ yaml: dangling, subject: { namespace: 'home', name: 'app' } }), /Role home\/missing is bound but not defined/);
  });
});
