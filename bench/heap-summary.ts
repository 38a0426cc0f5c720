/**
 * `node --import tsx bench/heap-summary.ts FILE.heapsnapshot [TOP]` — what a heap snapshot holds,
 * by constructor, as Chrome DevTools' "Summary" view shows it: objects by their constructor's name,
 * everything else by its kind (`(string)`, `(array)`, `(compiled code)`…), each with its count and
 * the bytes the objects themselves take (shallow size). The memory scenario writes its snapshot
 * with `BENCH_HEAP_SNAPSHOT=DIR`; comparing two sizes' summaries shows what grows per object.
 * @module
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface ConstructorTotal {
  name: string;
  count: number;
  bytes: number;
}

/** Totals by constructor (objects, closures) or by kind (everything else), largest first. */
export function summariseHeap(file: HeapSnapshotFile): ConstructorTotal[] {
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, ConstructorTotal>();
  for (let index = 0; index < file.nodes.length; index += stride) {
    const type = types[file.nodes[index + typeAt] ?? 0] ?? 'unknown';
    const name = type === 'object' || type === 'closure' ? (file.strings[file.nodes[index + nameAt] ?? 0] ?? '?') : `(${type})`;
    const total = totals.get(name) ?? { name, count: 0, bytes: 0 };
    total.count += 1;
    total.bytes += file.nodes[index + sizeAt] ?? 0;
    totals.set(name, total);
  }
  return [...totals.values()].sort((a, b) => b.bytes - a.bytes);
}

function main(): void {
  const [path, top = '40'] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/heap-summary.ts FILE.heapsnapshot [TOP]\n');
    process.exit(2);
  }
  const totals = summariseHeap(JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshotFile);
  const all = totals.reduce((sum, total) => sum + total.bytes, 0);
  process.stdout.write(`| constructor | count | shallow bytes | share |\n| --- | ---: | ---: | ---: |\n`);
  for (const total of totals.slice(0, Number(top))) {
    process.stdout.write(
      `| ${total.name.replaceAll('|', '\\|').slice(0, 60)} | ${total.count} | ${total.bytes} | ${((100 * total.bytes) / all).toFixed(1)}% |\n`,
    );
  }
  process.stdout.write(`| all | ${totals.reduce((sum, total) => sum + total.count, 0)} | ${all} | 100% |\n`);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) main();
