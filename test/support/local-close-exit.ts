/**
 * Run by test/local-provider.test.ts as a child process: serves a request through the local load
 * balancer with health checks running, then closes everything. The process must then exit by itself;
 * a socket, timer or agent left open by close() would keep it alive and fail the test.
 */
import { startEchoBackend } from '../../demo/echo-backend.js';
import { INGRESS_CLASS_YAML, ingressYaml, onlySpec, serviceYaml, translateYaml } from './cluster.js';
import { applySpec, echo, testProvider } from './local-lb.js';

const backend = await startEchoBackend({ name: 'a' });
const provider = testProvider({ healthCheckTimeScale: 0.01 });
const yaml =
  INGRESS_CLASS_YAML +
  serviceYaml({ name: 'a', endpoints: [backend.host], endpointPort: backend.port }) +
  ingressYaml({
    name: 'web',
    annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
    rules: [{ paths: [{ path: '/', pathType: 'Prefix', service: 'a' }] }],
  });
await applySpec(provider, onlySpec(translateYaml(yaml)));
const reply = await echo({ port: provider.boundPort(80) ?? 0 });
await new Promise((resolve) => setTimeout(resolve, 100));
await provider.close();
await backend.close();
process.stdout.write(`served ${reply.backend}, closed\n`);
