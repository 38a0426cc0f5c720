/**
 * The manifest file size limit (issue 11): a file over `maxFileBytes` (default 8 MiB; the CLI's
 * --max-manifest-bytes) is not parsed, and an error names the file and the limit; the other files
 * still load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES, loadManifestDirectory } from '../../src/sources/manifests.js';

const SERVICE = (name: string): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec:
  type: NodePort
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
`;

describe('manifest file size limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingress-bridge-size-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const small = SERVICE('small');
  // Valid YAML throughout, so that only the limit can keep it out.
  const big = SERVICE('big') + `# ${'x'.repeat(4096)}\n`.repeat(Math.ceil(DEFAULT_MAX_MANIFEST_FILE_BYTES / 4096));
  writeFileSync(join(dir, 'a-small.yaml'), small);
  writeFileSync(join(dir, 'b-big.yaml'), big);

  it('refuses a file over the default 8 MiB with an error naming the file and the limit; the others load', async () => {
    const { snapshot, diagnostics, files } = await loadManifestDirectory(dir);
    assert.deepEqual(files, ['a-small.yaml']);
    assert.ok(snapshot.service('default', 'small'));
    assert.equal(snapshot.service('default', 'big'), undefined);
    assert.deepEqual(diagnostics, [
      {
        severity: 'error',
        object: { kind: 'File', name: 'b-big.yaml' },
        field: '',
        message: `the manifest file is ${Buffer.byteLength(big)} bytes, over the limit of ${DEFAULT_MAX_MANIFEST_FILE_BYTES} bytes (--max-manifest-bytes); it is not read`,
      },
    ]);
  });

  it('takes the limit from maxFileBytes; a file of exactly the limit is read', async () => {
    const limit = Buffer.byteLength(small);
    const { diagnostics, files } = await loadManifestDirectory(dir, { maxFileBytes: limit });
    assert.deepEqual(files, ['a-small.yaml']);
    assert.match(diagnostics[0]?.message ?? '', new RegExp(`over the limit of ${limit} bytes`));

    const tight = await loadManifestDirectory(dir, { maxFileBytes: limit - 1 });
    assert.deepEqual(tight.files, []);
    assert.deepEqual(
      tight.diagnostics.map((entry) => entry.object.name),
      ['a-small.yaml', 'b-big.yaml'],
    );
  });

  it('reads both files when the limit allows them', async () => {
    const { diagnostics, files } = await loadManifestDirectory(dir, { maxFileBytes: 2 * DEFAULT_MAX_MANIFEST_FILE_BYTES });
    assert.deepEqual([diagnostics, files], [[], ['a-small.yaml', 'b-big.yaml']]);
  });
});
