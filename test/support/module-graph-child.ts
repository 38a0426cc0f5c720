/**
 * A process that runs one reconcile round of a manifest directory and reports every module it
 * loaded, for test/module-graph.test.ts. Started by that test with an IPC channel; not meant to be
 * run by hand.
 *
 * The load hook is registered before anything else is imported (every import below is dynamic), so
 * the list is the whole graph the run needed. The AWS fake stays in the parent — it imports every SDK
 * client to mock them — and the provider's calls reach it over IPC (bench/sdk-transport.ts, as the
 * memory benchmark does), so nothing here loads a package the provider did not ask for.
 * @module
 */
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

export type ChildMode = 'local' | 'aws' | 'cluster';

export type ToChild =
  /** `manifests`: a directory (local, aws) or, for `cluster`, a kubeconfig file naming the parent's Kubernetes API fake. */
  { type: 'start'; mode: ChildMode; manifests: string } | { type: 'answer'; id: number; output?: object; error?: { name: string; message: string } };

export type FromChild =
  | { type: 'call'; id: number; service: string; action: string; input: unknown }
  /** `problems`: the round's errors and error diagnostics, none when it converged. */
  | { type: 'done'; loaded: string[]; problems: string[] };

const send = (message: FromChild): void => {
  process.send?.(message);
};

const pending = new Map<number, { resolve: (output: object) => void; reject: (error: Error) => void }>();
let nextId = 0;

function cloudCall(service: string, action: string, input: unknown): Promise<object> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ type: 'call', id, service, action, input });
  });
}

type Round = Awaited<ReturnType<InstanceType<typeof import('../../src/controller/manifest-runner.js').ManifestRunner>['reconcile']>>;

function problemsOf(round: Round): string[] {
  const diagnostics = [...round.diagnostics, ...round.outcomes.flatMap((outcome) => outcome.diagnostics)];
  return [
    ...round.outcomes.flatMap((outcome) => (outcome.error === undefined ? [] : [`${outcome.stackId}: ${outcome.error}`])),
    ...diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message),
  ];
}

/** One round with the local provider, as `run --manifests DIR --provider local --once` makes it. */
async function localRound(manifests: string): Promise<string[]> {
  const { startLocalRun } = await import('./manifest-run.js');
  const handle = await startLocalRun(manifests, { once: true });
  await handle.stop();
  return problemsOf(handle.first);
}

/** One round with the AWS provider, its clients made as createProvider makes them, routed to the parent's fake. */
async function awsRound(manifests: string): Promise<string[]> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const [
    { ApiBudget },
    { createAwsClients, destroyAwsClients },
    { AwsProvider },
    { routeClientTo },
    { ManifestRunner },
    { snapshotCertificates },
    { createLogger },
    { testOptions },
  ] = await Promise.all([
    import('../../providers/aws/sdk/budget.js'),
    import('../../providers/aws/sdk/clients.js'),
    import('../../providers/aws/provider.js'),
    import('../../bench/sdk-transport.js'),
    import('../../src/controller/manifest-runner.js'),
    import('../../src/sources/certificate-material.js'),
    import('../../src/observability/logger.js'),
    import('./cluster.js'),
  ]);
  const budget = new ApiBudget();
  const clients = createAwsClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    budget,
    onClient: (service, client) => routeClientTo(service, client, cloudCall, () => 1),
  });
  const runnerRef: { current?: InstanceType<typeof ManifestRunner> } = {};
  const provider = new AwsProvider({
    clusterName: testOptions().clusterName,
    certificates: snapshotCertificates(() => (runnerRef.current as InstanceType<typeof ManifestRunner>).current()),
    clients,
    budget,
    onClose: () => destroyAwsClients(clients),
  });
  const runner = new ManifestRunner({ dir: manifests, provider, translateOptions: () => testOptions({ now: new Date() }), logger: createLogger('silent') });
  runnerRef.current = runner;
  const report = await runner.reconcile();
  await runner.stop();
  await provider.close();
  return problemsOf(report);
}

/**
 * The cluster controller as `run` starts it against a cluster: the flags parsed by the CLI's own
 * definitions and toClusterRunOptions (the kubeconfig loaded, leader election and the admission
 * webhook on), then startKubeRun with the local provider; until the informers synced and the Lease
 * is held, then stopped.
 */
async function clusterRun(kubeconfig: string): Promise<string[]> {
  const [{ Command }, { clusterFlags, observabilityFlags, toClusterRunOptions }, { startKubeRun }, { createLogger }, { testOptions }] = await Promise.all([
    import('commander'),
    import('../../src/config.js'),
    import('../../src/commands/run-cluster.js'),
    import('../../src/observability/logger.js'),
    import('./cluster.js'),
  ]);
  const command = new Command().allowUnknownOption().allowExcessArguments().exitOverride();
  for (const option of [...clusterFlags(), ...observabilityFlags()]) command.addOption(option);
  const loopback = ['--metrics-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0', '--webhook-address', '127.0.0.1:0'];
  command.parse(['--kubeconfig', kubeconfig, '--lease-duration', '3', '--renew-deadline', '2', '--retry-period', '1', ...loopback], { from: 'user' });
  const options = await toClusterRunOptions(command.opts());
  const handle = await startKubeRun({
    ...options,
    provider: 'local',
    providerSettings: {},
    translateOptions: () => testOptions(),
    logger: createLogger('silent'),
  });
  const problems: string[] = [];
  const deadline = Date.now() + 10_000;
  while (!(handle.elector?.isLeader() ?? false) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!handle.controller.synced()) problems.push('the informers did not sync');
  if (!(handle.elector?.isLeader() ?? false)) problems.push('the Lease was not acquired');
  await handle.stop();
  return problems;
}

function roundOf(message: Extract<ToChild, { type: 'start' }>): Promise<string[]> {
  if (message.mode === 'cluster') return clusterRun(message.manifests);
  return message.mode === 'aws' ? awsRound(message.manifests) : localRound(message.manifests);
}

process.on('message', (message: ToChild) => {
  if (message.type === 'answer') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiting?.reject(Object.assign(new Error(message.error.message), message.error));
    else waiting?.resolve(message.output ?? {});
    return;
  }
  roundOf(message).then(
    (problems) => send({ type: 'done', loaded: [...loaded], problems }),
    (error: unknown) => send({ type: 'done', loaded: [...loaded], problems: [error instanceof Error ? (error.stack ?? error.message) : String(error)] }),
  );
});
