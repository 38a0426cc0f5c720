/**
 * The Lambda client, loaded only when a stack has a function target: `@aws-sdk/client-lambda` is
 * imported (dynamic import) on the first call, so a controller whose load balancers forward to no
 * function never loads it — its memory is the controller's, and most configurations have none.
 *
 * The provider calls four actions: GetFunctionConfiguration (the function exists; its ARN) and
 * GetPolicy (our statement is there) and ListTags (the function is tagged for this cluster) when it observes, AddPermission and RemovePermission (the
 * load balancer may invoke the function from its target group) when it applies. It never creates,
 * updates or invokes a function.
 * @module
 */
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';

export const LAMBDA_ACTIONS = ['GetFunctionConfiguration', 'GetPolicy', 'ListTags', 'AddPermission', 'RemovePermission'] as const;
export type LambdaAction = (typeof LAMBDA_ACTIONS)[number];

/** Sends Lambda commands by action name, loading the SDK module on first use. */
export interface LambdaAccess {
  send(action: LambdaAction, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Whether the SDK module has been loaded (tests check that a configuration without functions never loads it). */
  loaded(): boolean;
  destroy(): void;
}

type LambdaModule = typeof import('@aws-sdk/client-lambda');

/**
 * A Lambda client made with `config` on first use; `prepare` wires it as the other clients are
 * (the API budget, the call report) before its first command.
 */
export function lazyLambdaClient(config: () => LambdaClientConfig | Promise<LambdaClientConfig>, prepare?: (client: LambdaClient) => void): LambdaAccess {
  let loading: Promise<{ client: LambdaClient; module: LambdaModule }> | undefined;
  let made: LambdaClient | undefined;
  const load = async (): Promise<{ client: LambdaClient; module: LambdaModule }> => {
    const module = await import('@aws-sdk/client-lambda');
    const client = new module.LambdaClient(await config());
    prepare?.(client);
    made = client;
    return { client, module };
  };
  return {
    async send(action, input) {
      loading ??= load();
      const { client, module } = await loading;
      return (await sendCommand(client, module, action, input)) as Record<string, unknown>;
    },
    loaded: () => made !== undefined,
    destroy() {
      made?.destroy();
    },
  };
}

/** The SDK's own input types: the provider builds inputs from the Lambda API's field names. */
function sendCommand(client: LambdaClient, module: LambdaModule, action: LambdaAction, input: Record<string, unknown>): Promise<object> {
  switch (action) {
    case 'GetFunctionConfiguration':
      return client.send(
        new module.GetFunctionConfigurationCommand(input as unknown as ConstructorParameters<LambdaModule['GetFunctionConfigurationCommand']>[0]),
      );
    case 'GetPolicy':
      return client.send(new module.GetPolicyCommand(input as unknown as ConstructorParameters<LambdaModule['GetPolicyCommand']>[0]));
    case 'ListTags':
      return client.send(new module.ListTagsCommand(input as unknown as ConstructorParameters<LambdaModule['ListTagsCommand']>[0]));
    case 'AddPermission':
      return client.send(new module.AddPermissionCommand(input as unknown as ConstructorParameters<LambdaModule['AddPermissionCommand']>[0]));
    case 'RemovePermission':
      return client.send(new module.RemovePermissionCommand(input as unknown as ConstructorParameters<LambdaModule['RemovePermissionCommand']>[0]));
  }
}

/** Lambda's answer when the function, version, alias, policy or statement named does not exist. */
export function isLambdaNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

/** AddPermission's answer when the statement id is taken. */
export function isLambdaConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceConflictException';
}
