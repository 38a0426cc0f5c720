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
 * @module
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client, type ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ShieldClient } from '@aws-sdk/client-shield';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { FinalizeRequestMiddleware, HandlerExecutionContext, InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import type { ApiBudget, AwsService } from './budget.js';
import { isThrottling } from './errors.js';
import { lazyLambdaClient, type LambdaAccess } from './lambda.js';

export interface AwsClients {
  elbv2: ElasticLoadBalancingV2Client;
  acm: ACMClient;
  ec2: EC2Client;
  tagging: ResourceGroupsTaggingAPIClient;
  wafv2: WAFV2Client;
  shield: ShieldClient;
  /** Made on first use only (sdk/lambda.ts); absent in hand-made client sets, which then get a default one. */
  lambda?: LambdaAccess;
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
  const clients: AwsClients = {
    elbv2: new ElasticLoadBalancingV2Client(config),
    acm: new ACMClient(config),
    ec2: new EC2Client(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    wafv2: new WAFV2Client(config),
    shield: new ShieldClient({ ...config, region: SHIELD_REGION }),
    lambda: lazyLambdaClient(
      () => config,
      (client) => instrument(client.middlewareStack, 'lambda', options),
    ),
  };
  instrument(clients.elbv2.middlewareStack, 'elbv2', options);
  instrument(clients.wafv2.middlewareStack, 'wafv2', options);
  instrument(clients.shield.middlewareStack, 'shield', options);
  instrument(clients.acm.middlewareStack, 'acm', options);
  instrument(clients.ec2.middlewareStack, 'ec2', options);
  instrument(clients.tagging.middlewareStack, 'tagging', options);
  return clients;
}

/** Closes the clients' connection pools, for shutdown. */
export function destroyAwsClients(clients: AwsClients): void {
  clients.elbv2.destroy();
  clients.acm.destroy();
  clients.ec2.destroy();
  clients.tagging.destroy();
  clients.wafv2.destroy();
  clients.shield.destroy();
  clients.lambda?.destroy();
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
