/**
 * The build the image ships: tsconfig.build.json emits JavaScript for src/ and providers/ only, and
 * the image's layout (dist/, bin/, package.json, production dependencies, no tsx) runs the CLI and
 * loads the built-in providers from dist/ by dynamic import.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { filesUnder, REPO_ROOT } from '../support/deploy-manifests.js';
import { buildImageLayout, type ImageLayout } from '../support/image-layout.js';

describe('the image layout built with tsconfig.build.json', () => {
  let image: ImageLayout;
  before(() => {
    image = buildImageLayout();
  });
  after(() => image?.remove());

  it('holds JavaScript for src/ and providers/ only, without declarations or maps', () => {
    const dist = join(image.root, 'dist');
    assert.deepEqual(readdirSync(dist).sort(), ['providers', 'src']);
    const emitted = filesUnder(dist);
    assert.deepEqual(
      emitted.filter((file) => !file.endsWith('.js')),
      [],
    );
    const sources = [
      ...filesUnder(join(REPO_ROOT, 'src')).map((file) => `src/${file}`),
      ...filesUnder(join(REPO_ROOT, 'providers')).map((file) => `providers/${file}`),
    ].filter((file) => file.endsWith('.ts'));
    assert.deepEqual(emitted, sources.map((file) => file.replace(/\.ts$/, '.js')).sort());
  });

  it('has production dependencies only: no tsx, no TypeScript, no Node binary package', () => {
    for (const devOnly of ['tsx', 'typescript', 'node', 'aws-sdk-client-mock'])
      assert.equal(existsSync(join(image.root, 'node_modules', devOnly)), false, devOnly);
    for (const needed of ['commander', 'pino', 'yaml', '@kubernetes/client-node', '@aws-sdk/client-elastic-load-balancing-v2'])
      assert.ok(image.packages.includes(needed), needed);
  });

  it('runs `version` from dist/', () => {
    const result = image.run(['version']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ingress-bridge \d+\.\d+\.\d+\n$/);
  });

  it('loads the built-in aws provider by dynamic import for `plan --output json`', () => {
    const result = image.run(['plan', '--manifests', join(REPO_ROOT, 'examples'), '--output', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { Stacks: { LoadBalancer: { Name: string } }[] };
    assert.ok(plan.Stacks.length > 0 && plan.Stacks.every((stack) => stack.LoadBalancer.Name.length > 0));
  });

  it('loads the built-in local provider for `run --once`', () => {
    const result = image.run([
      'run',
      '--once',
      '--manifests',
      join(REPO_ROOT, 'examples'),
      '--provider',
      'local',
      '--http-port',
      '0',
      '--https-port',
      '0',
      '--log-level',
      'silent',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^default\s+echo\s+ingress-bridge\s+echo\.example\.com\s+127\.0\.0\.1\s/m);
  });
});
