/**
 * The controller as shipped with the AWS provider, against the Kubernetes API fake and the AWS fake:
 * the world the Ingress and Gateway end-to-end tests on both fakes share.
 * @module
 */
import { AwsProvider } from '../../providers/aws/provider.js';
import { createAwsWorld, type AwsWorld } from './aws-provider-world.js';
import { startKubeFakeRun, type KubeFakeRun, type KubeFakeRunOptions } from './kube-fake-run.js';

export type KubeAwsRunOptions = Omit<KubeFakeRunOptions, 'provider'>;

export interface KubeAwsRun extends KubeFakeRun {
  world: AwsWorld;
  /** Stops the controller, then the fakes. */
  stop(): Promise<void>;
}

export async function startKubeAwsRun(options: KubeAwsRunOptions): Promise<KubeAwsRun> {
  const world = createAwsWorld();
  try {
    const run = await startKubeFakeRun({
      ...options,
      provider: (provider) =>
        new AwsProvider({
          clusterName: provider.clusterName,
          certificates: provider.certificates,
          clients: world.clients,
          retry: { maxAttempts: 8, sleep: async () => {} },
        }),
    });
    return {
      ...run,
      world,
      stop: async () => {
        await run.stop();
        world.close();
      },
    };
  } catch (error) {
    world.close();
    throw error;
  }
}
