/**
 * What a watched directory serves from one scan to the next (issue 13): a file that breaks — a YAML
 * syntax error, unreadable, over the size limit, an object of the wrong shape — keeps what it
 * served, and says so; a file that is gone is gone, unless its directory could not be read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../src/model.js';
import type { ManifestScan, ScannedFile } from '../../src/sources/manifest-scan.js';
import { ManifestState } from '../../src/sources/manifest-state.js';
import { ingressYaml, serviceYaml } from '../support/cluster.js';

const WEB = ingressYaml({ name: 'web', rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] });
const API = ingressYaml({ name: 'api', rules: [{ host: 'api.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api' }] }] });

function text(path: string, content: string): ScannedFile {
  return { path, fingerprint: content, racy: false, changedMs: 0, hash: content, text: content };
}

function problem(path: string, message: string): ScannedFile {
  const diagnostic: Diagnostic = { severity: 'error', object: { kind: 'File', name: path }, field: '', message };
  return { path, fingerprint: '', racy: true, changedMs: 0, problem: diagnostic };
}

function scan(files: ScannedFile[], unreadableDirectories: string[] = []): ManifestScan {
  return { files: new Map(files.map((file) => [file.path, file])), directories: [], unreadableDirectories, diagnostics: [] };
}

function ingressNames(result: ReturnType<ManifestState['apply']>): string[] {
  return result.snapshot
    .ingresses()
    .map((ingress) => ingress.metadata?.name ?? '')
    .sort();
}

function messages(result: ReturnType<ManifestState['apply']>): string[] {
  return result.diagnostics.map((entry) => `${entry.severity} ${entry.message}`);
}

describe('ManifestState', () => {
  it('serves every file that reads and parses', () => {
    const state = new ManifestState();
    const result = state.apply(scan([text('web.yaml', WEB), text('api.yaml', API + serviceYaml({ name: 'api' }))]));
    assert.deepEqual(ingressNames(result), ['api', 'web']);
    assert.deepEqual(result.files, ['api.yaml', 'web.yaml']);
    assert.deepEqual(result.diagnostics, []);
  });

  it('keeps the last version of a file with a YAML syntax error, every document of it', () => {
    const state = new ManifestState();
    state.apply(scan([text('both.yaml', WEB + API)]));
    const broken = WEB + API.replace('host: "api.test"', 'host: "api.test');
    const result = state.apply(scan([text('both.yaml', broken)]));
    assert.deepEqual(ingressNames(result), ['api', 'web'], 'both Ingresses of the file are still served');
    const [syntax, kept] = messages(result);
    assert.match(syntax ?? '', /^error invalid YAML at line \d+, column \d+: the double-quoted value opened here is never closed$/);
    assert.equal(
      kept,
      'warning the last version of both.yaml that could be read is still served (Ingress default/web, Ingress default/api) until the error above is fixed',
    );
  });

  it('serves what parses of a file that is broken from its first scan, as before any state', () => {
    const state = new ManifestState();
    const result = state.apply(scan([text('both.yaml', `${WEB}not: [closed\n---\n${API}`)]));
    assert.deepEqual(ingressNames(result), ['api', 'web']);
    assert.equal(result.diagnostics.filter((entry) => entry.severity === 'error').length, 1);
  });

  it('keeps the last version of a file that cannot be read, or is over the size limit, and lets it go once it is fixed', () => {
    const state = new ManifestState();
    state.apply(scan([text('web.yaml', WEB)]));
    for (const reason of [
      'cannot read the manifest file: permission denied',
      'the manifest file is 9999 bytes, over the limit of 4096 bytes (--max-manifest-bytes); it is not read',
    ]) {
      const result = state.apply(scan([problem('web.yaml', reason)]));
      assert.deepEqual(ingressNames(result), ['web']);
      assert.deepEqual(messages(result), [
        `error ${reason}`,
        'warning the last version of web.yaml that could be read is still served (Ingress default/web) until the error above is fixed',
      ]);
    }
    const fixed = state.apply(scan([text('web.yaml', API)]));
    assert.deepEqual(ingressNames(fixed), ['api']);
    assert.deepEqual(fixed.diagnostics, []);
  });

  it("keeps the last valid version of a named object that fails its checks, and serves the file's other objects as they are now", () => {
    const state = new ManifestState();
    state.apply(scan([text('both.yaml', WEB + API)]));
    const edited = WEB.replace('pathType: Prefix', 'pathType: [Prefix]') + API.replace('host: "api.test"', 'host: "api2.test"');
    const result = state.apply(scan([text('both.yaml', edited)]));
    assert.deepEqual(ingressNames(result), ['api', 'web']);
    const api = result.snapshot.ingresses().find((ingress) => ingress.metadata?.name === 'api');
    assert.equal(api?.spec?.rules?.[0]?.host, 'api2.test', 'the valid edit of the other Ingress is applied');
    assert.deepEqual(
      result.diagnostics.map((entry) => [entry.severity, entry.object.name, entry.field]),
      [
        ['error', 'web', 'spec.rules[0].http.paths[0].pathType'],
        ['warning', 'web', ''],
      ],
    );
    assert.match(result.diagnostics[1]?.message ?? '', /^its last valid version from both\.yaml is still served/);
    // Broken again in another way: what is kept is still the last valid version.
    const again = state.apply(scan([text('both.yaml', edited.replace('pathType: [Prefix]', 'pathType: {x: 1}'))]));
    assert.equal(again.snapshot.ingresses().find((ingress) => ingress.metadata?.name === 'web')?.spec?.rules?.[0]?.http?.paths[0]?.pathType, 'Prefix');
  });

  it('keeps the whole file when an object in it loses its name', () => {
    const state = new ManifestState();
    state.apply(scan([text('web.yaml', WEB)]));
    const result = state.apply(scan([text('web.yaml', WEB.replace('  name: web\n', ''))]));
    assert.deepEqual(ingressNames(result), ['web']);
    assert.match(messages(result).join('\n'), /metadata\.name is missing[\s\S]*the last version of web\.yaml that could be read is still served/);
  });

  it('drops the objects of a file that is gone, but not of one in a directory that could not be read', () => {
    const state = new ManifestState();
    state.apply(scan([text('web.yaml', WEB), text('team/api.yaml', API)]));
    const unreadable = state.apply(scan([text('web.yaml', WEB)], ['team']));
    assert.deepEqual(ingressNames(unreadable), ['api', 'web']);
    assert.match(messages(unreadable).join('\n'), /the last version of team\/api\.yaml that could be read is still served/);
    const gone = state.apply(scan([text('web.yaml', WEB)]));
    assert.deepEqual(ingressNames(gone), ['web']);
  });

  it('reparses a file only when its content changes', () => {
    const state = new ManifestState();
    const first = state.apply(scan([text('web.yaml', WEB)]));
    const second = state.apply(scan([text('web.yaml', WEB)]));
    assert.strictEqual(second.snapshot.ingresses()[0], first.snapshot.ingresses()[0], 'the same parsed object, not a new parse');
  });
});
