/**
 * The `ingress-bridge` command: `plan`, `run`, `version`. Exit status: 0 success, 1 failure, 2 invalid
 * input or usage. Errors go to stderr, one line each, naming the object and field.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import {
  clusterFlags,
  flag,
  providerFlags,
  toClusterRunOptions,
  toProviderSettings,
  toTranslateOptions,
  translationFlags,
  type RunFlagValues,
} from './config.js';
import { startKubeRun } from './commands/run-cluster.js';
import { startRun } from './commands/run-manifests.js';
import type { TranslateOptions } from './translate/index.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './observability/logger.js';
import { runPlan } from './commands/plan.js';
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

/** The command-line definition; `setExit` receives the exit status an action decides. Exported so tests can check flags against it. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('ingress-bridge')
    .description('Makes a cloud HTTP load balancer serve a cluster\'s Ingresses')
    .exitOverride()
    .showHelpAfterError(false);

  const plan = program
    .command('plan')
    .description('show what would be built from the manifests, without touching any cloud')
    .addOption(flag('--manifests <dir>', 'directory of Ingress, Service, EndpointSlice, Node, Secret and IngressClass YAML').makeOptionMandatory())
    .addOption(flag('--output <format>', 'text for people, json in the cloud API\'s field names').choices(['text', 'json']).default('text'))
    .addOption(flag('--provider <name>', 'aws, or a provider module specifier; decides the JSON shape').default('aws'))
    .addOption(flag('--live', 'diff against what the provider finds in the cloud (read-only; needs its credentials)'));
  for (const option of [...translationFlags(), ...providerFlags()]) plan.addOption(option);
  plan.action(async (values: RunFlagValues & { manifests: string; output: 'text' | 'json'; live?: boolean }) => {
    const outcome = await runPlan({
      manifests: values.manifests,
      output: values.output,
      provider: values.provider,
      translate: toTranslateOptions(values, new Date()),
      live: values.live === true,
      providerSettings: toProviderSettings(values),
    });
    process.stdout.write(outcome.stdout);
    if (outcome.stderr) process.stderr.write(outcome.stderr);
    setExit(outcome.hasErrors ? EXIT_INVALID : EXIT_OK);
  });

  const run = program
    .command('run')
    .description('reconcile load balancers with a cluster\'s Ingresses (or with --manifests DIR), and keep them in step')
    .addOption(flag('--manifests <dir>', 'serve a directory of manifests instead of a cluster (watched for changes)'))
    .addOption(flag('--provider <name>', 'local (a load balancer on this machine), aws, or a provider module specifier').default('local'))
    .addOption(flag('--once', 'with --manifests: reconcile once, print the result and exit'))
    .addOption(flag('--log-level <level>', 'log level (logs are JSON on stderr)').choices([...LOG_LEVELS]).default('info'));
  for (const option of [...translationFlags(), ...clusterFlags(), ...providerFlags()]) run.addOption(option);
  run.action(async (values: RunFlagValues) => {
    const translateOptions = (): TranslateOptions => toTranslateOptions(values, new Date());
    translateOptions();
    const logger = createLogger(values.logLevel as LogLevel);
    const providerSettings = toProviderSettings(values);
    if (!values.manifests) {
      const handle = await startKubeRun({ ...toClusterRunOptions(values), provider: values.provider, providerSettings, translateOptions, logger });
      await untilSignal();
      await handle.stop();
      return;
    }
    const handle = await startRun({
      manifests: values.manifests,
      provider: values.provider,
      providerSettings,
      once: values.once === true,
      translateOptions,
      logger,
      print: (text) => process.stdout.write(text),
    });
    if (values.once) {
      await handle.stop();
      const hasErrors = [...handle.first.diagnostics, ...handle.first.outcomes.flatMap((outcome) => outcome.diagnostics)].some((entry) => entry.severity === 'error');
      setExit(handle.first.failed ? EXIT_FAILURE : hasErrors ? EXIT_INVALID : EXIT_OK);
      return;
    }
    await untilSignal();
    await handle.stop();
  });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`ingress-bridge ${packageVersion()}\n`);
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

