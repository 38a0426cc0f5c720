/**
 * The import graph of the production tree (src/ and providers/), read from the files' own import
 * statements: which module imports which, static and dynamic. The layering test walks it; nothing
 * here runs the code.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import: `from` and `to` are paths relative to the repository root; `dynamic` for import(). */
export interface ImportEdge {
  from: string;
  to: string;
  dynamic: boolean;
  typeOnly: boolean;
}

const IMPORT_PATTERN = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(root: string, dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(root, dir))) {
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) sourceFiles(root, path, out);
    else if (entry.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every relative import of the `.ts` files under `dirs`, resolved to the file it names. */
export function readImportGraph(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of dirs.flatMap((dir) => sourceFiles(root, dir))) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[3] ?? match[4];
      if (!specifier) continue;
      const target = relative(root, resolve(root, dirname(file), specifier.replace(/\.js$/, '.ts')));
      if (!existsSync(join(root, target))) throw new Error(`${file}: import ${specifier} names no file`);
      edges.push({ from: file, to: target, dynamic: match[4] !== undefined, typeOnly: match[2] !== undefined });
    }
  }
  return edges;
}

/** The import circles of a graph (strongly connected components of more than one file). */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<[string, number]> = [[start, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, child] = frame;
      if (child === 0 && !index.has(node)) {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
      }
      const targets = next.get(node) ?? [];
      if (child < targets.length) {
        frame[1]++;
        const target = targets[child]!;
        if (!index.has(target)) work.push([target, 0]);
        else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1) circles.push(component.sort());
      }
    }
  }
  return circles;
}
