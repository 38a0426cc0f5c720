/**
 * A Dockerfile read statically, for tests on a machine without Docker: stages with their
 * instructions (continuations joined, comments dropped), COPY sources and flags, and the
 * .dockerignore rules that decide which paths the build context holds.
 */
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, flags included. */
  text: string;
}

export interface Stage {
  /** The image the stage starts from. */
  base: string;
  /** `AS <name>`, if any. */
  name: string | undefined;
  instructions: Instruction[];
}

export interface CopyInstruction {
  /** `--from=<stage>`: the sources are paths in that stage, not in the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), text: rest };
    if (instruction.keyword === 'FROM') {
      const [, base = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ base, name, instructions: [] });
    } else {
      const current = stages.at(-1);
      if (!current) throw new Error(`${instruction.keyword} before the first FROM`);
      current.instructions.push(instruction);
    }
  }
  return stages;
}

export function instructionsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.text);
}

export function parseCopy(text: string): CopyInstruction {
  const words = text.trim().startsWith('[') ? (JSON.parse(text) as string[]) : text.trim().split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** The JSON (exec) form of ENTRYPOINT or CMD; undefined for the shell form. */
export function execForm(text: string): string[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

/** Where `path` ends up, from the stage's last WORKDIR before it (or `/`). */
export function resolveInStage(workdir: string, path: string): string {
  const resolved = posix.resolve(workdir, path);
  return resolved.length > 1 ? resolved.replace(/\/$/, '') : resolved;
}

/**
 * Docker's .dockerignore matching: the last pattern that matches a path or one of its parent
 * directories decides, `!` re-includes, `*` and `?` stay within one path segment, `**` spans any.
 */
export function dockerignoreExcludes(ignoreText: string): (path: string) => boolean {
  const rules = ignoreText
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      return { include, pattern: globToRegExp(pattern) };
    });
  return (path) => {
    const segments = path.replace(/^\.?\/+|\/+$/g, '').split('/');
    const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = !rule.include;
    return excluded;
  };
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] as string;
    if (char === '*' && pattern[index + 1] === '*') {
      source += '.*';
      index += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
