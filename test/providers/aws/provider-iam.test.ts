/**
 * The AWS provider's whole life under deploy/iam-policy.json, enforced by the fake: two stacks
 * sharing a TLS Secret, a discovered certificate, instance and ip targets, a managed security group
 * and backend rules; changes that touch every kind of resource; a web ACL (by name), Shield, a
 * Cognito login, mutual TLS and listener attributes put on and taken off; a certificate rotation;
 * deletion.
 * No call is refused, and every action and every resource of every statement is used: the policy
 * grants nothing the provider does not need.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CertificateMaterial } from '../../../src/provider.js';
import { CLUSTER_TAG } from '../../../providers/aws/plan/tags.js';
import { parseIamPolicy, resourceMatches, statementName } from '../../../fakes/aws/iam.js';
import { type AwsWorld, createAwsWorld, deployedIamPolicy, ownedResources, reconcile, specOf, tlsSecret } from '../../support/aws-provider-world.js';
import { ingressYaml, type PathFixture, serviceYaml } from '../../support/cluster.js';

const NODE_GROUP_TAG = 'kubernetes.io/cluster/test';
const POD_IPS = ['10.0.0.2', '10.0.0.3'];

interface ShopVersion {
  annotations?: Record<string, string>;
  paths?: PathFixture[];
  /** A tls entry without a Secret, for a certificate discovered in ACM. */
  discover?: boolean;
  apiEndpoints?: string[];
  apiHealthPath?: string;
}

const PATHS: PathFixture[] = [
  { path: '/', pathType: 'Prefix', service: 'web' },
  { path: '/api', pathType: 'Prefix', service: 'api' },
];

function servicesYaml(version: ShopVersion): string {
  const api = {
    'alb.ingress.kubernetes.io/target-type': 'ip',
    ...(version.apiHealthPath !== undefined && { 'alb.ingress.kubernetes.io/healthcheck-path': version.apiHealthPath }),
  };
  return (
    serviceYaml({ name: 'web' }) +
    serviceYaml({ name: 'api', nodePort: 30081, endpoints: version.apiEndpoints ?? POD_IPS, annotations: api }) +
    serviceYaml({ name: 'docs', nodePort: 30082 })
  );
}

describe('AWS provider: a whole life under deploy/iam-policy.json', () => {
  let world: AwsWorld;

  before(async () => {
    world = createAwsWorld();
    const { fake, network } = world;
    const podGroup = fake.seed.securityGroup({ name: 'test-pods', vpcId: network.vpcId, tags: { [NODE_GROUP_TAG]: 'owned' } });
    for (const ip of POD_IPS) fake.seed.networkInterface({ privateIp: ip, securityGroupIds: [podGroup], subnetId: network.publicSubnetIds[0] });
    // More names than ListCertificates shows (100), the one we need last: discovery must describe it.
    const names = Array.from({ length: 100 }, (_, index) => `n${index}.example.org`);
    fake.seed.certificate({ domainName: 'n0.example.org', subjectAlternativeNames: [...names, 'docs.example.com'] });
    const loadBalancerGroup = fake.seed.securityGroup({ name: 'shop-lb', vpcId: network.vpcId });
    fake.seed.webAcl({ name: 'shop-acl' });
    fake.seed.trustStore({ name: 'partners' });

    let secret = tlsSecret('default', 'shop-tls', 'a.example.com');
    const material: Record<string, CertificateMaterial> = { ...secret.material };
    const provider = world.newProvider({ material, settings: { manageBackendSecurityGroupRules: true } });
    const tls = (hosts: string[]): { hosts: string[]; secretName: string } => ({ hosts, secretName: 'shop-tls' });

    const shop = (version: ShopVersion) =>
      specOf(
        servicesYaml(version) +
          secret.yaml +
          ingressYaml({
            name: 'shop',
            annotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing', ...version.annotations },
            tls: [tls(['a.example.com']), ...(version.discover ? [{ hosts: ['docs.example.com'] }] : [])],
            rules: [{ host: 'a.example.com', paths: version.paths ?? PATHS }],
          }),
      );
    const blog = (withTls: boolean) =>
      specOf(
        servicesYaml({}) +
          secret.yaml +
          ingressYaml({
            name: 'blog',
            ...(withTls && { tls: [tls(['a.example.com'])] }),
            rules: [{ host: 'a.example.com', paths: [{ path: '/blog', pathType: 'Prefix', service: 'web' }] }],
          }),
      );
    const shopStack = shop({}).stack.id;
    const blogStack = blog(true).stack.id;

    // Created: an imported Secret, a discovered certificate, both target types, frontend group, backend rules.
    await reconcile(provider, shopStack, shop({ discover: true }));
    await reconcile(provider, blogStack, blog(true));

    const changed = {
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=120',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
      'alb.ingress.kubernetes.io/ip-address-type': 'dualstack',
      'alb.ingress.kubernetes.io/subnets': network.publicSubnetIds.slice(0, 2).join(', '),
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    };
    const withDocs = [...PATHS, { path: '/docs', pathType: 'Prefix', service: 'docs' }];
    await reconcile(
      provider,
      shopStack,
      shop({
        annotations: {
          ...changed,
          'alb.ingress.kubernetes.io/tags': 'team=shop',
          'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/8',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443},{"HTTP":8080}]',
        },
        paths: withDocs,
        apiEndpoints: POD_IPS.slice(0, 1),
        apiHealthPath: '/healthz',
      }),
    );
    // Tags, a listener and a path taken away.
    await reconcile(provider, shopStack, shop({ annotations: changed }));
    // /api switched to another Service in place; the user's own load-balancer group instead of the managed one.
    const switched: PathFixture[] = [
      { path: '/', pathType: 'Prefix', service: 'web' },
      { path: '/api', pathType: 'Prefix', service: 'docs' },
    ];
    await reconcile(
      provider,
      shopStack,
      shop({ annotations: { ...changed, 'alb.ingress.kubernetes.io/security-groups': loadBalancerGroup }, paths: switched }),
    );
    // What stands in front of the load balancer, put on (the next reconcile takes it off again).
    const guarded = {
      ...changed,
      'alb.ingress.kubernetes.io/security-groups': loadBalancerGroup,
      'alb.ingress.kubernetes.io/wafv2-acl-name': 'shop-acl',
      'alb.ingress.kubernetes.io/shield-advanced-protection': 'true',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/auth-type': 'cognito',
      'alb.ingress.kubernetes.io/auth-idp-cognito':
        '{"userPoolARN":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123","userPoolClientID":"shop","userPoolDomain":"shop-login"}',
      'alb.ingress.kubernetes.io/mutual-authentication': '[{"port":443,"mode":"verify","trustStore":"partners"}]',
      'alb.ingress.kubernetes.io/listener-attributes.HTTPS-443': 'routing.http.response.server.enabled=false',
    };
    await reconcile(provider, shopStack, shop({ annotations: guarded, paths: switched }));

    secret = tlsSecret('default', 'shop-tls', 'a.example.com');
    Object.assign(material, secret.material);
    await reconcile(
      provider,
      shopStack,
      shop({ annotations: { ...changed, 'alb.ingress.kubernetes.io/security-groups': loadBalancerGroup }, paths: switched }),
    );
    await reconcile(provider, blogStack, blog(false));

    await provider.delete({ id: blogStack });
    await provider.delete({ id: shopStack });

    // Functions behind a path: one unqualified, one by alias; permitted, registered, then let go.
    fake.seed.lambdaFunction({ name: 'upload', aliases: ['live'], tags: { [CLUSTER_TAG]: 'test' } });
    const functions = specOf(
      `${serviceYaml({ name: 'web' })}apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fn, namespace: default, annotations: {lambda.ingress-bridge.io/live: "upload:live"}}
spec:
  ingressClassName: ingress-bridge
  rules:
  - http:
      paths:
      - {path: /upload, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: upload}}}
      - {path: /live, pathType: Prefix, backend: {resource: {apiGroup: lambda.ingress-bridge.io, kind: Function, name: live}}}
---
`,
    );
    await reconcile(provider, functions.stack.id, functions);
    await provider.delete({ id: functions.stack.id });
  });

  it('makes not one call the policy refuses', () => {
    assert.deepEqual(world.fake.deniedCalls(), []);
    assert.ok(world.fake.authorizations().length > 100, 'the policy was enforced on every call');
  });

  it('leaves nothing of ours behind, backend rules included', () => {
    assert.deepEqual(ownedResources(world.fake), []);
    assert.deepEqual(
      world.fake.state.securityGroupRules().filter((rule) => world.fake.state.tagsOf(rule.id)[CLUSTER_TAG] !== undefined),
      [],
    );
  });

  it('uses every action and every resource of every statement: nothing is granted that is not needed', () => {
    const policy = parseIamPolicy(deployedIamPolicy());
    const allowed = world.fake.authorizations().filter((authorization) => authorization.allowed);
    const unused = policy.Statement.flatMap((statement) => {
      const name = statementName(policy, statement);
      const byStatement = allowed.filter((authorization) => authorization.statement === name);
      return [
        ...statement.Action.filter((action) => !byStatement.some((authorization) => authorization.action.toLowerCase() === action.toLowerCase())),
        ...statement.Resource.filter((pattern) => !byStatement.some((authorization) => resourceMatches(pattern, authorization.resource))),
      ].map((unusedPart) => `${name}: ${unusedPart}`);
    });
    assert.deepEqual(unused, []);
  });
});
