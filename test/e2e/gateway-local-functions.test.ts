/**
 * An HTTPRoute backendRef of kind lambda.ingress-bridge.io/Function over real sockets: `run
 * --manifests` with the local provider and `--functions DIR` invokes the local handler with the ALB
 * Lambda event for the path the route gives the function, a Service serves the rest of the host,
 * and the route's annotation maps a reference name to the function.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunHandle } from '../../src/commands/run-manifests.js';
import type { LocalProvider } from '../../providers/local/index.js';
import { startEchoBackend, type EchoBackend } from '../../demo/echo-backend.js';
import { echo, send } from '../support/local-lb.js';
import { eventually, loopbackServiceYaml, startLocalRun } from '../support/manifest-run.js';
import { GATEWAY_CLASS_YAML } from '../support/gateway.js';
import { testOptions } from '../support/cluster.js';
import { functionTargetGroupName } from '../../src/translate/function-backends.js';

const MANIFESTS = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  gatewayClassName: ingress-bridge
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: app
  namespace: default
  annotations: {lambda.ingress-bridge.io/resizer: "image-resizer"}
spec:
  parentRefs: [{name: web}]
  hostnames: [app.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /upload}}]
    backendRefs: [{group: lambda.ingress-bridge.io, kind: Function, name: upload}]
  - matches: [{path: {type: PathPrefix, value: /resize}}]
    backendRefs: [{group: lambda.ingress-bridge.io, kind: Function, name: resizer}]
  - backendRefs: [{name: site, port: 80}]
---
`;

const ECHO_EVENT = `export const handler = async (event, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ event, functionName: context.functionName }),
});`;

interface FunctionReply {
  functionName: string;
  event: { httpMethod: string; path: string; queryStringParameters: Record<string, string>; body: string; requestContext: { elb: { targetGroupArn: string } } };
}

describe('HTTPRoute to a Function over real sockets: run --manifests --functions DIR', () => {
  let dir: string;
  let handle: RunHandle;
  let site: EchoBackend;
  let port = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-gateway-fn-'));
    const manifests = join(dir, 'manifests');
    const functions = join(dir, 'functions');
    await mkdir(manifests);
    await mkdir(functions);
    site = await startEchoBackend({ name: 'site' });
    await writeFile(join(manifests, 'app.yaml'), GATEWAY_CLASS_YAML + loopbackServiceYaml('site', site.port) + MANIFESTS);
    await writeFile(join(functions, 'upload.mjs'), ECHO_EVENT);
    await writeFile(join(functions, 'image-resizer.mjs'), ECHO_EVENT);
    handle = await startLocalRun(manifests, {
      providerSettings: { httpPort: 0, httpsPort: 0, functionsDir: functions },
      translateOptions: () => testOptions({ now: new Date(), defaultTargetType: 'ip' }),
    });
    port = (handle.provider as LocalProvider).boundPort(80) ?? assert.fail('port 80 is served');
    await eventually(async () => assert.equal((await send({ port, host: 'app.test', path: '/' })).status, 200));
  });

  after(async () => {
    await handle.stop();
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the function’s path invokes the handler with the ALB event; the rest of the host is the Service', async () => {
    const response = await send({
      port,
      host: 'app.test',
      path: '/upload/photo?size=2',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(response.status, 200, response.body);
    const reply = JSON.parse(response.body) as FunctionReply;
    assert.equal(reply.functionName, 'upload');
    assert.equal(reply.event.httpMethod, 'POST');
    assert.equal(reply.event.path, '/upload/photo');
    assert.deepEqual(reply.event.queryStringParameters, { size: '2' });
    assert.equal(reply.event.body, 'hello');
    const name = functionTargetGroupName(testOptions().clusterName, 'gateway:default/web', 'function:upload', 'upload');
    assert.equal(reply.event.requestContext.elb.targetGroupArn, `arn:aws:elasticloadbalancing:local:000000000000:targetgroup/${name}/0000000000000000`);
    assert.equal((await echo({ port, host: 'app.test', path: '/other' })).backend, 'site');
  });

  it('the route’s annotation maps a reference name to the function', async () => {
    const response = await send({ port, host: 'app.test', path: '/resize' });
    assert.equal(response.status, 200, response.body);
    assert.equal((JSON.parse(response.body) as FunctionReply).functionName, 'image-resizer');
  });
});
