/**
 * The documentation stays true as the code changes: every relative link in README.md and docs/*.md
 * points at a file (and heading) inside the repository, README lists every page of docs/, and every
 * flag the docs name exists in `ingress-bridge run --help` or `plan --help`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC_FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

interface Reference {
  line: number;
  value: string;
}

interface MarkdownParts {
  links: Reference[];
  flags: Reference[];
  anchors: Set<string>;
}

const FENCE = /^\s*(```|~~~)/;
const CODE_SPAN = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
const INLINE_LINK = /\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g;
const REFERENCE_LINK = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const FLAG = /--[a-z0-9][a-z0-9-]*/g;
const CLI_INVOCATION = /\bingress-bridge\s+(?:run|plan)\b(.*)/;
/** Where a shell command line hands over to another command, whose flags are not ours. */
const SHELL_BREAK = /\s(?:\||&&|;|#|>)\s/;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingSlug(heading: string, seen: Map<string, number>): string {
  const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
  const base = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
  const count = seen.get(base) ?? 0;
  seen.set(base, count + 1);
  return count === 0 ? base : `${base}-${count}`;
}

function flagsOfInvocation(text: string): string[] {
  const invocation = CLI_INVOCATION.exec(text);
  if (!invocation) return [];
  return (invocation[1] ?? '').split(SHELL_BREAK)[0]?.match(FLAG) ?? [];
}

/** Links and headings outside code; flags in code spans that start with one or invoke the CLI. */
function parseMarkdown(text: string): MarkdownParts {
  const parts: MarkdownParts = { links: [], flags: [], anchors: new Set() };
  const slugs = new Map<string, number>();
  let fenced = false;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (FENCE.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) {
      for (const flag of flagsOfInvocation(raw)) parts.flags.push({ line, value: flag });
      return;
    }
    for (const span of raw.matchAll(CODE_SPAN)) {
      const code = (span[2] ?? '').trim();
      const flags = code.startsWith('--') ? (code.match(FLAG) ?? [code]) : flagsOfInvocation(code);
      for (const flag of flags) parts.flags.push({ line, value: flag });
    }
    const prose = raw.replace(CODE_SPAN, '');
    const heading = /^#{1,6}\s+(.*)$/.exec(raw);
    if (heading) parts.anchors.add(headingSlug(heading[1] ?? '', slugs));
    for (const link of prose.matchAll(INLINE_LINK)) parts.links.push({ line, value: link[1] ?? '' });
    const reference = REFERENCE_LINK.exec(prose);
    if (reference) parts.links.push({ line, value: reference[1] ?? '' });
  });
  return parts;
}

const parsed = new Map(DOC_FILES.map((file) => [file, parseMarkdown(readFileSync(join(ROOT, file), 'utf8'))]));

function anchorsOf(file: string): Set<string> {
  const known = parsed.get(file);
  if (known) return known.anchors;
  return parseMarkdown(readFileSync(join(ROOT, file), 'utf8')).anchors;
}

/** What is wrong with one link from `file`, or undefined when it resolves. */
function linkProblem(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const [pathPart = '', fragment] = target.split('#', 2);
  const path = decodeURIComponent(pathPart.split('?')[0] ?? '');
  const resolved = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
  const inRepository = relative(ROOT, resolved);
  if (inRepository.startsWith('..') || isAbsolute(inRepository)) return `${target} leads out of the repository`;
  if (!existsSync(resolved)) return `${target}: ${inRepository} does not exist`;
  if (fragment === undefined || !inRepository.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  return anchorsOf(inRepository).has(fragment) ? undefined : `${target}: ${inRepository} has no heading #${fragment}`;
}

async function helpFlags(): Promise<Set<string>> {
  const help = (command: string) => promisify(execFile)(process.execPath, [join(ROOT, 'bin/ingress-bridge.js'), command, '--help'], { cwd: ROOT });
  const outputs = await Promise.all(['run', 'plan', 'migrate-from-nginx'].map(help));
  return new Set(outputs.flatMap((output) => output.stdout.match(FLAG) ?? []));
}

describe('the markdown reader', () => {
  it('finds links and flags outside code blocks, headings as GitHub anchors them, and ignores other tools', () => {
    const parts = parseMarkdown(
      [
        '## 3. Subnet tags: "the `kubernetes.io` ones"',
        'See [the guide](docs/a.md#x), [`deploy/`](../deploy/) and [site](https://example.com) but not `[x](nope.md)`.',
        'Use `--cluster-name NAME --region R`, `npx ingress-bridge plan --live --manifests D | jq --raw`, not `kubectl --context`.',
        '```sh',
        '[inside](fence.md) ingress-bridge run --provider aws && aws --region x',
        '```',
        '## Subnet tags',
        '## Subnet tags',
      ].join('\n'),
    );
    assert.deepEqual(
      parts.links.map((link) => link.value),
      ['docs/a.md#x', '../deploy/', 'https://example.com'],
    );
    assert.deepEqual(
      parts.flags.map((flag) => `${flag.line}:${flag.value}`),
      ['3:--cluster-name', '3:--region', '3:--live', '3:--manifests', '5:--provider'],
    );
    assert.deepEqual([...parts.anchors], ['3-subnet-tags-the-kubernetesio-ones', 'subnet-tags', 'subnet-tags-1']);
  });
});

describe('the documentation', () => {
  it('links only to files and headings that exist inside the repository', () => {
    const problems = DOC_FILES.flatMap((file) =>
      (parsed.get(file)?.links ?? []).flatMap((link) => {
        const problem = linkProblem(file, link.value);
        return problem ? [`${file}:${link.line}: ${problem}`] : [];
      }),
    );
    assert.ok(DOC_FILES.reduce((count, file) => count + (parsed.get(file)?.links.length ?? 0), 0) > 50, 'the reader found the links');
    assert.deepEqual(problems, []);
  });

  it('lists every page of docs/ in README.md', () => {
    const linked = new Set((parsed.get('README.md')?.links ?? []).map((link) => link.value.split('#')[0]));
    assert.ok(DOC_FILES.filter((file) => file.startsWith('docs/')).length > 5, 'the pages of docs/ were found');
    assert.deepEqual(
      DOC_FILES.filter((file) => file.startsWith('docs/') && !linked.has(file)),
      [],
    );
  });

  it('names only flags that `ingress-bridge run --help` or `plan --help` lists', async () => {
    const known = await helpFlags();
    assert.ok(known.has('--cluster-name') && known.has('--manifests'), 'the help output was read');
    const named = DOC_FILES.flatMap((file) => (parsed.get(file)?.flags ?? []).map((flag) => ({ file, ...flag })));
    assert.ok(named.length > 30, 'the reader found the flags the docs name');
    assert.deepEqual(
      named.filter((flag) => !known.has(flag.value)).map((flag) => `${flag.file}:${flag.line}: ${flag.value}`),
      [],
    );
  });
});
