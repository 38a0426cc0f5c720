/**
 * The `ingress-bridge` command: `plan`, `run`, `migrate-from-nginx`, `version` (and `--version`). Exit status: 0 success,
 * 1 failure, 2 invalid input or usage. Errors go to stderr, one line each, naming the object and field.
 *
 * Each command's module is imported when the command runs, so `--help` and `--version` load only
 * commander and the flag definitions (the Kubernetes client alone takes most of a second to load).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import {
  awsProviderFlags,
  checkListenAddress,
  clusterFlags,
  flag,
  gcpProviderFlags,
  localProviderFlags,
  manifestFlags,
  observabilityFlags,
  toClusterRunOptions,
  toMaxManifestBytes,
  toProviderSettings,
  toTranslateOptions,
  translationFlags,
  type RunFlagValues,
} from './config.js';
import type { TranslateOptions } from './translate/options.js';
import type { KubeClient } from './sources/kube-http.js';
import { createLogger, defaultLogFormat, type LogFormat, type LogLevel } from './observability/logger.js';
import { ConfigError, ProviderLoadError } from './errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

/** package.json is one directory above src/cli.ts, and two above the built dist/src/cli.js. */
function packageVersion(): string {
  const manifestUrl = ['../package.json', '../../package.json'].map((relative) => new URL(relative, import.meta.url)).find((url) => existsSync(url));
  if (!manifestUrl) throw new Error(`package.json not found above ${import.meta.url}`);
  const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { version: string };
  return manifest.version;
}

/** Resolves on SIGINT or SIGTERM: the caller then finishes the work in flight and exits. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Where a flag's value came from: only a flag given (or set in the environment) turns an optional server on. */
function given(command: Command, attribute: string): boolean {
  const source = command.getOptionValueSource(attribute);
  return source === 'cli' || source === 'env';
}

/** A Kubernetes client for a one-off command (migrate-from-nginx): loaded only when a kubeconfig is given. */
async function clusterClient(kubeconfig: string, context: string | undefined): Promise<KubeClient> {
  const [{ loadKubeConnection }, { KubeClient: Client }] = await Promise.all([import('./sources/kube-config.js'), import('./sources/kube-http.js')]);
  return new Client(loadKubeConnection({ kubeconfig, ...(context ? { context } : {}) }));
}

/** The command-line definition; `setExit` receives the exit status an action decides. Exported so tests can check flags against it. */
export function buildProgram(setExit: (code: number) => void): Command {
  const version = packageVersion();
  const program = new Command('ingress-bridge')
    .description("Makes a cloud HTTP load balancer serve a cluster's Ingresses")
    .version(`ingress-bridge ${version}`, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError(false);

  const plan = program
    .command('plan')
    .description('show what would be built from the manifests, without touching any cloud')
    .addOption(flag('--manifests <dir>', 'directory of Ingress, Service, EndpointSlice, Node, Secret and IngressClass YAML').makeOptionMandatory())
    .addOption(
      flag('--output <format>', "text for people, json in the provider's API field names, mermaid: each load balancer's routing as a flowchart in Markdown")
        .choices(['text', 'json', 'mermaid'])
        .default('text'),
    )
    .addOption(
      flag('--provider <name>', "whose load balancer to plan: aws (an ALB, JSON in ELBv2's field names), local, or a provider module specifier").default('aws'),
    )
    .addOption(flag('--live', 'diff against what the provider finds in the cloud (read-only; needs its credentials and the AWS flags below)'));
  for (const option of [...manifestFlags(), ...translationFlags(), ...awsProviderFlags()]) plan.addOption(option);
  for (const option of gcpProviderFlags()) plan.addOption(option);
  plan.action(async (values: RunFlagValues & { manifests: string; output: 'text' | 'json' | 'mermaid'; live?: boolean }) => {
    const { runPlan } = await import('./commands/plan.js');
    const outcome = await runPlan({
      manifests: values.manifests,
      output: values.output,
      provider: values.provider,
      translate: toTranslateOptions(values, new Date()),
      live: values.live === true,
      providerSettings: toProviderSettings(values),
      maxFileBytes: toMaxManifestBytes(values.maxManifestBytes),
    });
    process.stdout.write(outcome.stdout);
    if (outcome.stderr) process.stderr.write(outcome.stderr);
    setExit(outcome.hasErrors ? EXIT_INVALID : EXIT_OK);
  });

  const run = program
    .command('run')
    .description("reconcile load balancers with a cluster's Ingresses (or with --manifests DIR), and keep them in step")
    .addOption(flag('--manifests <dir>', 'serve a directory of manifests instead of a cluster (watched for changes)'))
    .addOption(flag('--provider <name>', 'local (a load balancer on this machine), aws, gcp, or a provider module specifier').default('local'))
    .addOption(flag('--once', 'with --manifests: reconcile once, print the result and exit'));
  for (const option of [...manifestFlags(), ...translationFlags(), ...observabilityFlags(), ...clusterFlags(), ...localProviderFlags(), ...awsProviderFlags()])
    run.addOption(option);
  for (const option of gcpProviderFlags()) run.addOption(option);
  run.action(async (values: RunFlagValues, command: Command) => {
    const translateOptions = (): TranslateOptions => toTranslateOptions(values, new Date());
    translateOptions();
    const providerSettings = toProviderSettings(values);
    const maxFileBytes = toMaxManifestBytes(values.maxManifestBytes);
    const logger = createLogger(values.logLevel as LogLevel, (values.logFormat as LogFormat | undefined) ?? defaultLogFormat());
    if (!values.manifests) {
      const [{ startKubeRun }, clusterOptions] = await Promise.all([import('./commands/run-cluster.js'), toClusterRunOptions(values)]);
      const handle = await startKubeRun({ ...clusterOptions, provider: values.provider, providerSettings, translateOptions, logger });
      await untilSignal();
      await handle.stop();
      return;
    }
    // Against a directory the endpoints are optional: `npm start` must not fail because :9090 is taken.
    const metricsAddress = given(command, 'metricsAddress') ? checkListenAddress(values.metricsAddress, '--metrics-address') : undefined;
    const healthAddress = given(command, 'healthAddress') ? checkListenAddress(values.healthAddress, '--health-address') : undefined;
    const { startRun } = await import('./commands/run-manifests.js');
    const handle = await startRun({
      manifests: values.manifests,
      provider: values.provider,
      providerSettings,
      once: values.once === true,
      translateOptions,
      logger,
      print: (text) => process.stdout.write(text),
      maxFileBytes,
      ...(metricsAddress !== undefined && { metricsAddress }),
      ...(healthAddress !== undefined && { healthAddress }),
    });
    if (values.once) {
      await handle.stop();
      const hasErrors = [...handle.first.diagnostics, ...handle.first.outcomes.flatMap((outcome) => outcome.diagnostics)].some(
        (entry) => entry.severity === 'error',
      );
      setExit(handle.first.failed ? EXIT_FAILURE : hasErrors ? EXIT_INVALID : EXIT_OK);
      return;
    }
    await untilSignal();
    await handle.stop();
  });

  const migrate = program
    .command('migrate-from-nginx')
    .description(
      "report what an ingress-nginx estate becomes on the load balancer, Ingress by Ingress (the same, different, not supported, not served); --write converts it to ingress-bridge's own annotations",
    )
    .addOption(flag('--manifests <dir>', 'directory of the Ingress (and IngressClass, Service) YAML'))
    .addOption(flag('--kubeconfig <file>', "read the cluster's Ingresses instead (list calls only)"))
    .addOption(flag('--context <name>', 'kubeconfig context'))
    .addOption(flag('--write <dir>', "write each Ingress that would be served, in ingress-bridge's own annotations and class, to this directory"));
  for (const option of [...manifestFlags(), ...translationFlags()]) {
    // Here the class to read is ingress-nginx's; the written Ingresses name ours.
    migrate.addOption(option.long === '--ingress-class' ? option.default('nginx') : option);
  }
  migrate.action(async (values: RunFlagValues & { manifests?: string; write?: string }) => {
    if ((values.manifests === undefined) === (values.kubeconfig === undefined))
      throw new ConfigError('migrate-from-nginx reads either --manifests DIR or --kubeconfig FILE');
    const { runMigrateFromNginx } = await import('./commands/migrate-from-nginx.js');
    const client = values.kubeconfig === undefined ? undefined : await clusterClient(values.kubeconfig, values.context);
    const outcome = await runMigrateFromNginx({
      ...(values.manifests !== undefined && { manifests: values.manifests }),
      ...(client && { client }),
      ...(values.write !== undefined && { write: values.write }),
      translate: toTranslateOptions(values, new Date()),
      writtenClass: 'ingress-bridge',
      maxFileBytes: toMaxManifestBytes(values.maxManifestBytes),
    }).finally(() => client?.close());
    process.stdout.write(outcome.stdout);
    if (outcome.stderr) process.stderr.write(outcome.stderr);
    setExit(outcome.hasErrors ? EXIT_INVALID : EXIT_OK);
  });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`ingress-bridge ${version}\n`);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    }
    if (error instanceof ConfigError || error instanceof ProviderLoadError) {
      process.stderr.write(`ingress-bridge: ${error.message}\n`);
      return EXIT_INVALID;
    }
    process.stderr.write(`ingress-bridge: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
