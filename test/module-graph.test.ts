/**
 * What a run loads: a provider's heavy modules only when its configuration needs them. Each case runs
 * one reconcile round in a process of its own (support/module-graph-child.ts) and reads the modules
 * that process actually loaded, from a load hook registered before any of them:
 * - the local provider loads no AWS SDK package, nothing of providers/aws/, and not client-node;
 * - the AWS provider without TLS, a web ACL or Shield loads its ELBv2 client, but not the ACM, WAFv2,
 *   Shield or Lambda SDK packages, nor providers/local/;
 * - with a web ACL it loads WAFv2 on demand and calls it, with a function backend Lambda (the lazy
 *   clients work, and the case without them could fail);
 * - the cluster controller, as `run --kubeconfig FILE` starts it (informers, leader election, the
 *   admission webhook), loads nothing of client-node: its API client is src/sources/kube-http.ts.
 *   It talks to the Kubernetes API fake in this process, which does load client-node (the fake's own
 *   tests use it), so a run that imported it would be seen.
 * Each SDK package costs megabytes of RSS (bench/README.md, scenario 5), client-node tens of them.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serializeError } from '../bench/memory-protocol.js';
import { seedDefaultNetwork } from '../fakes/aws/fixtures.js';
import { createAwsFake, type AwsFake } from '../fakes/aws/index.js';
import { fakeKubeConfigFile } from '../fakes/kube/kubeconfig.js';
import { startKubeFake } from '../fakes/kube/index.js';
import type { ChildMode, FromChild, ToChild } from './support/module-graph-child.js';

const CHILD = fileURLToPath(new URL('./support/module-graph-child.ts', import.meta.url));
const ALB = 'alb.ingress.kubernetes.io/';

/** `extraPath`: one more path of the rule, as YAML (a function backend). */
function ingressYaml(annotations: Record<string, string>, extraPath = ''): string {
  const all = { [`${ALB}target-type`]: 'ip', ...annotations };
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: default
  annotations: ${JSON.stringify(all)}
spec:
  ingressClassName: ingress-bridge
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}${extraPath}]}
`;
}

/**
 * The Service `shop` with one ready endpoint. The local provider health-checks it: a loopback port
 * nothing listens on. The AWS fake takes only private addresses, and sends nothing to them.
 */
function serviceYaml(address: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: shop, namespace: default}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: shop-1, namespace: default, labels: {kubernetes.io/service-name: shop}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [{addresses: ["${address}"], conditions: {ready: true}}]
`;
}

interface Run {
  /** file: URLs of every module the run loaded. */
  loaded: string[];
  /** What went wrong in the round; none when it converged. */
  problems: string[];
}

/** Runs one round in a fresh process; the AWS provider's calls are answered by `fake`. */
async function runRound(mode: ChildMode, manifests: string, fake?: AwsFake): Promise<Run> {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const toChild = (message: ToChild): void => {
    if (child.connected) child.send(message);
  };
  try {
    return await new Promise<Run>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the child exited (${String(code)}) before it reported`)));
      child.on('message', (message: FromChild) => {
        if (message.type === 'done') {
          resolve(message);
          return;
        }
        if (!fake) throw new Error(`the ${mode} run called ${message.service}:${message.action}, and no cloud answers it`);
        fake.dispatch(message.service as never, message.action, message.input).then(
          (output) => toChild({ type: 'answer', id: message.id, output }),
          (error: unknown) => toChild({ type: 'answer', id: message.id, error: serializeError(error) }),
        );
      });
      toChild({ type: 'start', mode, manifests });
    });
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
}

const loadedFrom = (run: Run, part: string): string[] => run.loaded.filter((url) => url.includes(part));

describe('the modules a run loads', () => {
  let directory = '';
  const manifests = (name: string, address: string, annotations: Record<string, string> = {}, extraPath = ''): string => {
    const dir = join(directory, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'shop.yaml'), `${ingressYaml(annotations, extraPath)}---\n${serviceYaml(address)}`);
    return dir;
  };

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'ingress-bridge-module-graph-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('with the local provider: no AWS SDK, nothing of the AWS provider, no Kubernetes client', async () => {
    const run = await runRound('local', manifests('local', '127.0.0.1'));
    assert.deepEqual(run.problems, []);
    assert.ok(loadedFrom(run, '/providers/local/').length > 0, 'the local provider ran');
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/'), []);
    assert.deepEqual(loadedFrom(run, '/providers/aws/'), []);
    assert.deepEqual(loadedFrom(run, '/@kubernetes/client-node/'), []);
  });

  it('with the AWS provider and no TLS, web ACL or Shield: none of their SDK packages, nor Lambda, nor the local provider', async () => {
    const fake = createAwsFake();
    seedDefaultNetwork(fake);
    const run = await runRound('aws', manifests('aws', '10.0.1.10'), fake);
    assert.deepEqual(run.problems, []);
    assert.equal(fake.callCounts()['elbv2:CreateLoadBalancer'], 1, 'the load balancer was made');
    assert.ok(loadedFrom(run, '/@aws-sdk/client-elastic-load-balancing-v2/').length > 0);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-acm/'), []);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-wafv2/'), []);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-shield/'), []);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-lambda/'), []);
    assert.deepEqual(loadedFrom(run, '/providers/local/'), []);
  });

  it('with the AWS provider and a web ACL: WAFv2 is loaded when needed, and called', async () => {
    const fake = createAwsFake();
    seedDefaultNetwork(fake);
    fake.seed.webAcl({ name: 'shop-acl' });
    const run = await runRound('aws', manifests('waf', '10.0.1.10', { [`${ALB}wafv2-acl-name`]: 'shop-acl' }), fake);
    assert.deepEqual(run.problems, []);
    assert.equal(fake.callCounts()['wafv2:AssociateWebACL'], 1);
    assert.ok(loadedFrom(run, '/@aws-sdk/client-wafv2/').length > 0);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-shield/'), []);
  });

  it('with the AWS provider and a function backend: Lambda is loaded when needed, and called', async () => {
    const fake = createAwsFake();
    seedDefaultNetwork(fake);
    fake.seed.lambdaFunction({ name: 'upload', tags: { 'ingress-bridge.io/cluster': 'test' } });
    const upload = ', {path: /upload, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: upload}}}';
    const run = await runRound('aws', manifests('lambda', '10.0.1.10', {}, upload), fake);
    assert.deepEqual(run.problems, []);
    assert.equal(fake.callCounts()['lambda:AddPermission'], 1);
    assert.ok(loadedFrom(run, '/@aws-sdk/client-lambda/').length > 0);
    assert.deepEqual(loadedFrom(run, '/@aws-sdk/client-wafv2/'), []);
  });

  it('the cluster controller with a plain kubeconfig: nothing of client-node', async () => {
    const kube = await startKubeFake();
    try {
      const kubeconfig = join(directory, 'kubeconfig');
      writeFileSync(kubeconfig, fakeKubeConfigFile({ server: kube.url, token: 'kube-fake-token' }));
      const run = await runRound('cluster', kubeconfig);
      assert.deepEqual(run.problems, []);
      assert.ok(loadedFrom(run, '/src/commands/run-cluster.ts').length > 0, 'the cluster controller ran');
      assert.ok(
        kube.requests({ resource: 'leases', verb: 'update' }).length + kube.requests({ resource: 'leases', verb: 'create' }).length > 0,
        'it took the Lease',
      );
      assert.deepEqual(loadedFrom(run, '/@kubernetes/client-node/'), []);
    } finally {
      await kube.close();
    }
  });
});
