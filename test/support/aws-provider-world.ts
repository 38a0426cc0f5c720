/**
 * A world for AWS provider tests: the stateful fake installed behind the real SDK clients, the
 * default network of cluster `test`, providers over it (fresh ones stand for a restarted
 * controller), and specs from Ingress YAML.
 *
 * The fake enforces deploy/iam-policy.json (for cluster `test`) unless given another `iamPolicy`,
 * so every provider test also proves the policy lets the provider do what it does. Resources of
 * someone else are seeded (`fake.seed`), which bypasses IAM.
 * @module
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ListenerSpec, LoadBalancerSpec } from '../../src/model.js';
import type { ApplyResult, CertificateMaterial, OidcClientCredentials, OperationOutcome } from '../../src/provider.js';
import type { AwsPlan } from '../../providers/aws/plan/aws-plan.js';
import { ApiBudget } from '../../providers/aws/sdk/budget.js';
import { type AwsClients, createAwsClients } from '../../providers/aws/sdk/clients.js';
import { AwsProvider } from '../../providers/aws/provider.js';
import type { RetryEvent } from '../../providers/aws/sdk/retry.js';
import type { AwsSettings } from '../../providers/aws/settings.js';
import { RESOURCE_TAG } from '../../providers/aws/plan/tags.js';
import { type AwsFake, createAwsFake, type DeniedCall } from '../../fakes/aws/index.js';
import { type DefaultNetwork, seedDefaultNetwork, testCertificate } from '../../fakes/aws/fixtures.js';
import { listenerSpecFromElbv2 } from './aws-listener-view.js';
import { INGRESS_CLASS_YAML, NODE_YAML, onlySpec, testOptions, tlsSecretYaml, translateYaml } from './cluster.js';

// Nothing here may consult a real credential chain or the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const CLUSTER = 'test';

/** Stands for the cluster name in deploy/iam-policy.json (in the `kubernetes.io/cluster/<name>` tag key). */
export const IAM_POLICY_CLUSTER_PLACEHOLDER = 'CLUSTER_NAME';

/** deploy/iam-policy.json as it is deployed for a cluster: the placeholder replaced by its name. */
export function deployedIamPolicy(clusterName: string = CLUSTER): unknown {
  const text = readFileSync(new URL('../../deploy/iam-policy.json', import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll(IAM_POLICY_CLUSTER_PLACEHOLDER, clusterName));
}

/** The call is rejected with the service's `code`, and the fake recorded one more denied call: that one. */
export async function refusedCall(fake: AwsFake, send: () => Promise<unknown>, code: string): Promise<DeniedCall> {
  const before = fake.deniedCalls().length;
  await assert.rejects(send, (error: unknown) => error instanceof Error && error.name === code);
  const denied = fake.deniedCalls();
  assert.equal(denied.length, before + 1);
  return denied.at(-1) as DeniedCall;
}

/** Tags as the AWS APIs take them. */
export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export interface WorldProviderOptions {
  onOperation?: (outcome: OperationOutcome) => void | Promise<void>;
  material?: Record<string, CertificateMaterial>;
  /** OIDC client credentials by `namespace/name` of their Secret. */
  clientSecrets?: Record<string, OidcClientCredentials>;
  settings?: AwsSettings;
}

export interface AwsWorld {
  fake: AwsFake;
  network: DefaultNetwork;
  retries: RetryEvent[];
  /** The SDK clients the world's providers share, for a provider made elsewhere (the controller's). */
  clients: AwsClients;
  newProvider(options?: WorldProviderOptions): AwsProvider;
  close(): void;
}

export function createAwsWorld(options: Parameters<typeof createAwsFake>[0] = {}): AwsWorld {
  const fake = createAwsFake({ targetsHealthyAfterDescribes: 0, iamPolicy: deployedIamPolicy(CLUSTER), ...options });
  fake.install();
  const network = seedDefaultNetwork(fake, { clusterName: CLUSTER });
  const retries: RetryEvent[] = [];
  const clients = createAwsClients({ region: 'us-east-1', budget: new ApiBudget(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    fake,
    network,
    retries,
    clients,
    newProvider: (providerOptions = {}) =>
      new AwsProvider({
        clusterName: CLUSTER,
        certificates: { get: (namespace, name) => providerOptions.material?.[`${namespace}/${name}`] },
        clientSecrets: { get: (namespace, name) => providerOptions.clientSecrets?.[`${namespace}/${name}`] },
        clients,
        retry: { maxAttempts: 12, sleep: async () => {}, onRetry: (event) => retries.push(event) },
        ...(providerOptions.settings && { settings: providerOptions.settings }),
        ...(providerOptions.onOperation && { onOperation: providerOptions.onOperation }),
      }),
    close: () => fake.restore(),
  };
}

/** One reconcile as the controller runs it; fails the test on any failed operation. */
export async function reconcile(provider: AwsProvider, stackId: string, spec: LoadBalancerSpec | undefined): Promise<{ plan: AwsPlan; result: ApplyResult }> {
  const plan = provider.diff(spec, await provider.observe({ id: stackId }, spec));
  const result = await provider.apply(plan);
  const failed = result.outcomes.filter((outcome) => outcome.error !== undefined);
  assert.deepEqual(
    failed.map((outcome) => `${outcome.operation.action} ${outcome.operation.resource}: ${outcome.error}`),
    [],
  );
  return { plan, result };
}

/** The plan a reconcile would make now, without applying it. */
export async function planNow(provider: AwsProvider, stackId: string, spec: LoadBalancerSpec | undefined): Promise<AwsPlan> {
  return provider.diff(spec, await provider.observe({ id: stackId }, spec));
}

export function actionsOf(plan: AwsPlan): string[] {
  return plan.operations.map((operation) => operation.action);
}

/** The one spec of the YAML (plus our IngressClass and a Node); TLS Secrets are checked against the real clock. */
export function specOf(yaml: string): LoadBalancerSpec {
  return onlySpec(translateYaml(INGRESS_CLASS_YAML + NODE_YAML + yaml, testOptions({ now: new Date() })));
}

/** A kubernetes.io/tls Secret as YAML, and the material a CertificateMaterialSource hands out for it. */
export function tlsSecret(namespace: string, name: string, commonName: string): { yaml: string; material: Record<string, CertificateMaterial> } {
  const certificate = testCertificate({ commonName });
  const yaml = tlsSecretYaml(name, certificate, namespace);
  return {
    yaml,
    material: { [`${namespace}/${name}`]: { certificatePem: certificate.certificatePem, chainPem: '', privateKeyPem: certificate.privateKeyPem } },
  };
}

/** Every resource of the fake that carries a tag of ours (any stack), as `kind:id`. */
export function ownedResources(fake: AwsFake): string[] {
  const owned = (id: string): boolean => Object.keys(fake.state.tagsOf(id)).some((key) => key.startsWith('ingress-bridge.io/'));
  const lbs = fake.state.loadBalancers();
  return [
    ...lbs.filter((lb) => owned(lb.arn)).map((lb) => `lb:${lb.name}`),
    ...lbs
      .flatMap((lb) => fake.state.listeners(lb.arn))
      .filter((listener) => owned(listener.arn))
      .map((listener) => `listener:${listener.port}`),
    ...fake.state
      .targetGroups()
      .filter((group) => owned(group.arn))
      .map((group) => `tg:${group.name}`),
    ...fake.state
      .certificates()
      .filter((certificate) => owned(certificate.arn))
      .map((certificate) => `certificate:${certificate.domainName}`),
    ...fake.state
      .securityGroups()
      .filter((group) => owned(group.id))
      .map((group) => `sg:${group.name}`),
  ].sort();
}

/** The listener on `port` of the stack's load balancer as a ListenerSpec, for the ALB evaluator. */
export function liveListener(fake: AwsFake, loadBalancerName: string, port: number): ListenerSpec | undefined {
  const lb = fake.state.loadBalancers().find((candidate) => candidate.name === loadBalancerName);
  const listener = lb && fake.state.listeners(lb.arn).find((candidate) => candidate.port === port);
  if (!listener) return undefined;
  const keyOfArn = (arn: string): string => fake.state.tagsOf(arn)[RESOURCE_TAG]?.replace(/^TargetGroup\//, '') ?? arn;
  return listenerSpecFromElbv2({ port, protocol: listener.protocol, defaultActions: listener.defaultActions, rules: fake.state.rules(listener.arn) }, keyOfArn);
}

/** The ids of the targets registered in every target group of the fake, sorted. */
export function registeredTargets(fake: AwsFake): string[] {
  return fake.state
    .targetGroups()
    .flatMap((group) => fake.state.targets(group.arn))
    .map((target) => target.id)
    .sort();
}

/** The ids of the targets registered in the first target group whose name contains `service`, sorted (none if there is no such group). */
export function serviceTargets(fake: AwsFake, service: string): string[] {
  const group = fake.state.targetGroups().find((candidate) => candidate.name.includes(service));
  return fake.state
    .targets(group?.arn ?? '')
    .map((target) => target.id)
    .sort();
}

/** The actions of every call the fake received since its last reset, but those in `except`, sorted. */
export function callActions(fake: AwsFake, except: readonly string[] = []): string[] {
  return fake
    .calls()
    .map((call) => call.action)
    .filter((action) => !except.includes(action))
    .sort();
}
