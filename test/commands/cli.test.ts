/**
 * The command line a newcomer meets (issue 13): `--version`, each command's help listing its own
 * flags, the flags other modules had no way to receive, and a taken port as a one-line usage error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../src/cli.js';
import { toProviderSettings, toTranslateOptions, type RunFlagValues } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES } from '../../src/sources/manifests.js';
import { parseRunArgs } from '../support/deploy-manifests.js';
import { INGRESS_CLASS_YAML, ingressYaml } from '../support/cluster.js';

const BIN = new URL('../../bin/ingress-bridge.js', import.meta.url).pathname;
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INGRESS_BRIDGE_')));

/** Parses `args` as the binary would, and returns what it wrote; actions do not run past a help or version. */
async function output(args: string[]): Promise<{ out: string; exitCode: number }> {
  const program = buildProgram(() => undefined);
  let out = '';
  const capture = (command: Command): void => {
    command.configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (out += text) });
    for (const sub of command.commands) capture(sub);
  };
  capture(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, exitCode: 0 };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { out, exitCode: error.exitCode };
  }
}

function longFlags(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1] ?? '').sort();
}

describe('ingress-bridge --version and --help', () => {
  it('prints the version for --version and -V, as the version command does', async () => {
    for (const flag of ['--version', '-V']) {
      const { out, exitCode } = await output([flag]);
      assert.equal(exitCode, 0);
      assert.match(out, /^ingress-bridge \d+\.\d+\.\d+\n$/);
    }
  });

  it("lists only plan's own flags under plan --help, with plan's default provider stated", async () => {
    const { out } = await output(['plan', '--help']);
    const flags = longFlags(out);
    for (const own of [
      '--manifests',
      '--output',
      '--provider',
      '--live',
      '--max-manifest-bytes',
      '--cluster-name',
      '--allow-cross-namespace-groups',
      '--region',
    ])
      assert.ok(flags.includes(own), `${own} in ${flags.join(' ')}`);
    for (const runOnly of [
      '--http-port',
      '--https-port',
      '--listen-address',
      '--max-connections',
      '--once',
      '--log-level',
      '--log-format',
      '--metrics-address',
      '--kubeconfig',
      '--lease-duration',
    ]) {
      assert.ok(!flags.includes(runOnly), `${runOnly} is not a plan flag`);
    }
    assert.match(out, /--provider <name> +whose load balancer to plan: aws \(an ALB[^\n]*default: "aws"/);
  });

  it("lists run's flags under run --help in groups by mode, with run's default provider", async () => {
    const { out } = await output(['run', '--help']);
    const flags = longFlags(out);
    for (const flag of [
      '--manifests',
      '--once',
      '--http-port',
      '--https-port',
      '--max-connections',
      '--max-connections-per-listener',
      '--headers-timeout',
      '--request-timeout',
      '--client-idle-timeout',
      '--max-manifest-bytes',
      '--allow-cross-namespace-groups',
      '--log-format',
      '--metrics-address',
      '--health-address',
      '--kubeconfig',
    ]) {
      assert.ok(flags.includes(flag), `${flag} in ${flags.join(' ')}`);
    }
    assert.ok(!flags.includes('--live') && !flags.includes('--output'), 'plan-only flags stay with plan');
    assert.match(out, /--provider <name> +local \(a load balancer on this machine\)[^\n]*default: "local"/);
    for (const heading of [
      'Translation:',
      'Against a cluster (without --manifests):',
      'Logs, metrics and health:',
      'Local provider (--provider local):',
      'AWS provider (--provider aws):',
    ])
      assert.ok(out.includes(`\n${heading}\n`), heading);
  });
});

describe('flags that reach the modules', () => {
  const base = async (...args: string[]): Promise<RunFlagValues> => {
    const parsed = await parseRunArgs(['run', '--manifests', 'x', ...args]);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    return parsed.values;
  };

  it("turns the local provider's limits into its settings, seconds into milliseconds", async () => {
    const values = await base(
      '--max-connections',
      '100',
      '--max-connections-per-listener',
      '50',
      '--headers-timeout',
      '5',
      '--request-timeout',
      '30',
      '--client-idle-timeout',
      '7',
    );
    const settings = toProviderSettings(values);
    assert.deepEqual(
      {
        maxConnections: settings.maxConnections,
        maxConnectionsPerListener: settings.maxConnectionsPerListener,
        headersTimeoutMs: settings.headersTimeoutMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        clientIdleTimeoutMs: settings.clientIdleTimeoutMs,
      },
      { maxConnections: 100, maxConnectionsPerListener: 50, headersTimeoutMs: 5000, requestTimeoutMs: 30_000, clientIdleTimeoutMs: 7000 },
    );
  });

  it("leaves a limit not given to the provider's own default", async () => {
    const settings = toProviderSettings(await base());
    for (const key of ['maxConnections', 'maxConnectionsPerListener', 'headersTimeoutMs', 'requestTimeoutMs', 'clientIdleTimeoutMs'])
      assert.equal(key in settings, false, key);
    assert.equal(settings.httpPort, 8080);
  });

  it('refuses a headers timeout longer than the request timeout, and a limit that is not a count, naming the flags', () => {
    assert.throws(
      () => toProviderSettings({ headersTimeout: '400' }),
      (error: unknown) => error instanceof ConfigError && /--headers-timeout \(400 s\) must not be longer than --request-timeout \(300 s\)/.test(error.message),
    );
    assert.throws(
      () => toProviderSettings({ maxConnections: 'many' }),
      (error: unknown) => error instanceof ConfigError && /--max-connections "many"/.test(error.message),
    );
  });

  it('reads --max-manifest-bytes and --allow-cross-namespace-groups, and each from INGRESS_BRIDGE_<FLAG>', async () => {
    const defaults = await base();
    assert.equal(defaults.maxManifestBytes, String(DEFAULT_MAX_MANIFEST_FILE_BYTES));
    assert.equal(toTranslateOptions(defaults, new Date()).allowCrossNamespaceGroups, false, 'off unless asked: a trust decision');
    const given = await base('--max-manifest-bytes', '4096', '--allow-cross-namespace-groups');
    assert.equal(given.maxManifestBytes, '4096');
    assert.equal(toTranslateOptions(given, new Date()).allowCrossNamespaceGroups, true);
    process.env.INGRESS_BRIDGE_MAX_MANIFEST_BYTES = '2048';
    process.env.INGRESS_BRIDGE_MAX_CONNECTIONS = '12';
    try {
      const fromEnvironment = await base();
      assert.equal(fromEnvironment.maxManifestBytes, '2048');
      assert.equal(toProviderSettings(fromEnvironment).maxConnections, 12);
    } finally {
      delete process.env.INGRESS_BRIDGE_MAX_MANIFEST_BYTES;
      delete process.env.INGRESS_BRIDGE_MAX_CONNECTIONS;
    }
  });
});

describe('run --manifests with its HTTP port taken', () => {
  let dir = '';
  let holder: Server;
  let port = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-port-'));
    await writeFile(
      join(dir, 'web.yaml'),
      INGRESS_CLASS_YAML + ingressYaml({ name: 'web', rules: [{ host: 'web.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }] }),
    );
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((resolve) => holder.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 with one line naming the port and --http-port, and serves nothing', () => {
    const result = spawnSync(process.execPath, [BIN, 'run', '--manifests', dir, '--http-port', String(port), '--https-port', '0', '--log-level', 'info'], {
      encoding: 'utf8',
      env: CLEAN_ENV,
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [
      `ingress-bridge: cannot listen on 127.0.0.1:${port} (spec port 80): address already in use (EADDRINUSE); choose a free port with --http-port`,
    ]);
    assert.equal(result.stdout, '', 'no table that promises an address which does not answer');
  });

  it('exits 2 naming --metrics-address when that address is taken', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'run', '--manifests', dir, '--http-port', '0', '--https-port', '0', '--metrics-address', `127.0.0.1:${port}`],
      { encoding: 'utf8', env: CLEAN_ENV, timeout: 60_000 },
    );
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`^ingress-bridge: cannot serve on --metrics-address 127\\.0\\.0\\.1:${port}: the address is already in use \\(EADDRINUSE\\)`),
    );
  });
});
