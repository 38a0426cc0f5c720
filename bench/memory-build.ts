/**
 * The JavaScript the memory scenario runs: the controller as `npm run build` compiled it into dist/
 * — what the container image runs, with no TypeScript loader in the process — and around it only
 * the few harness modules that start it and carry its cloud calls over IPC (bench/memory-child.ts
 * and what it imports from bench/ and fakes/).
 *
 * dist/ is rebuilt by the project's own build (bin/build.js, the `prepare` step) when its source
 * stamp says the sources changed since. The harness is compiled with the same compiler options
 * (tsconfig.memory-child.json extends tsconfig.build.json) into a cache directory under
 * node_modules, where its `../src` and `../providers` are links to dist/ — so the modules the
 * controller runs are dist/'s own files, and bare imports resolve from the project's node_modules.
 *
 * The environment is the image's: the runtime stage's ENV in the Dockerfile (NODE_ENV, the glibc
 * malloc tunables). The heap is the one V8 gives the controller in its Deployment. Node hands V8 the container's
 * memory limit (cgroup) as the machine's memory (src/api/environment.cc,
 * SetIsolateCreateParamsForNode), and V8 sizes its heap from it (heap.cc,
 * HeapSizeFromPhysicalMemory): a quarter of it, times 2 on 64-bit without pointer compression
 * (Node's build), capped at 4 GiB. Under deploy/base's `limits.memory: 512Mi` that is a 256 MiB
 * heap — where on the benchmark's host, with no limit, it would be 4 GiB, and V8 would let garbage
 * pile up far beyond what the Pod could ever hold. `--max-heap-size` gives the child that heap, and
 * V8 splits it into young and old generations by its own rule.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * One directory per checkout: worktrees that share one node_modules would otherwise compile into the
 * same place, and a run could start another checkout's harness, linked to that checkout's dist/.
 */
const HARNESS_DIR = join(ROOT, 'node_modules', '.cache', 'ingress-bridge-bench', `memory-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
/** The compiled controller's directories the harness links to. */
const DIST_LINKS = ['src', 'providers'];

interface SourceStamp {
  sourceFingerprint(root: string): string;
  builtFingerprint(root: string): string | undefined;
}

export interface CompiledChild {
  /** The child's entry point, plain JavaScript. */
  entry: string;
  /** Why dist/ was (re)built, or that it was already current. */
  build: string;
  /** Node's flags for the heap V8 would configure under the Deployment's memory limit. */
  heapFlags: string[];
  /** The variables the image sets for its process (the Dockerfile's runtime stage). */
  imageEnvironment: Record<string, string>;
  /** The Deployment's memory limit, as written there. */
  memoryLimit: string;
  /** The controller container's args, as the kubelet passes them (`$(VAR)` of a fieldRef resolved). */
  deploymentArgs: string[];
  /** The objects deploy/base/webhook.yaml installs (its Service, the Secret shipped empty, the webhook configuration). */
  webhookObjects: Record<string, unknown>[];
}

const DEPLOYMENT = join(ROOT, 'deploy', 'base', 'deployment.yaml');
const DOCKERFILE = join(ROOT, 'Dockerfile');
const WEBHOOK = join(ROOT, 'deploy', 'base', 'webhook.yaml');
const MIB = 1024 * 1024;
const MAX_HEAP_BYTES = 4096 * MIB;

export async function compiledMemoryChild(): Promise<CompiledChild> {
  const build = await ensureDistBuilt();
  compileHarness();
  const deployment = readFileSync(DEPLOYMENT, 'utf8');
  const memoryLimit = deploymentMemoryLimit(deployment);
  return {
    deploymentArgs: deploymentArgs(deployment),
    webhookObjects: parseAllDocuments(readFileSync(WEBHOOK, 'utf8')).map((document) => document.toJS() as Record<string, unknown>),
    entry: join(HARNESS_DIR, 'bench', 'memory-child.js'),
    build,
    heapFlags: [`--max-heap-size=${heapSizeMib(memoryLimit)}`],
    imageEnvironment: imageEnvironment(readFileSync(DOCKERFILE, 'utf8')),
    memoryLimit,
  };
}

/** The `ENV` of a Dockerfile's last stage (`ENV KEY=value …`, values optionally double-quoted). */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim());
  const lastStage = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  const environment: Record<string, string> = {};
  for (const line of lines.slice(lastStage + 1)) {
    const instruction = /^ENV\s+(.*)$/i.exec(line);
    if (!instruction?.[1]) continue;
    for (const pair of instruction[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const [, key = '', raw = ''] = pair;
      environment[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    }
  }
  return environment;
}

/** The controller container's `resources.limits.memory` in a Deployment manifest. */
export function deploymentMemoryLimit(yaml: string): string {
  for (const document of parseAllDocuments(yaml)) {
    const object = document.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { resources?: { limits?: { memory?: string } } }[] } } } };
    if (object.kind !== 'Deployment') continue;
    const limit = object.spec?.template?.spec?.containers?.[0]?.resources?.limits?.memory;
    if (limit) return limit;
  }
  throw new Error(`no Deployment with a container memory limit in ${DEPLOYMENT}`);
}

interface DeploymentManifest {
  kind?: string;
  metadata?: { namespace?: string };
  spec?: {
    template?: {
      spec?: { containers?: { args?: string[]; env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[] }[] };
    };
  };
}

/**
 * The controller container's args after the `run` subcommand, with `$(VAR)` replaced as the kubelet
 * does: from the container's env, a literal value or the Pod's metadata.namespace (the Pod lands in
 * the Deployment's namespace). A variable it cannot resolve stays as written, as the kubelet leaves it.
 */
export function deploymentArgs(yaml: string): string[] {
  for (const document of parseAllDocuments(yaml)) {
    const object = document.toJS() as DeploymentManifest;
    const container = object.kind === 'Deployment' ? object.spec?.template?.spec?.containers?.[0] : undefined;
    if (!container) continue;
    const variables = new Map<string, string>();
    for (const variable of container.env ?? []) {
      const value =
        variable.value ?? (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? (object.metadata?.namespace ?? 'default') : undefined);
      if (value !== undefined) variables.set(variable.name, value);
    }
    const args = (container.args ?? []).map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (written, name: string) => variables.get(name) ?? written));
    return args[0] === 'run' ? args.slice(1) : args;
  }
  throw new Error(`no Deployment with a container in ${DEPLOYMENT}`);
}

/** The heap, in MiB, V8 configures in a process given this much memory (see the module comment). */
export function heapSizeMib(quantity: string): number {
  const bytes = quantityBytes(quantity);
  return Math.floor(Math.min((bytes / 4) * 2, MAX_HEAP_BYTES) / MIB);
}

const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity (`512Mi`, `1G`, `536870912`) in bytes. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  const unit = match?.[2] ?? '';
  const factor = BINARY_SUFFIXES[unit] ?? DECIMAL_SUFFIXES[unit];
  if (!match || factor === undefined) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(match[1]) * factor;
}

async function ensureDistBuilt(): Promise<string> {
  // bin/ is plain JavaScript with no declarations; the stamp is what bin/ingress-bridge.js trusts too.
  const stamp = (await import(pathToFileURL(join(ROOT, 'bin', 'source-stamp.js')).href)) as SourceStamp;
  if (stamp.builtFingerprint(ROOT) === stamp.sourceFingerprint(ROOT)) return 'dist/ was current';
  run([join(ROOT, 'bin', 'build.js')], 'bin/build.js', { showOutput: true });
  if (!existsSync(join(ROOT, 'dist', 'src', 'commands', 'run-cluster.js'))) throw new Error('bin/build.js did not produce dist/src/commands/run-cluster.js');
  return stamp.builtFingerprint(ROOT) === stamp.sourceFingerprint(ROOT)
    ? 'dist/ rebuilt by bin/build.js'
    : 'dist/ rebuilt by bin/build.js, with compile errors (see above): measuring what was emitted';
}

function compileHarness(): void {
  rmSync(HARNESS_DIR, { recursive: true, force: true });
  mkdirSync(HARNESS_DIR, { recursive: true });
  run(
    [join(ROOT, 'node_modules', '.bin', 'tsc'), '-p', join(ROOT, 'bench', 'tsconfig.memory-child.json'), '--outDir', HARNESS_DIR],
    'the memory harness compile',
    { tolerateErrors: true },
  );
  if (!existsSync(join(HARNESS_DIR, 'bench', 'memory-child.js'))) throw new Error('the memory harness did not compile');
  // tsc also emitted the controller's modules the harness imports: dist/'s own are used instead.
  for (const directory of DIST_LINKS) {
    rmSync(join(HARNESS_DIR, directory), { recursive: true, force: true });
    symlinkSync(join(ROOT, 'dist', directory), join(HARNESS_DIR, directory), 'dir');
  }
}

/** Runs a Node script with this Node; type errors elsewhere in the tree still emit JavaScript. */
function run(args: string[], what: string, options: { tolerateErrors?: boolean; showOutput?: boolean } = {}): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', options.showOutput ? 'inherit' : 'ignore', 'inherit'] });
  if (result.status !== 0 && !options.tolerateErrors) throw new Error(`${what} failed (exit ${String(result.status)})`);
}
