/**
 * Puts the benchmark's cloud under the real SDK clients, below everything the controller ships:
 * a middleware at the head of the deserialize step answers each request from the cloud instead of
 * sending HTTP. Everything before it runs as in production — the call report, serialization,
 * endpoint resolution, the SDK's retry loop, the ApiBudget taken per attempt, SigV4 signing. Only
 * the HTTP round trip and the response deserializer are replaced: the fake hands back the output
 * object the deserializer would have built.
 *
 * The SDK's retry strategy sleeps with a wall-clock setTimeout, inside refreshRetryTokenForRetry (or,
 * in older strategies, in the middleware for the token's delay). Both delays are divided by the time
 * scale, so a retry waits the cloud time it would wait in production.
 * @module
 */
import type { DeserializeMiddleware, MetadataBearer, Provider, RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import type { AwsService } from '../providers/aws/sdk/budget.js';
import type { SdkClient } from '../providers/aws/sdk/clients.js';

export type Transport = (service: AwsService, action: string, input: unknown) => Promise<object>;

interface RetryConfigured {
  config: { retryStrategy: Provider<RetryStrategyV2 | object> };
}

/** Routes one client's requests to the cloud: given to createAwsClients as `onClient`, so a lazy client is routed when it is made. */
export function routeClientTo(service: AwsService, sdkClient: SdkClient, transport: Transport, timeScale: () => number): void {
  const client = sdkClient as SdkClient & RetryConfigured;
  const answer: DeserializeMiddleware<object, MetadataBearer> = (_next, context) => async (args) => {
    const action = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
    const output = (await transport(service, action, args.input)) as MetadataBearer;
    return { output, response: {} };
  };
  client.middlewareStack.add(answer, { step: 'deserialize', priority: 'high', name: 'benchCloudTransport' });
  const original = client.config.retryStrategy;
  client.config.retryStrategy = async () => scaledRetryStrategy(await original(), timeScale);
}

interface ScaledToken extends RetryToken {
  inner: RetryToken;
}

interface BackoffStrategy {
  computeNextBackoffDelay(retryCount: number): number;
  setDelayBase(delay: number): void;
}

function scaledRetryStrategy(strategy: RetryStrategyV2 | object, scale: () => number): RetryStrategyV2 | object {
  if (!isRetryStrategyV2(strategy)) return strategy;
  const withBackoff = strategy as { retryBackoffStrategy?: BackoffStrategy };
  const backoff = withBackoff.retryBackoffStrategy;
  if (backoff && !('scaled' in backoff)) {
    withBackoff.retryBackoffStrategy = {
      scaled: true,
      computeNextBackoffDelay: (retryCount) => backoff.computeNextBackoffDelay(retryCount) / scale(),
      setDelayBase: (delay) => backoff.setDelayBase(delay),
    } as BackoffStrategy;
  }
  const wrap = (inner: RetryToken): ScaledToken => ({
    inner,
    getRetryCount: () => inner.getRetryCount(),
    getRetryDelay: () => inner.getRetryDelay() / scale(),
  });
  const unwrap = (token: RetryToken): RetryToken => ('inner' in token ? (token as ScaledToken).inner : token);
  return {
    acquireInitialRetryToken: async (scope: string) => wrap(await strategy.acquireInitialRetryToken(scope)),
    refreshRetryTokenForRetry: async (token: RetryToken, info: RetryErrorInfo) => wrap(await strategy.refreshRetryTokenForRetry(unwrap(token), info)),
    recordSuccess: (token: RetryToken) => strategy.recordSuccess(unwrap(token)),
  };
}

function isRetryStrategyV2(strategy: RetryStrategyV2 | object): strategy is RetryStrategyV2 {
  return 'acquireInitialRetryToken' in strategy && 'refreshRetryTokenForRetry' in strategy && 'recordSuccess' in strategy;
}
