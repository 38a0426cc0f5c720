/**
 * Runs AWS plan operations through the provider's executor against an installed AWS fake, for tests
 * of the certificate and security-group planners: real SDK clients, no retries, no lookups.
 * @module
 */
import * as acmSdk from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import * as shieldSdk from '@aws-sdk/client-shield';
import * as wafv2Sdk from '@aws-sdk/client-wafv2';
import { executePlan, type Execution } from '../../providers/aws/apply/executor.js';
import { type AwsClients, loadedClient } from '../../providers/aws/sdk/clients.js';
import type { AwsOperation } from '../../providers/aws/plan/operations.js';
import type { CertificateMaterial, CertificateMaterialSource } from '../../src/provider.js';

export function sdkClients(): AwsClients {
  const config = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return {
    elbv2: new ElasticLoadBalancingV2Client(config),
    acm: loadedClient(acmSdk, new acmSdk.ACMClient(config)),
    ec2: new EC2Client(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    wafv2: loadedClient(wafv2Sdk, new wafv2Sdk.WAFV2Client(config)),
    shield: loadedClient(shieldSdk, new shieldSdk.ShieldClient(config)),
    lambda: loadedClient(lambdaSdk, new lambdaSdk.LambdaClient(config)),
  };
}

/** Secrets by `namespace/name`, as the runtime's Snapshot would hand them over. */
export function materialSource(secrets: Map<string, CertificateMaterial>): CertificateMaterialSource {
  return { get: (namespace, name) => secrets.get(`${namespace}/${name}`) };
}

export async function runOperations(
  operations: readonly AwsOperation[],
  options: { clients: AwsClients; references: Map<string, string>; material?: CertificateMaterialSource },
): Promise<Execution> {
  return executePlan(operations, {
    clients: options.clients,
    call: (_label, run) => run(),
    material: options.material ?? { get: () => undefined },
    references: options.references,
    lookup: () => Promise.resolve(undefined),
  });
}
