/**
 * deploy/iam-policy.json fences clusters from each other: every condition on our cluster tag pins it
 * to the cluster's own name (the CLUSTER_NAME placeholder docs/install-eks.md substitutes), never
 * only its presence (`Null`). test/providers/aws/iam-cluster-fence.test.ts proves it on the fake.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const TEXT = readFileSync(new URL('../../deploy/iam-policy.json', import.meta.url), 'utf8');
const CLUSTER_TAG = 'ingress-bridge.io/cluster';

interface Statement {
  Sid: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const statements = (JSON.parse(TEXT) as { Statement: Statement[] }).Statement;

describe('deploy/iam-policy.json pins the cluster tag to CLUSTER_NAME', () => {
  it('every condition on aws:ResourceTag or aws:RequestTag of the cluster tag is StringEquals(IfExists) CLUSTER_NAME', () => {
    const wrong: string[] = [];
    let pinned = 0;
    for (const statement of statements) {
      for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
        for (const [key, value] of Object.entries(keys)) {
          if (!key.endsWith(`Tag/${CLUSTER_TAG}`)) continue;
          if (!/^StringEquals(IfExists)?$/.test(operator) || JSON.stringify(value) !== '"CLUSTER_NAME"') wrong.push(`${statement.Sid}: ${operator} ${key}`);
          else pinned += 1;
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(pinned >= 15, `${pinned} pinned conditions`);
  });

  it('every statement that changes something names the cluster in a condition, except the halves of a call on what is not ours', () => {
    // Reads; creating a security group in a VPC (the group's half is pinned); WAFv2's half of an
    // association, on a web ACL that is not ours (the load balancer's half, elasticloadbalancing:SetWebAcl,
    // is pinned: without it neither call does anything).
    const reads = new Set([
      'ReadLoadBalancers',
      'FindResourcesByTags',
      'ReadCertificates',
      'ReadNetwork',
      'CreateSecurityGroupsInVpcs',
      'ReadWebAclsAndShieldProtections',
      'ReadWebAclOfLoadBalancers',
      'ReadCognitoAppClients',
      'ReadFunctionsOfTargetGroups',
      'ReadFunctionTags',
      'AssociateWebAcls',
      'DisassociateWebAclsFromLoadBalancers',
    ]);
    const unpinned = statements.filter((statement) => !reads.has(statement.Sid) && !JSON.stringify(statement.Condition ?? {}).includes('CLUSTER_NAME'));
    assert.deepEqual(
      unpinned.map((statement) => statement.Sid),
      [],
    );
  });

  it('writes the placeholder at most once a line, so a sed without /g substitutes every one', () => {
    assert.deepEqual(
      TEXT.split('\n').filter((line) => line.split('CLUSTER_NAME').length > 2),
      [],
    );
  });
});
