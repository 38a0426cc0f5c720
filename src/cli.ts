/**
 * The `ingress-bridge` command: `plan`, `version`. Exit status: 0 success, 1 failure, 2 invalid
 * input or usage. Errors go to stderr, one line each, naming the object and field.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, flag, toTranslateOptions, translationFlags, type TranslationFlagValues } from './config.js';
import { runPlan } from './plan/command.js';
import { ProviderLoadError } from './provider.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('ingress-bridge')
    .description('Makes a cloud HTTP load balancer serve a cluster\'s Ingresses')
    .exitOverride()
    .showHelpAfterError(false);

  const plan = program
    .command('plan')
    .description('show what would be built from the manifests, without touching any cloud')
    .addOption(flag('--manifests <dir>', 'directory of Ingress, Service, EndpointSlice, Node, Secret and IngressClass YAML').makeOptionMandatory())
    .addOption(flag('--output <format>', 'text for people, json in the cloud API\'s field names').choices(['text', 'json']).default('text'))
    .addOption(flag('--provider <name>', 'aws, or a provider module specifier; decides the JSON shape').default('aws'));
  for (const option of translationFlags()) plan.addOption(option);
  plan.action(async (values: TranslationFlagValues & { manifests: string; output: 'text' | 'json'; provider: string }) => {
    const outcome = await runPlan({
      manifests: values.manifests,
      output: values.output,
      provider: values.provider,
      translate: toTranslateOptions(values, new Date()),
    });
    process.stdout.write(outcome.stdout);
    if (outcome.stderr) process.stderr.write(outcome.stderr);
    setExit(outcome.hasErrors ? EXIT_INVALID : EXIT_OK);
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

