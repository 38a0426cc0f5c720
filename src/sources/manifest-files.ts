/**
 * Finds and reads the manifest files under a directory. Never throws: a directory or file that
 * cannot be read is an error diagnostic, and the rest is still read.
 * @module
 */
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model.js';

/** The endings kubectl reads as YAML, case-sensitive as there. */
const MANIFEST_FILE = /\.ya?ml$/;

export interface ManifestFile {
  /** The path relative to the directory read, `/`-separated. */
  path: string;
  text: string;
}

/** The default size limit of one manifest file: far above any real manifest, far below what parsing costs to bound. */
export const DEFAULT_MAX_MANIFEST_FILE_BYTES = 8 * 1024 * 1024;

export interface ManifestReadOptions {
  /**
   * Files bigger than this many bytes are not read (an error diagnostic names the file and the
   * limit): YAML parsing takes memory many times the file's size. The CLI's --max-manifest-bytes.
   */
  maxFileBytes?: number;
}

export interface ManifestFiles {
  /** In sorted path order. */
  files: ManifestFile[];
  diagnostics: Diagnostic[];
}

/**
 * Reads the `.yaml` and `.yml` files under `dir` at any depth, skipping hidden files and
 * directories. Symbolic links are followed because a ConfigMap mounted as a volume is a tree of
 * links; its hidden `..data` directory is skipped with the other hidden entries.
 */
export async function readManifestFiles(dir: string, options: ManifestReadOptions = {}): Promise<ManifestFiles> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_MANIFEST_FILE_BYTES;
  const tree = await listManifestTree(dir);
  const diagnostics = [...tree.diagnostics];
  const reads = await Promise.all(tree.files.map((file) => readManifestFile(dir, file, maxFileBytes)));
  const files: ManifestFile[] = [];
  for (const read of reads) {
    if ('text' in read) files.push(read);
    else diagnostics.push(read);
  }
  return { files, diagnostics };
}

/** What a walk of the directory found: the manifest files and the directories that hold them. */
export interface ManifestTree {
  /** Manifest files relative to the root, `/`-separated, sorted. */
  files: string[];
  /** Every directory walked, relative to the root (`''` is the root itself), for watchers. */
  directories: string[];
  /** Directories that could not be read (`''` is the root): what they held is unknown, not gone. */
  unreadableDirectories: string[];
  diagnostics: Diagnostic[];
}

export async function listManifestTree(root: string): Promise<ManifestTree> {
  const tree: ManifestTree = { files: [], directories: [], unreadableDirectories: [], diagnostics: [] };
  // Real paths of the directories already read, so that a link back up the tree ends the walk.
  const visited = new Set<string>();

  async function visit(relative: string): Promise<void> {
    const absolute = path.join(root, relative);
    let entries: Dirent[];
    try {
      const real = await realpath(absolute);
      if (visited.has(real)) return;
      visited.add(real);
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (cause) {
      tree.diagnostics.push(unreadable('Directory', relative || root, cause));
      tree.unreadableDirectories.push(relative);
      return;
    }
    tree.directories.push(relative);
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const target = entry.isSymbolicLink() ? await statOrUndefined(path.join(root, child)) : entry;
      if (target?.isDirectory()) await visit(child);
      // A dangling link with a manifest name is kept, so that reading it reports the problem.
      else if (MANIFEST_FILE.test(entry.name) && (target === undefined || target.isFile())) tree.files.push(child);
    }
  }

  await visit('');
  tree.files.sort();
  return tree;
}

/** Reads at most `maxBytes` + 1 bytes, so a file that grows after its size was checked is still refused. */
export async function readManifestFile(root: string, file: string, maxBytes: number = DEFAULT_MAX_MANIFEST_FILE_BYTES): Promise<ManifestFile | Diagnostic> {
  try {
    const handle = await open(path.join(root, file), 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return tooBig(file, size, maxBytes);
      const chunks: Buffer[] = [];
      for await (const chunk of handle.createReadStream({ start: 0, end: maxBytes, autoClose: false })) chunks.push(chunk as Buffer);
      const data = Buffer.concat(chunks);
      if (data.length > maxBytes) return tooBig(file, undefined, maxBytes);
      return { path: file, text: data.toString('utf8') };
    } finally {
      await handle.close();
    }
  } catch (cause) {
    return unreadable('File', file, cause);
  }
}

/** `bytes` is unknown when the file grew past the limit while it was read. */
function tooBig(file: string, bytes: number | undefined, maxBytes: number): Diagnostic {
  const size = bytes === undefined ? `more than ${maxBytes} bytes` : `${bytes} bytes`;
  return {
    severity: 'error',
    object: { kind: 'File', name: file },
    field: '',
    message: `the manifest file is ${size}, over the limit of ${maxBytes} bytes (--max-manifest-bytes); it is not read`,
  };
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

function unreadable(kind: 'Directory' | 'File', name: string, cause: unknown): Diagnostic {
  const what = kind === 'Directory' ? 'the manifest directory' : 'the manifest file';
  return { severity: 'error', object: { kind, name }, field: '', message: `cannot read ${what}: ${reason(cause)}` };
}

function reason(cause: unknown): string {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'ENOTDIR') return 'it is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return cause instanceof Error ? cause.message : String(cause);
}
