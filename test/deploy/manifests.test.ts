/**
 * deploy/ agrees with the code: the flags the Deployment passes exist in `ingress-bridge run`, the
 * probes hit what the health server serves, the IngressClass names our controller, the bound
 * ServiceAccount is the one the pods run as, the pods are hardened, the PDB and kustomizations
 * are consistent; and the Dockerfile, checked statically, builds the image the Deployment runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import type {
  V1ClusterRoleBinding,
  V1Deployment,
  V1IngressClass,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
  V1SecurityContext,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { toProviderSettings, toTranslateOptions } from '../../src/config.js';
import { DEFAULT_LEASE_NAME } from '../../src/controller/leader-election.js';
import { parseListenAddress, startObservabilityServers } from '../../src/observability/health.js';
import { ControllerMetrics } from '../../src/observability/metrics.js';
import { CONTROLLER_NAME } from '../../src/translate/ingress-class.js';
import {
  controllerContainer,
  DEPLOY_DIR,
  deployDocuments,
  expandArgs,
  filesUnder,
  parseRunArgs,
  readYamlDocuments,
  REPO_ROOT,
  theDocument,
  type ManifestDocument,
} from '../support/deploy-manifests.js';
import { dockerignoreExcludes, execForm, instructionsOf, parseCopy, parseDockerfile, resolveInStage, type Stage } from '../support/dockerfile.js';
import { CONTROLLER_SERVICE_ACCOUNT } from '../support/rbac.js';

const documents = deployDocuments();
const deployment = theDocument<V1Deployment>(documents, { file: 'base/deployment.yaml', kind: 'Deployment' });
const container = controllerContainer(deployment);
const podLabels = deployment.spec?.template.metadata?.labels ?? {};
const namespace = deployment.metadata?.namespace ?? '';
const selects = (selector: Record<string, string> | undefined): boolean =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([key, value]) => podLabels[key] === value);

/** The args of every Deployment in deploy/ (base and patches), with `$(VAR)` expanded as the kubelet does. */
function deploymentArgs(): { file: string; args: string[] }[] {
  return documents
    .filter((document) => document.kind === 'Deployment')
    .map((document) => {
      const patched = controllerContainer(document.object);
      const env = [...(container.env ?? []), ...(patched.env ?? [])];
      return { file: document.file, args: expandArgs(patched.args ?? [], env, document.namespace ?? namespace) };
    });
}

describe('the Kubernetes manifests in deploy/', () => {
  it('parse, every one of them, as Kubernetes objects', () => {
    const yamlFiles = filesUnder(DEPLOY_DIR).filter((file) => /\.ya?ml$/.test(file));
    assert.ok(yamlFiles.length >= 10, yamlFiles.join(', '));
    for (const document of documents)
      assert.ok(document.kind !== '' && typeof document.object.apiVersion === 'string', `${document.file}: a document without apiVersion and kind`);
    for (const file of filesUnder(DEPLOY_DIR).filter((name) => name.endsWith('.json'))) JSON.parse(readFileSync(join(DEPLOY_DIR, file), 'utf8'));
  });

  it('pass the Deployment flags that `ingress-bridge run` defines, with valid values', async () => {
    assert.deepEqual(
      deploymentArgs().map(({ file }) => file),
      ['base/deployment.yaml', 'overlays/example/deployment-patch.yaml'],
    );
    for (const { file, args } of deploymentArgs()) {
      const parsed = await parseRunArgs(args);
      assert.ok(parsed.ok, `${file}: ${parsed.ok ? '' : parsed.error}`);
      const { values, sources } = parsed;
      assert.equal(values.provider, 'aws', file);
      assert.equal(values.leaderElect, true, `${file}: leader election on`);
      assert.equal(values.namespace, namespace, `${file}: the Lease lives in the pod's namespace`);
      assert.equal(values.manifests, undefined, `${file}: against the cluster, not a directory`);
      for (const flag of ['provider', 'clusterName', 'namespace', 'metricsAddress', 'healthAddress'])
        assert.equal(sources[flag], 'cli', `${file}: ${flag} given`);
      assert.doesNotThrow(() => toTranslateOptions(values, new Date()), file);
      assert.doesNotThrow(() => toProviderSettings(values), file);
      assert.ok(
        args.every((arg) => !arg.includes('$(')),
        `${file}: every $(VAR) is defined: ${args.join(' ')}`,
      );
    }
    const overlay = deploymentArgs().find(({ file }) => file.startsWith('overlays/'));
    const overlayValues = await parseRunArgs(overlay?.args ?? []);
    assert.ok(
      overlayValues.ok && overlayValues.values.region && overlayValues.values.clusterName !== 'CHANGE-ME',
      'the example overlay sets the region and the cluster name',
    );
  });

  it('probe /healthz and /readyz on the --health-address port, which the health server serves', async () => {
    const parsed = await parseRunArgs(deploymentArgs()[0]?.args ?? []);
    assert.ok(parsed.ok);
    const portOf = (name: string | number | undefined): number | undefined =>
      typeof name === 'number' ? name : container.ports?.find((port) => port.name === name)?.containerPort;
    const health = parseListenAddress(parsed.values.healthAddress);
    const metrics = parseListenAddress(parsed.values.metricsAddress);
    assert.equal(health?.host, undefined, 'every interface: the kubelet probes the pod IP');
    assert.equal(portOf(container.livenessProbe?.httpGet?.port), health?.port);
    assert.equal(portOf(container.readinessProbe?.httpGet?.port), health?.port);
    assert.equal(portOf('metrics'), metrics?.port);

    const servers = await startObservabilityServers({
      metricsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      metrics: new ControllerMetrics(),
      liveness: [{ name: 'process', ok: () => true }],
      readiness: [{ name: 'informers-synced', ok: () => true }],
    });
    try {
      for (const path of [container.livenessProbe?.httpGet?.path, container.readinessProbe?.httpGet?.path]) {
        assert.equal((await fetch(`${servers.healthUrl}${path}`)).status, 200, `${path} on the health address`);
      }
      assert.equal((await fetch(`${servers.metricsUrl}/metrics`)).status, 200);
    } finally {
      await servers.close();
    }
  });

  it('declare the IngressClass this controller claims', async () => {
    const ingressClass = theDocument<V1IngressClass>(documents, { file: 'base/ingressclass.yaml', kind: 'IngressClass' });
    assert.equal(ingressClass.spec?.controller, CONTROLLER_NAME);
    const parsed = await parseRunArgs(deploymentArgs()[0]?.args ?? []);
    assert.ok(parsed.ok && parsed.values.ingressClass === ingressClass.metadata?.name, 'the class the Deployment serves');
  });

  it('bind the roles to the ServiceAccount the pods run as, and the Lease Role to its namespace', () => {
    const serviceAccount = theDocument<V1ServiceAccount>(documents, { file: 'base/serviceaccount.yaml', kind: 'ServiceAccount' });
    const account = { name: serviceAccount.metadata?.name, namespace: serviceAccount.metadata?.namespace };
    assert.deepEqual(account, CONTROLLER_SERVICE_ACCOUNT);
    assert.equal(deployment.spec?.template.spec?.serviceAccountName, account.name);
    assert.equal(namespace, account.namespace);
    assert.equal(deployment.spec?.template.spec?.automountServiceAccountToken, true);
    assert.equal(theDocument<{ metadata: { name: string } }>(documents, { file: 'base/namespace.yaml', kind: 'Namespace' }).metadata.name, namespace);
    const bindings = [
      theDocument<V1ClusterRoleBinding>(documents, { file: 'base/rbac.yaml', kind: 'ClusterRoleBinding' }),
      theDocument<V1RoleBinding>(documents, { file: 'base/rbac.yaml', kind: 'RoleBinding' }),
    ];
    for (const binding of bindings) {
      assert.deepEqual(
        binding.subjects?.map((subject) => ({ kind: subject.kind, name: subject.name, namespace: subject.namespace })),
        [{ kind: 'ServiceAccount', ...account }],
        binding.metadata?.name,
      );
      assert.ok(
        documents.some((document) => document.kind === binding.roleRef.kind && document.name === binding.roleRef.name),
        `${binding.roleRef.kind} ${binding.roleRef.name} exists`,
      );
    }
    const role = theDocument<V1Role>(documents, { file: 'base/rbac.yaml', kind: 'Role' });
    assert.equal(role.metadata?.namespace, namespace);
    assert.equal(bindings[1]?.metadata?.namespace, namespace);
    assert.ok(
      role.rules?.some((rule) => rule.resourceNames?.includes(DEFAULT_LEASE_NAME)),
      `the Role names the Lease ${DEFAULT_LEASE_NAME}`,
    );
  });

  it('harden the controller container: non-root 65532, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = deployment.spec?.template.spec?.securityContext ?? {};
    const own: V1SecurityContext = container.securityContext ?? {};
    // The container's own settings win over the pod's, as the kubelet applies them.
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- both are plain objects parsed from YAML, typed by the client's classes; no prototype to lose
    const effective = { ...pod, ...own };
    assert.equal(effective.runAsNonRoot, true);
    assert.equal(effective.runAsUser, 65532);
    assert.equal(own.readOnlyRootFilesystem, true);
    assert.equal(own.allowPrivilegeEscalation, false);
    assert.deepEqual(own.capabilities?.drop, ['ALL']);
    assert.equal(own.capabilities?.add, undefined);
    assert.equal(effective.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(container.resources?.requests?.cpu !== undefined && container.resources.requests.memory !== undefined, true, 'requests');
    assert.ok(container.resources?.limits?.memory, 'a memory limit');
  });

  it('run two replicas spread across zones, kept one at a time by the PodDisruptionBudget', () => {
    assert.equal(deployment.spec?.replicas, 2);
    assert.ok(selects(deployment.spec?.selector.matchLabels), 'the Deployment selects its own pods');
    const zoneSpread = deployment.spec?.template.spec?.topologySpreadConstraints?.find(
      (constraint) => constraint.topologyKey === 'topology.kubernetes.io/zone',
    );
    assert.ok(zoneSpread && selects(zoneSpread.labelSelector?.matchLabels), 'spread across zones, counting these pods');
    const budget = theDocument<V1PodDisruptionBudget>(documents, { file: 'base/pdb.yaml', kind: 'PodDisruptionBudget' });
    assert.equal(budget.spec?.minAvailable, 1);
    assert.equal(budget.metadata?.namespace, namespace);
    assert.ok(selects(budget.spec?.selector?.matchLabels), "the PDB selects the Deployment's pods");
  });
});

describe('the kustomizations in deploy/', () => {
  type Kustomization = {
    resources?: string[];
    components?: string[];
    patches?: { path?: string }[];
    images?: { name?: string }[];
    configMapGenerator?: unknown[];
  };
  const base = readYamlDocuments('base/kustomization.yaml')[0] as Kustomization;
  const overlay = readYamlDocuments('overlays/example/kustomization.yaml')[0] as Kustomization;

  it('the base lists every manifest beside it', () => {
    const manifests = filesUnder(join(DEPLOY_DIR, 'base')).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml');
    assert.deepEqual([...(base.resources ?? [])].sort(), manifests);
  });

  it('the example overlay builds on the base and patches objects the base declares', () => {
    assert.deepEqual(overlay.resources, ['../../base']);
    assert.deepEqual(
      overlay.images?.map((image) => image.name),
      [container.image?.split(':')[0]],
    );
    const baseObjects = documents.filter((document) => document.file.startsWith('base/'));
    for (const patch of overlay.patches ?? []) {
      const file = join('overlays/example', patch.path ?? '');
      const targets = documents.filter((document) => document.file === file);
      assert.ok(targets.length > 0, `${file} exists`);
      for (const target of targets)
        assert.ok(
          baseObjects.some((object) => sameObject(object, target)),
          `${file} patches ${target.kind} ${target.namespace}/${target.name} of the base`,
        );
    }
    const account = documents.find((document) => document.file.startsWith('overlays/') && document.kind === 'ServiceAccount');
    assert.match(JSON.stringify(account?.object ?? {}), /"eks\.amazonaws\.com\/role-arn":"arn:aws:iam::\d{12}:role\//);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it('kubectl kustomize renders the overlay with the image, the role and flags `run` accepts', { skip: !kubectl && 'kubectl is not installed' }, async () => {
    const rendered = spawnSync('kubectl', ['kustomize', join(DEPLOY_DIR, 'overlays/example')], { encoding: 'utf8' });
    assert.equal(rendered.status, 0, rendered.stderr);
    const objects = parseAllDocuments(rendered.stdout).map((document) => document.toJS() as { kind: string });
    const renderedDeployment = objects.find((object) => object.kind === 'Deployment') as V1Deployment;
    const renderedContainer = controllerContainer(renderedDeployment);
    assert.match(renderedContainer.image ?? '', /\.dkr\.ecr\..*\/ingress-bridge:/);
    const parsed = await parseRunArgs(expandArgs(renderedContainer.args ?? [], renderedContainer.env ?? [], namespace));
    assert.ok(
      parsed.ok && parsed.values.region === renderedContainer.env?.find((variable) => variable.name === 'AWS_REGION')?.value,
      'region flag and AWS_REGION agree',
    );
    // Everything the base and the overlay's components declare, and the ConfigMaps they generate.
    const sources = ['base/', ...(overlay.components ?? []).map((component) => `${relative(DEPLOY_DIR, join(DEPLOY_DIR, 'overlays/example', component))}/`)];
    const declared = documents.filter(
      (document) => sources.some((source) => document.file.startsWith(source)) && !['Kustomization', 'Component', 'Namespace'].includes(document.kind),
    );
    const generated = documents
      .filter((document) => document.kind === 'Component' && sources.some((source) => document.file.startsWith(source)))
      .flatMap((document) => (document.object as Kustomization).configMapGenerator ?? []);
    assert.equal(objects.filter((object) => object.kind !== 'Namespace').length, declared.length + generated.length);
  });
});

function sameObject(a: ManifestDocument, b: ManifestDocument): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

describe('the Dockerfile, read statically (no Docker here)', () => {
  const stages = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const build = stages[0] as Stage;
  const runtime = stages.at(-1) as Stage;
  const excluded = dockerignoreExcludes(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));
  const buildConfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
    extends?: string;
    include: string[];
    compilerOptions: { outDir: string; rootDir: string };
  };
  const workdir = (stage: Stage): string => instructionsOf(stage, 'WORKDIR').at(-1) ?? '/';
  const runs = (stage: Stage): string[] => instructionsOf(stage, 'RUN');

  it('builds in one stage and runs in another, both on Node 24', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.ok(build.name, 'the build stage is named, for COPY --from');
    for (const stage of [build, runtime])
      assert.match(stage.base, /^(node:24-bookworm-slim|gcr\.io\/distroless\/nodejs24-debian12(:nonroot)?)(@sha256:[0-9a-f]{64})?$/);
  });

  it('the build stage installs everything, then runs `npm run build` on every input of tsconfig.build.json', () => {
    const commands = runs(build);
    const install = commands.findIndex((command) => /\bnpm ci\b/.test(command) && !command.includes('--omit=dev'));
    const compile = commands.findIndex((command) => /\bnpm run build\b/.test(command));
    assert.ok(install >= 0 && compile > install, commands.join(' | '));
    const copied = instructionsOf(build, 'COPY').flatMap((text) => parseCopy(text).sources);
    for (const input of ['package.json', 'package-lock.json', 'tsconfig.build.json', buildConfig.extends?.replace(/^\.\//, '') ?? '', ...buildConfig.include]) {
      assert.ok(copied.includes(input), `the build stage copies ${input}`);
    }
  });

  it('`npm run build` is the compile with tsconfig.build.json', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(manifest.scripts.build, 'tsc -p tsconfig.build.json', 'package.json has the build script the image runs');
  });

  it('the runtime stage installs production dependencies only and runs as uid 65532', () => {
    const installs = runs(runtime).filter((command) => /\bnpm (ci|install|i)\b/.test(command));
    assert.ok(installs.length > 0 && installs.every((command) => command.includes('--omit=dev')), installs.join(' | '));
    const user = instructionsOf(runtime, 'USER').at(-1) ?? '';
    const uid = Number(user.split(':')[0]);
    assert.ok(Number.isInteger(uid) && uid > 0, `USER "${user}" is a numeric non-root uid (runAsNonRoot can only verify a number)`);
    assert.equal(uid, deployment.spec?.template.spec?.securityContext?.runAsUser);
  });

  it('starts the CLI with `run` by default', () => {
    assert.deepEqual(execForm(instructionsOf(runtime, 'ENTRYPOINT').at(-1) ?? ''), ['node', 'bin/ingress-bridge.js']);
    assert.deepEqual(execForm(instructionsOf(runtime, 'CMD').at(-1) ?? ''), ['run']);
    assert.equal(container.command, undefined, 'the Deployment keeps the ENTRYPOINT');
    assert.equal(container.args?.[0], 'run');
  });

  it("copies only what exists: context files not ignored, and the build stage's dist/", () => {
    for (const stage of stages) {
      for (const copy of instructionsOf(stage, 'COPY').map(parseCopy)) {
        if (copy.from === undefined) {
          for (const source of copy.sources) {
            assert.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source}: exists`);
            assert.equal(excluded(source), false, `COPY ${source}: not excluded by .dockerignore`);
          }
          continue;
        }
        const from = stages.find((candidate) => candidate.name === copy.from) as Stage;
        assert.ok(from && stages.indexOf(from) < stages.indexOf(stage), `--from=${copy.from} is an earlier stage`);
        assert.deepEqual(
          copy.sources,
          [resolveInStage(workdir(from), buildConfig.compilerOptions.outDir)],
          'the only thing taken from the build is what `npm run build` emits',
        );
      }
    }
    const runtimeCopies = instructionsOf(runtime, 'COPY')
      .map(parseCopy)
      .map((copy) => resolveInStage(workdir(runtime), copy.destination));
    for (const needed of ['bin', 'dist']) assert.ok(runtimeCopies.includes(resolveInStage(workdir(runtime), needed)), `the runtime has ${needed}/`);
    assert.ok(
      runtimeCopies.includes(workdir(runtime)) && instructionsOf(runtime, 'COPY').some((text) => parseCopy(text).sources.includes('package.json')),
      'and package.json',
    );
    assert.equal(buildConfig.compilerOptions.rootDir, '.', 'dist/src/cli.js, the path bin/ingress-bridge.js loads');
  });

  it('.dockerignore keeps local state out of the build context', () => {
    for (const path of ['node_modules/pino/package.json', 'dist/src/cli.js', '.git/config', 'test/deploy-manifests.test.ts', 'kubeconfig', '.env'])
      assert.equal(excluded(path), true, path);
    for (const path of ['src/cli.ts', 'providers/aws/index.ts', 'bin/ingress-bridge.js', 'package-lock.json']) assert.equal(excluded(path), false, path);
  });
});
