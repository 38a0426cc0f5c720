/**
 * The AWS fake's Lambda ListTags through the real Lambda client: the function's tags by its
 * unqualified ARN, Lambda's refusals (a qualified ARN, a name, an unknown function), and
 * deploy/iam-policy.json enforced on it as on the other Lambda actions.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { createAwsFake, type AwsFake } from '../../../fakes/aws/index.js';
import { deployedIamPolicy, refusedCall } from '../../support/aws-provider-world.js';

const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
let fake: AwsFake;
let arn: string;

beforeEach(() => {
  fake = createAwsFake();
  fake.install();
  arn = fake.seed.lambdaFunction({ name: 'upload', aliases: ['live'], tags: { 'ingress-bridge.io/cluster': 'test', team: 'media' } });
  fake.seed.lambdaFunction({ name: 'bare' });
});
afterEach(() => fake.restore());

describe('fake Lambda ListTags', () => {
  it("answers the function's tags, and none for a function without", async () => {
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { 'ingress-bridge.io/cluster': 'test', team: 'media' });
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn.replace(':upload', ':bare') }))).Tags, {});
  });

  const refusals: [string, (arn: string) => string, string][] = [
    ['an alias (tags are the function’s)', (of) => `${of}:live`, 'InvalidParameterValueException'],
    ['a name rather than an ARN', () => 'upload', 'InvalidParameterValueException'],
    ['a function that does not exist', (of) => of.replace(':upload', ':gone'), 'ResourceNotFoundException'],
  ];
  for (const [what, resource, code] of refusals) {
    it(`refuses ${what}: ${code}`, async () => {
      await assert.rejects(lambda.send(new ListTagsCommand({ Resource: resource(arn) })), (error: unknown) => error instanceof Error && error.name === code);
    });
  }

  it('is authorized by deploy/iam-policy.json on a function, and refused without its statement', async () => {
    const policy = deployedIamPolicy() as { Statement: { Sid: string }[] };
    fake.useIamPolicy(policy);
    await lambda.send(new ListTagsCommand({ Resource: arn }));
    assert.deepEqual(fake.deniedCalls(), []);
    fake.useIamPolicy({ ...policy, Statement: policy.Statement.filter((statement) => statement.Sid !== 'ReadFunctionTags') });
    const denied = await refusedCall(fake, () => lambda.send(new ListTagsCommand({ Resource: arn })), 'AccessDeniedException');
    assert.equal(denied.iamAction, 'lambda:ListTags');
  });
});
