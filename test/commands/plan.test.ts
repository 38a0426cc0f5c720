/**
 * `ingress-bridge plan` end to end: the real binary on examples/ and on a broken directory.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const BIN = new URL('../../bin/ingress-bridge.js', import.meta.url).pathname;
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The caller's INGRESS_BRIDGE_* settings must not change what the test sees.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INGRESS_BRIDGE_')));
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface PlanJson {
  Stacks: {
    Stack: { Id: string; Members: { Namespace: string; Name: string }[] };
    Listeners: {
      Port: number;
      Protocol: string;
      Rules: {
        Priority: number;
        Conditions: { Field: string }[];
        Actions: { Type: string; ForwardConfig?: { TargetGroups: { TargetGroupArn: string }[] } }[];
      }[];
    }[];
    TargetGroups: { Key: string; Name: string; TargetType: string; Targets: { Id: string; Port: number }[] }[];
    Certificates: { Key: string }[];
  }[];
  Diagnostics: unknown[];
}

describe('ingress-bridge plan on examples/', () => {
  it('prints every example load balancer as text and exits 0', () => {
    const result = runCli('plan', '--manifests', EXAMPLES);
    assert.equal(result.status, 0, result.stderr);
    for (const stack of ['default/echo', 'default/two-hosts', 'default/shop', 'default/secure', 'default/with-default', 'shared']) {
      assert.match(result.stdout, new RegExp(`^load balancer ${stack}$`, 'm'));
    }
    assert.match(result.stdout, /0 errors, 0 warnings/);
    assert.doesNotMatch(result.stdout, /BEGIN (RSA |EC )?PRIVATE KEY/);
  });

  it('prints JSON in the ELBv2 API field names, with target groups referenced by key', () => {
    const result = runCli('plan', '--manifests', EXAMPLES, '--output', 'json');
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as PlanJson;
    const shop = plan.Stacks.find((stack) => stack.Stack.Id === 'default/shop');
    const rules = shop?.Listeners.find((listener) => listener.Port === 80)?.Rules ?? [];
    assert.deepEqual(
      rules.map((rule) => rule.Priority),
      [1, 2],
    );
    assert.deepEqual(
      rules[0]?.Conditions.map((condition) => condition.Field),
      ['host-header', 'path-pattern'],
    );
    const forward = rules[0]?.Actions[0]?.ForwardConfig?.TargetGroups[0]?.TargetGroupArn;
    const keys = shop?.TargetGroups.map((group) => group.Key) ?? [];
    assert.ok(
      keys.some((key) => forward === `\${TargetGroup:${key}}`),
      `${forward} names one of ${keys.join(', ')}`,
    );
    for (const group of plan.Stacks.flatMap((stack) => stack.TargetGroups)) assert.ok(group.Name.length <= 32, group.Name);
    const secure = plan.Stacks.find((stack) => stack.Stack.Id === 'default/secure');
    assert.deepEqual(
      secure?.Certificates.map((certificate) => certificate.Key),
      ['secret:default/secure-example-tls'],
    );
    assert.doesNotMatch(result.stdout, /PRIVATE KEY|tls\.key/);
  });

  it('prints the version', () => {
    const result = runCli('version');
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^ingress-bridge \d+\.\d+\.\d+\n$/);
  });
});

describe('ingress-bridge plan on bad input', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plan-cli-'));
    await writeFile(join(dir, 'broken.yaml'), 'kind: Ingress\n  bad: [indent\n');
    await writeFile(
      join(dir, 'ingress.yaml'),
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  ingressClassName: ingress-bridge
  rules:
  - http:
      paths:
      - {path: api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
`,
    );
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('exits 2 and names each file, object and field on stderr in JSON mode', () => {
    const result = runCli('plan', '--manifests', dir, '--output', 'json');
    assert.equal(result.status, 2);
    const lines = result.stderr.trim().split('\n');
    assert.ok(
      lines.some((line) => line.includes('broken.yaml')),
      result.stderr,
    );
    assert.ok(
      lines.some((line) => line.includes('default/web') && line.includes('spec.rules[0].http.paths[0].path')),
      result.stderr,
    );
    assert.doesNotThrow(() => JSON.parse(result.stdout));
  });

  it('exits 2 on a usage error', () => {
    assert.equal(runCli('plan').status, 2);
    assert.equal(runCli('plan', '--manifests', dir, '--output', 'yaml').status, 2);
    assert.equal(runCli('plan', '--manifests', dir, '--rule-limit', 'lots').status, 2);
  });
});
