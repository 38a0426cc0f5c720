/**
 * `migrate-from-nginx`: the per-Ingress report, `--write`'s converted Ingresses (which must serve
 * what the nginx class serves), and the command line.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main, EXIT_INVALID } from '../../src/cli.js';
import { runMigrateFromNginx, type MigrateOutcome } from '../../src/commands/migrate-from-nginx.js';
import { INGRESS_CLASS_YAML, testOptions, translateYaml } from '../support/cluster.js';
import { BASE_YAML, NGINX_CLASS_YAML, nginxIngressYaml } from '../translate/nginx/fixtures.js';
import { startKubeFake } from '../../fakes/kube/index.js';
import { applyYaml } from '../support/kube-yaml.js';
import { KubeClient } from '../../src/sources/kube-http.js';

const ESTATE = [
  NGINX_CLASS_YAML,
  BASE_YAML,
  nginxIngressYaml({ name: 'shop', host: 'shop.test', annotations: { 'whitelist-source-range': '10.0.0.0/8', 'limit-rps': '10' } }),
  nginxIngressYaml({
    name: 'shop-canary',
    host: 'shop.test',
    paths: [{ path: '/', pathType: 'Prefix', service: 'canary' }],
    annotations: { canary: 'true', 'canary-by-header': 'X-Canary', 'canary-weight': '10' },
  }),
  nginxIngressYaml({ name: 'old', host: 'old.test', annotations: { 'permanent-redirect': 'https://new.test/', 'permanent-redirect-code': '308' } }),
  nginxIngressYaml({ name: 'api', host: 'api.test', paths: [{ path: '/v1(/|$)(.*)', service: 'main' }], annotations: { 'rewrite-target': '/$2' } }),
  nginxIngressYaml({ name: 'admin', host: 'admin.test', annotations: { 'auth-url': 'http://auth.test/check' } }),
].join('');

describe('migrate-from-nginx --manifests DIR --write OUT', () => {
  let dir = '';
  let out = '';
  let outcome: MigrateOutcome;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrate-'));
    out = join(dir, 'converted');
    await writeFile(join(dir, 'estate.yaml'), ESTATE);
    outcome = await runMigrateFromNginx({ manifests: dir, write: out, translate: testOptions({ ingressClass: 'nginx' }), writtenClass: 'ingress-bridge' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reports each Ingress: served, served through its main, or not served, and why', () => {
    const state = Object.fromEntries(
      outcome.entries.map((entry) => [entry.ref.name, entry.served ? (entry.canaryOf ? `canary of ${entry.canaryOf.name}` : 'served') : 'not served']),
    );
    assert.deepEqual(state, { admin: 'not served', api: 'served', old: 'served', shop: 'served', 'shop-canary': 'canary of shop' });
    assert.match(outcome.stdout, /^default\/admin: NOT SERVED\n {2}error: {7}metadata\.annotations\["nginx\.ingress\.kubernetes\.io\/auth-url"\]: /m);
    assert.match(outcome.stdout, /^default\/shop: served\n {2}same: {8}whitelist-source-range\n {2}unsupported: .*limit-rps/m);
    // The query is dropped as ingress-nginx's `return 308 https://new.test/` drops it: the status is the only difference.
    assert.match(
      outcome.stdout,
      /^default\/old: served\n {2}same: {8}permanent-redirect\n {2}differs: {5}.*301 where ingress-nginx answered 308.*\ndefault\/shop/m,
    );
    assert.doesNotMatch(outcome.stdout, /query string/);
    assert.match(outcome.stdout, /5 Ingresses: 4 served, 1 not served\.\n/);
    assert.equal(outcome.hasErrors, true, 'an Ingress that would not be served fails the run (exit 2)');
  });

  it('writes each served Ingress but canaries (merged into their main) and says what --write cannot express', async () => {
    assert.deepEqual((await readdir(out)).sort(), ['default.api.yaml', 'default.old.yaml', 'default.shop.yaml']);
    const api = await readFile(join(out, 'default.api.yaml'), 'utf8');
    assert.match(api, /^# the paths of spec\.rules\[0\] are nginx regexes/m);
    assert.doesNotMatch(api, /nginx\.ingress\.kubernetes\.io/);
    assert.match(api, /ingressClassName: ingress-bridge/);
  });

  it('the written Ingresses, under our own class, serve what the nginx class serves', async () => {
    for (const name of ['shop', 'old']) {
      const written = await readFile(join(out, `default.${name}.yaml`), 'utf8');
      const converted = translateYaml(BASE_YAML + INGRESS_CLASS_YAML + written);
      const adopted = translateYaml(ESTATE, testOptions({ ingressClass: 'nginx' }));
      // Under the nginx class the namespace's Ingresses share one load balancer: compare this Ingress's rules.
      const rulesOf = (specs: typeof converted.specs) =>
        specs.flatMap((spec) =>
          spec.listeners.map((listener) =>
            listener.rules.filter((rule) => rule.origin.ingress.name === name).map((rule) => [rule.conditions, rule.actions, rule.transforms]),
          ),
        );
      assert.ok(rulesOf(adopted.specs).flat().length > 0, `${name} has its rules under the nginx class`);
      assert.deepEqual(rulesOf(converted.specs), rulesOf(adopted.specs), name);
    }
  });
});

describe('migrate-from-nginx --kubeconfig', () => {
  it("reads the cluster's Ingresses, IngressClasses and Services and reports as from a directory", async () => {
    const fake = await startKubeFake();
    try {
      applyYaml(fake, ESTATE);
      const outcome = await runMigrateFromNginx({
        client: new KubeClient(fake.connection()),
        translate: testOptions({ ingressClass: 'nginx' }),
        writtenClass: 'ingress-bridge',
      });
      assert.deepEqual(
        outcome.entries.map((entry) => [entry.ref.name, entry.served]),
        [
          ['admin', false],
          ['api', true],
          ['old', true],
          ['shop', true],
          ['shop-canary', true],
        ],
      );
    } finally {
      await fake.close();
    }
  });
});

describe('migrate-from-nginx on the command line', () => {
  it('needs exactly one of --manifests and --kubeconfig', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array): boolean => {
      writes.push(String(chunk));
      return true;
    };
    try {
      assert.equal(await main(['migrate-from-nginx']), EXIT_INVALID);
    } finally {
      process.stderr.write = original;
    }
    assert.match(writes.join(''), /either --manifests DIR or --kubeconfig FILE/);
  });
});
