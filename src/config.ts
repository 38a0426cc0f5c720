/**
 * Flags and environment → validated configuration, in one place. Every flag can also be set by an
 * environment variable INGRESS_BRIDGE_<FLAG> (upper case, `-` → `_`).
 * @module
 */
import { Option } from 'commander';
import type { Scheme, TargetType } from './model.js';
import { leaseTimingsProblem } from './controller/leader-election.js';
import { parseListenAddress } from './observability/health.js';
import { loadKubeConfig } from './sources/kube-config.js';
import { ConfigError } from './errors.js';
import { DEFAULT_ALB_LIMITS } from './limits.js';
import { defaultTranslateOptions, type TranslateOptions } from './translate/index.js';

export function envName(flag: string): string {
  return `INGRESS_BRIDGE_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** A commander Option that also reads INGRESS_BRIDGE_<FLAG>. */
export function flag(flags: string, description: string): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)?.[1] ?? '';
  return new Option(flags, description).env(envName(long));
}

/** The options common to every command that translates Ingresses. */
export function translationFlags(): Option[] {
  return [
    flag('--cluster-name <name>', 'cluster name: goes into resource names and ownership tags').default('ingress-bridge'),
    flag('--ingress-class <name>', 'the IngressClass this controller serves').default('ingress-bridge'),
    flag('--default-scheme <scheme>', 'scheme when no annotation sets one').choices(['internal', 'internet-facing']).default('internal'),
    flag('--default-target-type <type>', 'target type when no annotation sets one').choices(['instance', 'ip']).default('instance'),
    flag('--rule-limit <n>', 'rules per load balancer (the AWS quota, default 100)').default(String(DEFAULT_ALB_LIMITS.rulesPerLoadBalancer)),
  ];
}

export interface TranslationFlagValues {
  clusterName: string;
  ingressClass: string;
  defaultScheme: string;
  defaultTargetType: string;
  ruleLimit: string;
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
  });
}

/** Flags of `run` against a cluster. */
export function clusterFlags(): Option[] {
  return [
    flag('--kubeconfig <file>', 'kubeconfig file (default: in-cluster, then KUBECONFIG, then ~/.kube/config)'),
    flag('--context <name>', 'kubeconfig context'),
    flag('--watch-namespace <ns>', 'only Ingresses, Services, EndpointSlices and Secrets of this namespace'),
    flag('--namespace <ns>', 'the controller\'s own namespace, where its leader-election Lease lives').default(process.env.POD_NAMESPACE ?? 'ingress-bridge'),
    flag('--no-leader-elect', 'run without leader election (one replica only)'),
    flag('--lease-duration <seconds>', 'leader election: how long a Lease is valid').default('15'),
    flag('--renew-deadline <seconds>', 'leader election: give up leading when a renewal has not succeeded for this long').default('10'),
    flag('--retry-period <seconds>', 'leader election: how often to try to acquire or renew').default('2'),
    flag('--concurrency <n>', 'groups reconciled at once').default('4'),
    flag('--resync-period <seconds>', 'every group is reconciled this often to repair drift').default('600'),
    flag('--metrics-address <host:port>', 'Prometheus /metrics').default(':9090'),
    flag('--health-address <host:port>', '/healthz and /readyz').default(':8081'),
  ];
}

/** Provider flags; each provider reads the settings it knows. */
export function providerFlags(): Option[] {
  return [
    flag('--listen-address <ip>', 'local provider: address its listeners bind').default('127.0.0.1'),
    flag('--http-port <port>', 'local provider: port serving the spec\'s HTTP port 80').default('8080'),
    flag('--https-port <port>', 'local provider: port serving the spec\'s HTTPS port 443').default('8443'),
    flag('--region <region>', 'aws: the region (default: the SDK\'s default chain)'),
    flag('--aws-endpoint-url <url>', 'aws: endpoint of an API emulator (AWS_ENDPOINT_URL works too)'),
    flag('--aws-max-attempts <n>', 'aws: attempts per API call, retries included').default('5'),
    flag('--aws-api-share <fraction>', 'aws: share of the account\'s ELB API rate budget this controller may use').default('1'),
    flag('--vpc-id <id>', 'aws: VPC of target groups and security groups (default: the subnets\' VPC)'),
    flag('--manage-backend-security-group-rules', 'aws: add rules to the targets\' security groups admitting the load balancer'),
  ];
}

export interface RunFlagValues extends TranslationFlagValues {
  manifests?: string;
  provider: string;
  once?: boolean;
  logLevel: string;
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
  metricsAddress: string;
  healthAddress: string;
  listenAddress: string;
  httpPort: string;
  httpsPort: string;
  region?: string;
  awsEndpointUrl?: string;
  awsMaxAttempts: string;
  awsApiShare: string;
  vpcId?: string;
  manageBackendSecurityGroupRules?: boolean;
}

function integer(value: string, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new ConfigError(`${name} "${value}" must be an integer from ${min} to ${max}`);
  return number;
}

export function toProviderSettings(values: RunFlagValues): Record<string, string | number | boolean | undefined> {
  const share = Number(values.awsApiShare);
  if (!(share > 0 && share <= 1)) throw new ConfigError(`--aws-api-share "${values.awsApiShare}" must be a fraction in (0, 1]`);
  return {
    listenAddress: values.listenAddress,
    httpPort: integer(values.httpPort, '--http-port', 0, 65535),
    httpsPort: integer(values.httpsPort, '--https-port', 0, 65535),
    region: values.region,
    endpoint: values.awsEndpointUrl,
    maxAttempts: integer(values.awsMaxAttempts, '--aws-max-attempts', 1, 20),
    apiShare: share,
    vpcId: values.vpcId,
    manageBackendSecurityGroupRules: values.manageBackendSecurityGroupRules === true,
  };
}

export function toClusterRunOptions(values: RunFlagValues) {
  const seconds = (value: string, name: string): number => integer(value, name, 1) * 1000;
  const timings = { leaseDurationMs: seconds(values.leaseDuration, '--lease-duration'), renewDeadlineMs: seconds(values.renewDeadline, '--renew-deadline'), retryPeriodMs: seconds(values.retryPeriod, '--retry-period') };
  const timingProblem = leaseTimingsProblem(timings);
  if (timingProblem) throw new ConfigError(`leader election: ${timingProblem}`);
  for (const [name, address] of [['--metrics-address', values.metricsAddress], ['--health-address', values.healthAddress]] as const) {
    if (!parseListenAddress(address)) throw new ConfigError(`${name} "${address}" must be host:port, :port or [ipv6]:port`);
  }
  return {
    kubeConfig: loadKubeConfig({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) }),
    namespace: values.namespace,
    ...(values.leaderElect ? { leaderElection: timings } : {}),
    ...(values.watchNamespace ? { watchNamespace: values.watchNamespace } : {}),
    concurrency: integer(values.concurrency, '--concurrency', 1, 64),
    resyncMs: seconds(values.resyncPeriod, '--resync-period'),
    metricsAddress: values.metricsAddress,
    healthAddress: values.healthAddress,
  };
}
