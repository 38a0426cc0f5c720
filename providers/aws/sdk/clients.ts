/**
 * The AWS SDK clients the provider talks through, each wired to the shared API budget and to a
 * per-call report (for metrics and the per-reconcile log line).
 *
 * Region and credentials come from the SDK's default chains unless given. Without `endpoint` (the
 * `--aws-endpoint-url` flag) the SDK itself reads AWS_ENDPOINT_URL, or the per-service
 * AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, AWS_ENDPOINT_URL_ACM, AWS_ENDPOINT_URL_EC2 and
 * AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API (@smithy/core endpoints, getEndpointFromConfig;
 * test/aws-clients.test.ts checks the first), so emulators work without the flag too.
 *
 * Shield Advanced has one API endpoint, in us-east-1, whatever the load balancer's Region (AWS
 * Shield Advanced API reference, "Endpoints"), so its client is pinned there.
 *
 * ACM serves only TLS (certificates imported from Secrets or discovered), WAFv2 and Shield only
 * stacks that ask for them (observe/addons.ts), Lambda only stacks with function targets
 * (observe/functions.ts), so their clients are lazy (`LazyClient`): the SDK package is imported, and
 * the client made and instrumented, on the first call that needs it. Each SDK package costs its
 * source, its schemas and their compiled code (0.6 to 1.1 MiB of heap each next to the ones every
 * stack uses, ELBv2, EC2 and the tagging API; bench/README.md, scenario 5); test/module-graph.test.ts
 * checks that a run loads none it does not need.
 * @module
 */
import { ElasticLoadBalancingV2Client, type ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type * as AcmSdk from '@aws-sdk/client-acm';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import type * as LambdaSdk from '@aws-sdk/client-lambda';
import type * as ShieldSdk from '@aws-sdk/client-shield';
import type * as Wafv2Sdk from '@aws-sdk/client-wafv2';
import type { FinalizeRequestMiddleware, HandlerExecutionContext, InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import type { ApiBudget, AwsService } from './budget.js';
import { ec2Sdk } from './ec2.js';
import { isThrottling } from './errors.js';

/** A client made on first use, with the SDK package it was made from (its commands are there). */
export interface LazyClient<Sdk, Client> {
  /** Imports the package and makes the client on the first call; the same pair after that. */
  load(): Promise<{ sdk: Sdk; client: Client }>;
  /** The client if it has been made: nothing is imported. */
  loaded(): Client | undefined;
}

export interface AwsClients {
  elbv2: ElasticLoadBalancingV2Client;
  acm: LazyClient<typeof AcmSdk, AcmSdk.ACMClient>;
  ec2: Ec2Sdk.EC2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  wafv2: LazyClient<typeof Wafv2Sdk, Wafv2Sdk.WAFV2Client>;
  shield: LazyClient<typeof ShieldSdk, ShieldSdk.ShieldClient>;
  lambda: LazyClient<typeof LambdaSdk, LambdaSdk.LambdaClient>;
}

/** What every SDK client has that the instrumentation and `onClient` use. */
export interface SdkClient {
  middlewareStack: MiddlewareStack<object, MetadataBearer>;
  destroy(): void;
}

/** One completed call, retries included. */
export interface AwsCallEvent {
  service: AwsService;
  /** The API action, e.g. `DescribeLoadBalancers`. */
  action: string;
  /** From send to result: budget waits and retry delays included. */
  durationMs: number;
  /** Requests sent; each took a budget token. */
  attempts: number;
  /** The error's name (the AWS error code, e.g. `Throttling`) when the call failed. */
  error?: string;
}

export interface AwsClientsOptions {
  region?: string;
  endpoint?: string;
  /** Total attempts per call, first included. */
  maxAttempts?: number;
  /**
   * `standard` by default: the budget already paces the controller and adapts to throttling for
   * every client at once; adaptive mode's own limiter would slow every call of one client on top of it.
   */
  retryMode?: 'standard' | 'adaptive';
  budget: ApiBudget;
  onCall?: (event: AwsCallEvent) => void;
  credentials?: ElasticLoadBalancingV2ClientConfig['credentials'];
  /** Told of each client once it is made and instrumented: at once for most, on first use for a lazy one. */
  onClient?: (service: AwsService, client: SdkClient) => void;
}

const SHIELD_REGION = 'us-east-1';

/** Above the SDK's 3: with the budget pacing us, throttles are rare and worth a longer wait. */
const DEFAULT_MAX_ATTEMPTS = 5;

export function createAwsClients(options: AwsClientsOptions): AwsClients {
  const config = {
    ...(options.region !== undefined && { region: options.region }),
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(options.credentials !== undefined && { credentials: options.credentials }),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: options.retryMode ?? 'standard',
  };
  const made = <Client extends SdkClient>(service: AwsService, client: Client): Client => {
    instrument(client.middlewareStack, service, options);
    options.onClient?.(service, client);
    return client;
  };
  return {
    elbv2: made('elbv2', new ElasticLoadBalancingV2Client(config)),
    ec2: made('ec2', new ec2Sdk.EC2Client(config)),
    tagging: made('tagging', new ResourceGroupsTaggingAPIClient(config)),
    acm: lazyClient(
      () => import('@aws-sdk/client-acm'),
      (sdk) => made('acm', new sdk.ACMClient(config)),
    ),
    wafv2: lazyClient(
      () => import('@aws-sdk/client-wafv2'),
      (sdk) => made('wafv2', new sdk.WAFV2Client(config)),
    ),
    shield: lazyClient(
      () => import('@aws-sdk/client-shield'),
      (sdk) => made('shield', new sdk.ShieldClient({ ...config, region: SHIELD_REGION })),
    ),
    lambda: lazyClient(
      () => import('@aws-sdk/client-lambda'),
      (sdk) => made('lambda', new sdk.LambdaClient(config)),
    ),
  };
}

/**
 * A client whose package `importSdk` imports on the first `load()`; `make` makes (and instruments) it.
 * Calls that arrive while the import runs share it; a failed import is tried again on the next call.
 */
export function lazyClient<Sdk, Client>(importSdk: () => Promise<Sdk>, make: (sdk: Sdk) => Client): LazyClient<Sdk, Client> {
  let loading: Promise<{ sdk: Sdk; client: Client }> | undefined;
  let client: Client | undefined;
  return {
    load: () =>
      (loading ??= importSdk().then(
        (sdk) => {
          client = make(sdk);
          return { sdk, client };
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      )),
    loaded: () => client,
  };
}

/** A LazyClient over a client already made (tests that build their clients themselves). */
export function loadedClient<Sdk, Client>(sdk: Sdk, client: Client): LazyClient<Sdk, Client> {
  const pair = { sdk, client };
  return { load: () => Promise.resolve(pair), loaded: () => client };
}

/** Closes the clients' connection pools, for shutdown; a lazy client never made has none. */
export function destroyAwsClients(clients: AwsClients): void {
  clients.elbv2.destroy();
  clients.acm.loaded()?.destroy();
  clients.ec2.destroy();
  clients.tagging.destroy();
  clients.wafv2.loaded()?.destroy();
  clients.shield.loaded()?.destroy();
  clients.lambda.loaded()?.destroy();
}

function instrument<Input extends object, Output extends MetadataBearer>(
  stack: MiddlewareStack<Input, Output>,
  service: AwsService,
  { budget, onCall }: Pick<AwsClientsOptions, 'budget' | 'onCall'>,
): void {
  const attemptsByCall = new WeakMap<HandlerExecutionContext, { attempts: number }>();

  const reportCall: InitializeMiddleware<Input, Output> = (next, context) => async (args) => {
    const call = { attempts: 0 };
    attemptsByCall.set(context, call);
    const startedAt = performance.now();
    const report = (error?: string): void =>
      onCall?.({
        service,
        action: actionOf(context),
        durationMs: performance.now() - startedAt,
        attempts: call.attempts,
        ...(error !== undefined && { error }),
      });
    try {
      const result = await next(args);
      report();
      return result;
    } catch (error) {
      report(error instanceof Error ? error.name : String(error));
      throw error;
    }
  };

  // AWS counts every request it receives, retries included, so the budget is taken per attempt:
  // inside the retry loop (retryMiddleware, finalizeRequest step), not at initialize or build, which
  // run once per call. Placed before signing, so a request that waited is signed when it is sent.
  const takeBudgetPerAttempt: FinalizeRequestMiddleware<Input, Output> = (next, context) => async (args) => {
    const call = attemptsByCall.get(context);
    if (call) call.attempts += 1;
    const action = actionOf(context);
    await budget.acquire(service, action);
    const sentAt = budget.now();
    try {
      return await next(args);
    } catch (error) {
      // Each throttled attempt tells the shared budget, which lowers that bucket's rate for every client.
      if (isThrottling(error)) budget.throttled(service, action, sentAt);
      throw error;
    }
  };

  stack.add(reportCall, { step: 'initialize', priority: 'high', name: 'ingressBridgeReportCall' });
  stack.addRelativeTo(takeBudgetPerAttempt, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'ingressBridgeApiBudget',
  });
}

function actionOf(context: HandlerExecutionContext): string {
  return context.commandName?.replace(/Command$/, '') ?? 'Unknown';
}
