import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Diagnostic } from '../../src/model.js';
import { addToSnapshot, loadManifestDirectory, parseManifestFile } from '../../src/sources/manifests.js';
import { Snapshot } from '../../src/sources/snapshot.js';

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

/** Writes `files` (relative path → text) into a fresh temporary directory and returns it. */
async function manifestDir(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ingress-bridge-manifests-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

function only(diagnostics: Diagnostic[], severity: Diagnostic['severity']): Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.severity === severity);
}

const ingress = (name: string, extra = '') => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
${extra}spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: web, port: { number: 80 } } }
`;

const service = (name: string, namespace = 'default') => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  ports: [{ port: 80, targetPort: 8080 }]
`;

describe('loadManifestDirectory', () => {
  it('loads every watched kind from one multi-document file', async () => {
    const dir = await manifestDir({
      'app.yaml': [
        ingress('web'),
        service('web', 'shop'),
        'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: bridge, namespace: ignored }\nspec: { controller: ingress-bridge.io/controller }\n',
        'apiVersion: v1\nkind: Node\nmetadata: { name: node-a }\nspec: { providerID: aws:///eu-west-1a/i-1 }\n',
        'apiVersion: v1\nkind: Secret\nmetadata: { name: tls, namespace: shop }\ntype: kubernetes.io/tls\ndata: { tls.crt: Y2VydA==, tls.key: a2V5 }\n',
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-abc\n  namespace: shop\n  labels: { kubernetes.io/service-name: web }\naddressType: IPv4\nendpoints: [{ addresses: [10.0.0.1], conditions: { ready: true } }]\nports: [{ port: 8080 }]\n',
      ].join('---\n'),
    });
    const { snapshot, diagnostics, files } = await loadManifestDirectory(dir);

    assert.deepEqual(diagnostics, []);
    assert.deepEqual(files, ['app.yaml']);
    assert.equal(snapshot.size(), 6);
    assert.equal(snapshot.ingress('default', 'web')?.spec?.rules?.[0]?.http?.paths[0]?.pathType, 'Prefix');
    assert.equal(snapshot.service('shop', 'web')?.spec?.ports?.[0]?.port, 80);
    assert.equal(snapshot.ingressClasses()[0]?.metadata?.namespace, undefined);
    assert.equal(snapshot.get('IngressClass', undefined, 'bridge')?.spec?.controller, 'ingress-bridge.io/controller');
    assert.equal(snapshot.nodes()[0]?.spec?.providerID, 'aws:///eu-west-1a/i-1');
    assert.equal(snapshot.secret('shop', 'tls')?.data?.['tls.key'], 'a2V5');
    assert.deepEqual(snapshot.sourceOf('Service', 'shop', 'web'), { file: 'app.yaml', document: 1 });
    assert.deepEqual(snapshot.sourceOf('EndpointSlice', 'shop', 'web-abc'), { file: 'app.yaml', document: 5 });
  });

  it('reaches an EndpointSlice through its Service label', async () => {
    const slice = (name: string, ip: string) =>
      `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ${name}\n  labels: { kubernetes.io/service-name: web }\naddressType: IPv4\nendpoints: [{ addresses: [${ip}] }]\n`;
    const dir = await manifestDir({ 'slices.yaml': `${slice('web-b', '10.0.0.2')}---\n${slice('web-a', '10.0.0.1')}` });
    const { snapshot } = await loadManifestDirectory(dir);

    const addresses = snapshot.endpointSlicesOf('default', 'web').map((s) => s.endpoints?.[0]?.addresses[0]);
    assert.deepEqual(addresses, ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(snapshot.endpointSlicesOf('other', 'web'), []);
  });

  it('walks nested directories in sorted order and skips hidden and non-YAML files', async () => {
    const dir = await manifestDir({
      'b/deep/one.yml': service('one'),
      'a.yaml': service('a'),
      'b/two.yaml': service('two'),
      'README.md': 'not a manifest',
      'b/notes.json': '{}',
      '.hidden.yaml': service('hidden-file'),
      '.git/config.yaml': service('hidden-dir'),
    });
    const { snapshot, diagnostics, files } = await loadManifestDirectory(dir);

    assert.deepEqual(diagnostics, []);
    assert.deepEqual(files, ['a.yaml', 'b/deep/one.yml', 'b/two.yaml']);
    assert.deepEqual(
      snapshot
        .list('Service')
        .map((s) => s.metadata?.name)
        .sort(),
      ['a', 'one', 'two'],
    );
    assert.deepEqual(snapshot.sourceOf('Service', 'default', 'one'), { file: 'b/deep/one.yml', document: 0 });
  });

  it('follows the symbolic links of a mounted ConfigMap and reads each file once', async () => {
    const dir = await manifestDir({ '..2024_01_01/app.yaml': service('mounted') });
    await symlink('..2024_01_01', path.join(dir, '..data'));
    await symlink('..data/app.yaml', path.join(dir, 'app.yaml'));
    await symlink('.', path.join(dir, 'loop'));
    const { snapshot, diagnostics, files } = await loadManifestDirectory(dir);

    assert.deepEqual(diagnostics, []);
    assert.deepEqual(files, ['app.yaml']);
    assert.ok(snapshot.service('default', 'mounted'));
  });

  it('still loads the good documents and files next to a document that does not parse', async () => {
    const dir = await manifestDir({
      'bad.yaml': `${service('before')}---\nkind: Service\nmetadata: { name: [broken\n---\n${service('after')}`,
      'good.yaml': service('good'),
    });
    const { snapshot, diagnostics } = await loadManifestDirectory(dir);

    assert.deepEqual(
      snapshot
        .list('Service')
        .map((s) => s.metadata?.name)
        .sort(),
      ['after', 'before', 'good'],
    );
    assert.equal(diagnostics.length, 1);
    const [parseError] = diagnostics;
    assert.equal(parseError?.severity, 'error');
    assert.deepEqual(parseError?.source, { file: 'bad.yaml', document: 1 });
    // The broken flow sequence is on line 8; the parser notices it there or at the line after.
    const line = Number(/^invalid YAML at line (\d+), column \d+: /.exec(parseError?.message ?? '')?.[1]);
    assert.ok(line === 8 || line === 9, parseError?.message);
  });

  it('keeps the first of two objects with the same kind, namespace and name, and warns naming both files', async () => {
    const dir = await manifestDir({ 'a.yaml': service('web'), 'b/again.yaml': `${service('other')}---\n${service('web')}` });
    const { snapshot, diagnostics } = await loadManifestDirectory(dir);

    assert.equal(diagnostics.length, 1);
    const [duplicate] = diagnostics;
    assert.equal(duplicate?.severity, 'warning');
    assert.deepEqual(duplicate?.object, { kind: 'Service', namespace: 'default', name: 'web' });
    assert.deepEqual(duplicate?.source, { file: 'b/again.yaml', document: 1 });
    assert.match(duplicate?.message ?? '', /a\.yaml \(document 0\)/);
    assert.match(duplicate?.message ?? '', /b\/again\.yaml \(document 1\)/);
    assert.deepEqual(snapshot.sourceOf('Service', 'default', 'web'), { file: 'a.yaml', document: 0 });
  });

  it('reports a missing directory, or a file given as the directory, as a diagnostic', async () => {
    const parent = await manifestDir({ 'file.yaml': service('web') });
    for (const [dir, reason] of [
      [path.join(parent, 'missing'), /does not exist/],
      [path.join(parent, 'file.yaml'), /not a directory/],
    ] as const) {
      const { snapshot, diagnostics, files } = await loadManifestDirectory(dir);
      assert.equal(snapshot.size(), 0);
      assert.deepEqual(files, []);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.severity, 'error');
      assert.deepEqual(diagnostics[0]?.object, { kind: 'Directory', name: dir });
      assert.match(diagnostics[0]?.message ?? '', reason);
    }
  });
});

describe('parseManifestFile', () => {
  it('skips a kind it does not read with an info diagnostic', () => {
    const { objects, diagnostics } = parseManifestFile('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: shop }\n', 'deploy.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(diagnostics, [
      {
        severity: 'info',
        object: { kind: 'Deployment', namespace: 'shop', name: 'web' },
        field: 'kind',
        message: 'skipped: kind Deployment is not read by ingress-bridge',
        source: { file: 'deploy.yaml', document: 0 },
      },
    ]);
  });

  it('rejects a watched kind at another apiVersion, naming the expected one', () => {
    const text = ingress('old').replace('networking.k8s.io/v1', 'extensions/v1beta1');
    const { objects, diagnostics } = parseManifestFile(text, 'old.yaml');
    assert.deepEqual(objects, []);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.severity, 'error');
    assert.equal(diagnostics[0]?.field, 'apiVersion');
    assert.deepEqual(diagnostics[0]?.object, { kind: 'Ingress', namespace: 'default', name: 'old' });
    assert.match(diagnostics[0]?.message ?? '', /extensions\/v1beta1.*networking\.k8s\.io\/v1/);
  });

  it('rejects an object without metadata.name', () => {
    for (const text of ['apiVersion: v1\nkind: Service\nmetadata: { namespace: shop }\n', 'apiVersion: v1\nkind: Service\n']) {
      const { objects, diagnostics } = parseManifestFile(text, 'svc.yaml');
      assert.deepEqual(objects, []);
      assert.deepEqual(
        diagnostics.map((d) => [d.severity, d.field]),
        [['error', 'metadata.name']],
      );
    }
  });

  it('reads YAML 1.1 scalars as kubectl does, so an unquoted name like `no` is a boolean', () => {
    const { objects, diagnostics } = parseManifestFile('apiVersion: v1\nkind: Node\nmetadata: { name: no }\n', 'node.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => d.field),
      ['metadata.name'],
    );
    assert.match(diagnostics[0]?.message ?? '', /not the boolean false; quote the value/);
  });

  it('reads a float only where go-yaml does: `e-1`, `e1` and `.` are strings, `1e3` a number', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: e-1\n  annotations: { a: e1, b: ., c: 1e3 }\n';
    const { objects, diagnostics } = parseManifestFile(text, 'svc.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => d.field),
      ['metadata.annotations["c"]'],
    );
    assert.match(diagnostics[0]?.message ?? '', /the number 1000/);

    const quoted = parseManifestFile(text.replace('c: 1e3', 'c: "1e3"'), 'svc.yaml');
    assert.deepEqual(quoted.diagnostics, []);
    assert.deepEqual(quoted.objects[0]?.object.metadata, { name: 'e-1', namespace: 'default', annotations: { a: 'e1', b: '.', c: '1e3' } });
  });

  it('rejects unquoted non-string annotation and label values, naming the exact key', () => {
    const text = ingress(
      'web',
      '  annotations:\n    alb.ingress.kubernetes.io/ssl-redirect: 443\n    ingress-bridge.io/enabled: yes\n    fine: "true"\n  labels:\n    tier: true\n',
    );
    const { objects, diagnostics } = parseManifestFile(text, 'web.yaml');

    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => d.field),
      ['metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]', 'metadata.annotations["ingress-bridge.io/enabled"]', 'metadata.labels["tier"]'],
    );
    for (const diagnostic of diagnostics) {
      assert.equal(diagnostic.severity, 'error');
      assert.match(diagnostic.message, /must be a string.*quote the value/);
    }
    assert.match(diagnostics[0]?.message ?? '', /the number 443/);
  });

  it('reads null annotations, labels and spec as the API server does', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    empty:\n  labels:\nspec:\n';
    const { objects, diagnostics } = parseManifestFile(text, 'svc.yaml');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(objects[0]?.object, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', annotations: { empty: '' } } });
  });

  it('merges Secret stringData into data as base64, stringData winning', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata: { name: creds }\ndata: { user: YWxpY2U=, password: b2xk }\nstringData: { password: "s3cret: ü" }\n';
    const { objects, diagnostics } = parseManifestFile(text, 'secret.yaml');
    assert.deepEqual(diagnostics, []);
    const secret = objects[0]?.object;
    assert.deepEqual(secret && 'data' in secret ? secret.data : undefined, {
      user: 'YWxpY2U=',
      password: Buffer.from('s3cret: ü').toString('base64'),
    });
    assert.equal(secret && 'stringData' in secret, false);
  });

  it('rejects Secret data that is not base64 without showing the value', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata: { name: creds, namespace: shop }\ndata:\n  ok: aGk=\n  password: hunter2!\n';
    const { objects, diagnostics } = parseManifestFile(text, 'secret.yaml');
    assert.deepEqual(objects, []);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.field, 'data["password"]');
    assert.deepEqual(diagnostics[0]?.object, { kind: 'Secret', namespace: 'shop', name: 'creds' });
    assert.match(diagnostics[0]?.message ?? '', /base64/);
    assert.doesNotMatch(JSON.stringify(diagnostics), /hunter2/);
  });

  it('expands a List and names a bad item by its index', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n  - ${service('first').replaceAll('\n', '\n    ').trimEnd()}\n  - { apiVersion: v1, kind: Service, metadata: { namespace: shop } }\n  - ${service('third').replaceAll('\n', '\n    ').trimEnd()}\n`;
    const { objects, diagnostics } = parseManifestFile(text, 'list.yaml');
    assert.deepEqual(
      objects.map((o) => [o.kind, o.object.metadata?.name, o.source.document]),
      [
        ['Service', 'first', 0],
        ['Service', 'third', 0],
      ],
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.field, d.object]),
      [['error', 'items[1].metadata.name', { kind: 'Service', namespace: 'shop', name: '' }]],
    );
  });

  it('skips empty documents but keeps counting them', () => {
    const text = `# leading comment\n---\n---\n# only a comment\n---\n${service('third')}---\n- not\n- a mapping\n`;
    const { objects, diagnostics } = parseManifestFile(text, 'sparse.yaml');
    assert.deepEqual(
      objects.map((o) => o.source),
      [{ file: 'sparse.yaml', document: 2 }],
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.field, d.source]),
      [['error', '', { file: 'sparse.yaml', document: 3 }]],
    );
    assert.match(diagnostics[0]?.message ?? '', /must be a mapping/);
  });

  it('rejects a spec that is not a mapping', () => {
    const { objects, diagnostics } = parseManifestFile('apiVersion: v1\nkind: Node\nmetadata: { name: node-1 }\nspec: [1]\n', 'node.yaml');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.field, d.object]),
      [['spec', { kind: 'Node', name: 'node-1' }]],
    );
  });
});

describe('addToSnapshot', () => {
  it('adds parsed objects to an existing Snapshot without replacing what it holds', () => {
    const snapshot = new Snapshot();
    addToSnapshot(snapshot, parseManifestFile(service('web'), 'first.yaml').objects);
    const warnings = addToSnapshot(snapshot, parseManifestFile(`${service('web')}---\n${service('api')}`, 'second.yaml').objects);

    assert.equal(snapshot.size(), 2);
    assert.deepEqual(snapshot.sourceOf('Service', 'default', 'web'), { file: 'first.yaml', document: 0 });
    assert.deepEqual(snapshot.sourceOf('Service', 'default', 'api'), { file: 'second.yaml', document: 1 });
    assert.deepEqual(
      only(warnings, 'warning').map((w) => w.source),
      [{ file: 'second.yaml', document: 0 }],
    );
  });
});
