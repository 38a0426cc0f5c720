/**
 * Flags and environment → validated configuration, in one place. Every flag can also be set by an
 * environment variable INGRESS_BRIDGE_<FLAG> (upper case, `-` → `_`).
 *
 * This module is on the path of `--help` and `--version`, so it imports nothing heavy: the
 * Kubernetes client and the leader elector are imported only when a cluster run needs them.
 * @module
 */
import { Option } from 'commander';
import type { Scheme, TargetType } from './model.js';
import { parseListenAddress } from './observability/health.js';
import { LOG_FORMATS, LOG_LEVELS } from './observability/logger.js';
import { ConfigError } from './errors.js';
import { DEFAULT_ALB_LIMITS } from './limits.js';
import { DEFAULT_MAX_MANIFEST_FILE_BYTES } from './sources/manifest-files.js';
import { defaultTranslateOptions, type TranslateOptions } from './translate/options.js';

export function envName(flag: string): string {
  return `INGRESS_BRIDGE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** A commander Option that also reads INGRESS_BRIDGE_<FLAG>. */
export function flag(flags: string, description: string): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  return new Option(flags, description).env(envName(long));
}

/** Headings of the flag groups in `--help`, so a reader finds the flags of their mode. */
export const HELP_GROUPS = {
  translation: 'Translation:',
  cluster: 'Against a cluster (without --manifests):',
  observability: 'Logs, metrics and health:',
  local: 'Local provider (--provider local):',
  aws: 'AWS provider (--provider aws):',
  gcp: 'GCP provider (--provider gcp):',
} as const;

function grouped(heading: string, options: Option[]): Option[] {
  return options.map((option) => option.helpGroup(heading));
}

/** The options common to every command that translates Ingresses. */
export function translationFlags(): Option[] {
  return grouped(HELP_GROUPS.translation, [
    flag('--cluster-name <name>', 'cluster name: goes into resource names and ownership tags').default('ingress-bridge'),
    flag(
      '--ingress-class <name>',
      "the IngressClass this controller serves; a comma-separated list names several, and a class named here is served whatever controller its IngressClass names (e.g. nginx: ingress-nginx's Ingresses, their nginx.ingress.kubernetes.io/ annotations read)",
    ).default('ingress-bridge'),
    flag('--nginx-unsupported <mode>', 'a snippet annotation on an Ingress of the nginx class: warn (served without it) or error (not served)')
      .choices(['warn', 'error'])
      .default('warn'),
    flag('--default-scheme <scheme>', 'scheme when no annotation sets one').choices(['internal', 'internet-facing']).default('internal'),
    flag('--default-target-type <type>', 'target type when no annotation sets one').choices(['instance', 'ip']).default('instance'),
    flag('--rule-limit <n>', 'rules per load balancer (the AWS quota)').default(String(DEFAULT_ALB_LIMITS.rulesPerLoadBalancer)),
    flag(
      '--allow-cross-namespace-groups',
      'let an Ingress of any namespace join any IngressGroup by naming it, as aws-load-balancer-controller does (a trust decision: see docs/security.md; without it only an IngressClassParams admits other namespaces)',
    ),
  ]);
}

/** The options of commands that read a manifest directory. */
export function manifestFlags(): Option[] {
  return [
    flag('--max-manifest-bytes <bytes>', 'manifest files bigger than this are not read (an error names them)').default(String(DEFAULT_MAX_MANIFEST_FILE_BYTES)),
  ];
}

export interface TranslationFlagValues {
  clusterName: string;
  ingressClass: string;
  defaultScheme: string;
  defaultTargetType: string;
  ruleLimit: string;
  allowCrossNamespaceGroups?: boolean;
  nginxUnsupported?: string;
}

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function toTranslateOptions(values: TranslationFlagValues, now: Date): TranslateOptions {
  if (!CLUSTER_NAME.test(values.clusterName)) {
    throw new ConfigError(`--cluster-name "${values.clusterName}" must be 1-128 letters, digits, '.', '_' or '-'`);
  }
  const ruleLimit = Number(values.ruleLimit);
  if (!Number.isInteger(ruleLimit) || ruleLimit < 1) throw new ConfigError(`--rule-limit "${values.ruleLimit}" must be a positive integer`);
  return defaultTranslateOptions({
    clusterName: values.clusterName,
    ingressClass: values.ingressClass,
    defaultScheme: values.defaultScheme as Scheme,
    defaultTargetType: values.defaultTargetType as TargetType,
    limits: { ...DEFAULT_ALB_LIMITS, rulesPerLoadBalancer: ruleLimit },
    now,
    allowCrossNamespaceGroups: values.allowCrossNamespaceGroups === true,
    ...(values.nginxUnsupported === 'error' && { nginxUnsupported: 'error' as const }),
  });
}

export function toMaxManifestBytes(value: string): number {
  return integer(value, '--max-manifest-bytes', 1);
}

/** Flags of `run` against a cluster. */
export function clusterFlags(): Option[] {
  return grouped(HELP_GROUPS.cluster, [
    flag('--kubeconfig <file>', 'kubeconfig file (default: in-cluster, then KUBECONFIG, then ~/.kube/config)'),
    flag('--context <name>', 'kubeconfig context'),
    flag('--watch-namespace <ns>', 'only Ingresses, Services, EndpointSlices and Secrets of this namespace'),
    flag('--namespace <ns>', "the controller's own namespace, where its leader-election Lease lives").default(process.env.POD_NAMESPACE ?? 'ingress-bridge'),
    flag('--no-leader-elect', 'run without leader election (one replica only)'),
    flag('--lease-duration <seconds>', 'leader election: how long a Lease is valid').default('15'),
    flag('--renew-deadline <seconds>', 'leader election: give up leading when a renewal has not succeeded for this long').default('10'),
    flag('--retry-period <seconds>', 'leader election: how often to try to acquire or renew').default('2'),
    flag('--concurrency <n>', 'groups reconciled at once').default('4'),
    flag('--resync-period <seconds>', 'every group is reconciled this often, from what the provider remembers of the cloud').default('600'),
    flag(
      '--full-resync-period <seconds>',
      "every group's cloud state is read in full this often (staggered across groups), to find and repair drift made outside the controller",
    ).default('600'),
    flag('--webhook-address <host:port>', 'HTTPS admission webhook that gives Pods their readiness gates; empty turns it off').default(':9443'),
    flag('--webhook-service <name>', 'the Service the webhook configuration calls; its certificates are kept in the Secret <name>-tls').default(
      'ingress-bridge-webhook',
    ),
    flag('--webhook-namespace <ns>', 'namespace of the webhook Service and its Secret (default: --namespace)'),
    flag('--webhook-configuration <name>', 'the MutatingWebhookConfiguration whose caBundle the controller writes').default('ingress-bridge'),
    flag(
      '--publish-status <boolean>',
      'false: shadow mode — serve, but never write Ingress status, so the address another controller published stays until the cutover',
    )
      .choices(['true', 'false'])
      .default('true'),
  ]);
}

/** Logs, metrics and health, for `run` in both modes. */
export function observabilityFlags(): Option[] {
  return grouped(HELP_GROUPS.observability, [
    flag('--log-level <level>', 'log level (logs go to stderr)')
      .choices([...LOG_LEVELS])
      .default('info'),
    flag('--log-format <format>', 'text for people, json for collectors (default: text when stderr is a terminal, else json)').choices([...LOG_FORMATS]),
    flag('--metrics-address <host:port>', 'Prometheus /metrics (with --manifests: served only when given)').default(':9090'),
    flag('--health-address <host:port>', '/healthz and /readyz (with --manifests: served only when given)').default(':8081'),
  ]);
}

/** The local provider's flags; the defaults of its limits live in providers/local/settings.ts and are repeated here for --help. */
export function localProviderFlags(): Option[] {
  return grouped(HELP_GROUPS.local, [
    flag('--listen-address <ip>', 'address its listeners bind').default('127.0.0.1'),
    flag('--http-port <port>', "port serving the spec's HTTP port 80").default('8080'),
    flag('--https-port <port>', "port serving the spec's HTTPS port 443").default('8443'),
    flag('--listener-ports <pairs>', 'other spec ports served elsewhere, SPEC=LOCAL[,...] (default: each on its own number)'),
    flag('--max-connections <n>', 'client connections open at once over all listeners (default 4096, or half the open-files limit if lower)'),
    flag('--max-connections-per-listener <n>', 'client connections open at once on one listener (default 2048)'),
    flag('--headers-timeout <seconds>', 'a client must have sent its request headers this long after it started (default 20)'),
    flag('--request-timeout <seconds>', 'a client must have sent its whole request, body included, within this long (default 300)'),
    flag('--client-idle-timeout <seconds>', "a keep-alive connection with no request open is closed after this long (default 60, the ALB's)"),
    flag('--mtls-trust-store <file>', 'PEM file of the CA certificates that mutual-authentication verify checks client certificates against'),
    flag('--functions <dir>', 'directory of local Lambda handlers: DIR/<function name>.mjs (or .js) exporting handler(event, context)'),
  ]);
}

/** The AWS provider's flags: `run --provider aws`, and `plan --live`. */
export function awsProviderFlags(): Option[] {
  return grouped(HELP_GROUPS.aws, [
    flag('--region <region>', "the region (default: the SDK's default chain)"),
    flag('--aws-endpoint-url <url>', 'endpoint of an API emulator (AWS_ENDPOINT_URL works too)'),
    flag('--aws-max-attempts <n>', 'attempts per API call, retries included').default('5'),
    flag('--aws-api-share <fraction>', "share of the account's ELB API rate budget this controller may use").default('1'),
    flag('--vpc-id <id>', "VPC of target groups and security groups (default: the subnets' VPC)"),
    flag('--manage-backend-security-group-rules', "add rules to the targets' security groups admitting the load balancer"),
  ]);
}

/** The GCP provider's flags: `run --provider gcp`, and `plan --live`. */
export function gcpProviderFlags(): Option[] {
  return grouped(HELP_GROUPS.gcp, [
    flag('--gcp-project <id>', 'the project of the load balancers (required with --provider gcp)'),
    flag('--gcp-region <region>', 'the region of the regional Application Load Balancers, e.g. us-central1 (required with --provider gcp)'),
    flag('--gcp-network <name>', 'the VPC network of forwarding rules, NEGs and the firewall rule').default('default'),
    flag('--gcp-subnetwork <name>', 'the subnetwork an internal load balancer takes its address from').default('default'),
    flag('--gcp-zone <zone>', "the zone of a target whose EndpointSlice or Node names none of the region's (default: <region>-a)"),
    flag('--gcp-skip-firewall', "do not manage the firewall rule that admits Google's health checks and the proxy-only subnet to the targets"),
    flag('--gcp-endpoint <url>', 'the Compute API endpoint of an emulator (http: endpoints get no credentials)'),
  ]);
}

/** Provider flag values; a command without a provider's flags leaves them undefined. */
export interface ProviderFlagValues {
  listenAddress?: string;
  httpPort?: string;
  httpsPort?: string;
  listenerPorts?: string;
  maxConnections?: string;
  maxConnectionsPerListener?: string;
  headersTimeout?: string;
  requestTimeout?: string;
  clientIdleTimeout?: string;
  mtlsTrustStore?: string;
  functions?: string;
  region?: string;
  awsEndpointUrl?: string;
  awsMaxAttempts?: string;
  awsApiShare?: string;
  vpcId?: string;
  manageBackendSecurityGroupRules?: boolean;
  gcpProject?: string;
  gcpRegion?: string;
  gcpNetwork?: string;
  gcpSubnetwork?: string;
  gcpZone?: string;
  gcpSkipFirewall?: boolean;
  gcpEndpoint?: string;
}

export interface RunFlagValues extends TranslationFlagValues, ProviderFlagValues {
  manifests?: string;
  provider: string;
  once?: boolean;
  maxManifestBytes: string;
  logLevel: string;
  logFormat?: string;
  kubeconfig?: string;
  context?: string;
  watchNamespace?: string;
  namespace: string;
  leaderElect: boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  concurrency: string;
  resyncPeriod: string;
  fullResyncPeriod: string;
  metricsAddress: string;
  healthAddress: string;
  webhookAddress: string;
  webhookService: string;
  webhookNamespace?: string;
  webhookConfiguration: string;
  publishStatus?: string;
}

function integer(value: string, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max)
    throw new ConfigError(`${name} "${value}" must be an integer from ${min} to ${max}`);
  return number;
}

export function toProviderSettings(values: ProviderFlagValues): Record<string, string | number | boolean | undefined> {
  const settings: Record<string, string | number | boolean | undefined> = {
    listenAddress: values.listenAddress,
    region: values.region,
    endpoint: values.awsEndpointUrl,
    vpcId: values.vpcId,
    manageBackendSecurityGroupRules: values.manageBackendSecurityGroupRules === true,
    gcpProject: values.gcpProject,
    gcpRegion: values.gcpRegion,
    gcpNetwork: values.gcpNetwork,
    gcpSubnetwork: values.gcpSubnetwork,
    gcpZone: values.gcpZone,
    gcpManageFirewall: values.gcpSkipFirewall !== true,
    gcpEndpoint: values.gcpEndpoint,
  };
  const optional = (value: string | undefined, read: (text: string) => number): number | undefined => (value === undefined ? undefined : read(value));
  settings.httpPort = optional(values.httpPort, (text) => integer(text, '--http-port', 0, 65535));
  settings.httpsPort = optional(values.httpsPort, (text) => integer(text, '--https-port', 0, 65535));
  settings.listenerPorts = values.listenerPorts;
  settings.maxConnections = optional(values.maxConnections, (text) => integer(text, '--max-connections', 1));
  settings.maxConnectionsPerListener = optional(values.maxConnectionsPerListener, (text) => integer(text, '--max-connections-per-listener', 1));
  settings.headersTimeoutMs = optional(values.headersTimeout, (text) => integer(text, '--headers-timeout', 1) * 1000);
  settings.requestTimeoutMs = optional(values.requestTimeout, (text) => integer(text, '--request-timeout', 1) * 1000);
  settings.clientIdleTimeoutMs = optional(values.clientIdleTimeout, (text) => integer(text, '--client-idle-timeout', 1) * 1000);
  settings.mtlsTrustStore = values.mtlsTrustStore;
  settings.functionsDir = values.functions;
  // The local provider's defaults (providers/local/settings.ts), for a check naming the flags.
  const headers = settings.headersTimeoutMs ?? 20_000;
  const request = settings.requestTimeoutMs ?? 300_000;
  if (headers > request) throw new ConfigError(`--headers-timeout (${headers / 1000} s) must not be longer than --request-timeout (${request / 1000} s)`);
  settings.maxAttempts = optional(values.awsMaxAttempts, (text) => integer(text, '--aws-max-attempts', 1, 20));
  if (values.awsApiShare !== undefined) {
    const share = Number(values.awsApiShare);
    if (!(share > 0 && share <= 1)) throw new ConfigError(`--aws-api-share "${values.awsApiShare}" must be a fraction in (0, 1]`);
    settings.apiShare = share;
  }
  // Unset settings are left out, so each provider applies its own default.
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

export function checkListenAddress(address: string, name: string): string {
  if (!parseListenAddress(address)) throw new ConfigError(`${name} "${address}" must be host:port, :port or [ipv6]:port`);
  return address;
}

/** Cluster-mode settings; loads the kubeconfig, so the Kubernetes client is imported here, not at start-up. */
export async function toClusterRunOptions(values: RunFlagValues) {
  const [{ leaseTimingsProblem }, { loadKubeConnection }] = await Promise.all([import('./controller/leader-election.js'), import('./sources/kube-config.js')]);
  const seconds = (value: string, name: string): number => integer(value, name, 1) * 1000;
  const timings = {
    leaseDurationMs: seconds(values.leaseDuration, '--lease-duration'),
    renewDeadlineMs: seconds(values.renewDeadline, '--renew-deadline'),
    retryPeriodMs: seconds(values.retryPeriod, '--retry-period'),
  };
  const timingProblem = leaseTimingsProblem(timings);
  if (timingProblem) throw new ConfigError(`leader election: ${timingProblem}`);
  checkListenAddress(values.metricsAddress, '--metrics-address');
  checkListenAddress(values.healthAddress, '--health-address');
  const webhookAddress = values.webhookAddress.trim();
  if (webhookAddress !== '') checkListenAddress(webhookAddress, '--webhook-address');
  return {
    connection: loadKubeConnection({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) }),
    namespace: values.namespace,
    ...(values.leaderElect ? { leaderElection: timings } : {}),
    ...(values.watchNamespace ? { watchNamespace: values.watchNamespace } : {}),
    concurrency: integer(values.concurrency, '--concurrency', 1, 64),
    resyncMs: seconds(values.resyncPeriod, '--resync-period'),
    fullResyncMs: seconds(values.fullResyncPeriod, '--full-resync-period'),
    metricsAddress: values.metricsAddress,
    healthAddress: values.healthAddress,
    ...(values.publishStatus === 'false' && { publishStatus: false }),
    ...(webhookAddress !== ''
      ? {
          webhook: {
            address: webhookAddress,
            namespace: values.webhookNamespace ?? values.namespace,
            serviceName: values.webhookService,
            configurationName: values.webhookConfiguration,
          },
        }
      : {}),
  };
}
