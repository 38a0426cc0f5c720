/**
 * The manifest-directory source: the YAML files under a directory, read into a Snapshot the way
 * `kubectl apply -R -f DIR` would read them, with a diagnostic for everything it cannot use.
 * @module
 */
import { CST, LineCounter, Parser, parseAllDocuments } from 'yaml';
import type { ScalarTag, Tags, YAMLError } from 'yaml';
import type { Diagnostic, ObjectRef } from '../model.js';
import { readManifestFiles, type ManifestReadOptions } from './manifest-files.js';
import { validateDocument } from './manifest-validate.js';
import type { ManifestObjects, ParsedObject } from './manifest-validate.js';
import { Snapshot } from './snapshot.js';

export type { ManifestObjects, ParsedObject } from './manifest-validate.js';
export { DEFAULT_MAX_MANIFEST_FILE_BYTES, type ManifestReadOptions } from './manifest-files.js';

export interface ManifestLoadResult {
  snapshot: Snapshot;
  diagnostics: Diagnostic[];
  /** The YAML files read, relative to the directory, `/`-separated and sorted. */
  files: string[];
}

/**
 * YAML 1.1, because kubectl reads manifests with go-yaml v2: there too an unquoted `yes`, `on` or
 * `0755` is a boolean or a number, so an annotation written that way fails here as it would with
 * kubectl. go-yaml leaves timestamps and `1:30`-style sexagesimals as strings, so those tags go.
 */
const YAML_OPTIONS = {
  version: '1.1',
  prettyErrors: false,
  customTags: (tags: Tags): Tags => [
    ...tags.filter((tag) => typeof tag === 'string' || !(tag.format === 'TIME' || tag.tag === TIMESTAMP_TAG || isDecimalFloatTag(tag))),
    GO_YAML_FLOAT,
  ],
} as const;

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/**
 * The yaml package's YAML 1.1 floats need no digit (`e-1`, `e1` and `.` resolve to NaN), where
 * go-yaml v2 reads a float only when it has one (its yamlStyleFloat); so a Service named `e-1` is a
 * string for kubectl and must be one here. `.inf` and `.nan` keep the package's own tag.
 */
const GO_YAML_FLOAT: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: FLOAT_TAG,
  test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  resolve: (text) => Number.parseFloat(text),
};

function isDecimalFloatTag(tag: Exclude<Tags[number], string>): boolean {
  return tag.tag === FLOAT_TAG && 'test' in tag && tag.test instanceof RegExp && (tag.test.test('1.5') || tag.test.test('1e5'));
}

/**
 * Reads every manifest under `dir` into a new Snapshot. Never throws: problems are diagnostics.
 * `options.maxFileBytes` bounds each file (default 8 MiB); a bigger file is an error and not read.
 */
export async function loadManifestDirectory(dir: string, options: ManifestReadOptions = {}): Promise<ManifestLoadResult> {
  const { files, diagnostics } = await readManifestFiles(dir, options);
  const snapshot = new Snapshot();
  for (const file of files) {
    const parsed = parseManifestFile(file.text, file.path);
    diagnostics.push(...parsed.diagnostics, ...addToSnapshot(snapshot, parsed.objects));
  }
  return { snapshot, diagnostics, files: files.map((file) => file.path) };
}

/**
 * Pure: one file's text to the objects it defines and the diagnostics about it. Documents are
 * numbered from 0 in the order they appear (`source.document`); empty documents are skipped but
 * keep their number. A document that does not parse is left out; the others still load.
 */
export function parseManifestFile(text: string, file: string): ManifestObjects {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  const result: ManifestObjects = { objects: [], diagnostics: [] };
  documents.forEach((document, index) => {
    const source = { file, document: index };
    const [firstError] = document.errors;
    if (firstError) {
      result.diagnostics.push(parseError(source, describeYamlError(firstError, text, lineCounter, document.errors.length)));
      return;
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch (cause) {
      // toJS refuses alias expansions that would blow up (a "billion laughs" document).
      result.diagnostics.push(parseError(source, `the YAML cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`));
      return;
    }
    if (value === null || value === undefined) return;
    const checked = validateDocument(value, source);
    result.objects.push(...checked.objects);
    result.diagnostics.push(...checked.diagnostics);
  });
  return result;
}

/**
 * Puts parsed objects into a Snapshot. An object whose kind, namespace and name the Snapshot holds
 * already is a duplicate: the first one stays, and the duplicate gets a warning naming both
 * sources. A caller that reloads a file removes that file's earlier objects first.
 */
export function addToSnapshot(snapshot: Snapshot, objects: readonly ParsedObject[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const parsed of objects) {
    const namespace = parsed.object.metadata?.namespace;
    const name = parsed.object.metadata?.name ?? '';
    if (snapshot.get(parsed.kind, namespace, name) === undefined) {
      snapshot.upsert(parsed.kind, parsed.object, parsed.source);
      continue;
    }
    const first = snapshot.sourceOf(parsed.kind, namespace, name);
    const object: ObjectRef = namespace === undefined ? { kind: parsed.kind, name } : { kind: parsed.kind, namespace, name };
    diagnostics.push({
      severity: 'warning',
      object,
      field: 'metadata.name',
      message:
        `duplicate ${parsed.kind} ${namespace === undefined ? name : `${namespace}/${name}`}: ` +
        `${describeSource(parsed.source)} repeats ${first ? describeSource(first) : 'an object already loaded'}; the first is kept`,
      source: parsed.source,
    });
  }
  return diagnostics;
}

function describeYamlError(error: YAMLError, text: string, lineCounter: LineCounter, count: number): string {
  const more = count > 1 ? ` (and ${count - 1} more YAML error${count > 2 ? 's' : ''} in this document)` : '';
  const opening = unclosedOpening(text, error);
  if (opening) {
    const { line, col } = lineCounter.linePos(opening.offset);
    return `invalid YAML at line ${line}, column ${col}: ${opening.what} opened here is never closed${more}`;
  }
  const { line, col } = lineCounter.linePos(error.pos[0]);
  return `invalid YAML at line ${line}, column ${col}: ${error.message}${more}`;
}

/**
 * An unclosed quote or flow collection is reported by the parser where it gave up looking for the
 * end — often the end of the file. Where it opens is what the author must fix: the last one opened
 * before the give-up point that the concrete syntax tree shows without its closing character.
 */
function unclosedOpening(text: string, error: YAMLError): { offset: number; what: string } | undefined {
  const unclosed = error.code === 'MISSING_CHAR' || (error.code === 'BAD_INDENT' && /end with a [}\]]/.test(error.message));
  if (!unclosed) return undefined;
  let found: { offset: number; what: string } | undefined;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (!node || node.offset >= error.pos[0]) continue;
        const what = unclosedWhat(node);
        if (what && (!found || node.offset > found.offset)) found = { offset: node.offset, what };
      }
    });
  }
  return found;
}

function unclosedWhat(node: CST.Token): string | undefined {
  if (node.type === 'double-quoted-scalar' && !/(^|[^\\])(\\\\)*"$/.test(node.source.slice(1))) return 'the double-quoted value';
  if (node.type === 'single-quoted-scalar' && (node.source.length < 2 || !node.source.endsWith("'"))) return 'the single-quoted value';
  if (node.type === 'flow-collection' && !node.end.some((end) => end.source === '}' || end.source === ']')) {
    return node.start.source === '{' ? 'the flow mapping "{"' : 'the flow sequence "["';
  }
  return undefined;
}

function parseError(source: { file: string; document: number }, message: string): Diagnostic {
  return { severity: 'error', object: { kind: 'Document', name: source.file }, field: '', message, source };
}

function describeSource(source: { file: string; document: number }): string {
  return `${source.file} (document ${source.document})`;
}
