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

export type ChildMode = 'local' | 'aws';

export type ToChild =
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

process.on('message', (message: ToChild) => {
  if (message.type === 'answer') {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiting?.reject(Object.assign(new Error(message.error.message), message.error));
    else waiting?.resolve(message.output ?? {});
    return;
  }
  const round = message.mode === 'aws' ? awsRound(message.manifests) : localRound(message.manifests);
  round.then(
    (problems) => send({ type: 'done', loaded: [...loaded], problems }),
    (error: unknown) => send({ type: 'done', loaded: [...loaded], problems: [error instanceof Error ? (error.stack ?? error.message) : String(error)] }),
  );
});
