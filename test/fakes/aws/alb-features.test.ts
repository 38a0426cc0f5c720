/**
 * The AWS fake's model of the ALB features of issue 14, through the real SDK clients: pre-routing
 * actions (authenticate-oidc, authenticate-cognito, jwt-validation) with ALB's rules and a client
 * secret that is never returned, mutual TLS and listener attributes, trust stores, WAFv2
 * associations and Shield protections.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTrustStoresCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateProtectionCommand, DeleteProtectionCommand, DescribeProtectionCommand, ListProtectionsCommand, ShieldClient } from '@aws-sdk/client-shield';
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, ListWebACLsCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { seedDefaultNetwork } from '../../../fakes/aws/fixtures.js';
import { type AwsFake, createAwsFake } from '../../../fakes/aws/index.js';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const elbv2 = new ElasticLoadBalancingV2Client(config);
const wafv2 = new WAFV2Client(config);
const shield = new ShieldClient(config);
const ok: Action = { Type: 'fixed-response', Order: 2, FixedResponseConfig: { StatusCode: '200' } };
const OIDC = {
  Issuer: 'https://idp.example.com',
  AuthorizationEndpoint: 'https://idp.example.com/authorize',
  TokenEndpoint: 'https://idp.example.com/token',
  UserInfoEndpoint: 'https://idp.example.com/userinfo',
  ClientId: 'shop',
};

let fake: AwsFake;
let lbArn: string;
let httpsArn: string;
let httpArn: string;

beforeEach(async () => {
  fake = createAwsFake();
  fake.install();
  const net = seedDefaultNetwork(fake);
  const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-shop', Subnets: net.publicSubnetIds }));
  lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const certificate = fake.seed.certificate({ domainName: 'shop.example.com' });
  const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
  const https = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificate }],
      DefaultActions: notFound,
    }),
  );
  httpsArn = https.Listeners?.[0]?.ListenerArn ?? '';
  const http = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 80, Protocol: 'HTTP', DefaultActions: notFound }));
  httpArn = http.Listeners?.[0]?.ListenerArn ?? '';
});
afterEach(() => fake.restore());

async function rule(actions: Action[], listener = httpsArn, priority = 1): Promise<string> {
  const out = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listener,
      Priority: priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a'] } }],
      Actions: actions,
    }),
  );
  return out.Rules?.[0]?.RuleArn ?? assert.fail('no rule');
}

describe('pre-routing actions', () => {
  it('an OIDC login keeps its secret, shows the session defaults and never returns the secret', async () => {
    const arn = await rule([{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ...OIDC, ClientSecret: 's3cret' } }, ok]);
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [arn] }));
    const config = Rules[0]?.Actions?.[0]?.AuthenticateOidcConfig;
    assert.deepEqual(config, {
      ...OIDC,
      SessionCookieName: 'AWSELBAuthSessionCookie',
      Scope: 'openid',
      SessionTimeout: 604800,
      OnUnauthenticatedRequest: 'authenticate',
    });
    assert.equal(fake.state.clientSecretOf(arn), 's3cret');
    assert.equal(JSON.stringify(Rules).includes('s3cret'), false);
  });

  it('UseExistingClientSecret keeps the secret on a modify; it is refused on a create or with a secret', async () => {
    const arn = await rule([{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ...OIDC, ClientSecret: 's3cret' } }, ok]);
    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: arn,
        Actions: [{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ...OIDC, Scope: 'openid email', UseExistingClientSecret: true } }, ok],
      }),
    );
    assert.equal(fake.state.clientSecretOf(arn), 's3cret');
    await assert.rejects(
      rule([{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ...OIDC, UseExistingClientSecret: true } }, ok], httpsArn, 2),
      /UseExistingClientSecret can only be used to modify/,
    );
    await assert.rejects(rule([{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: OIDC }, ok], httpsArn, 2), /ClientSecret must be specified/);
  });

  it('refuses authentication on an HTTP listener, two of them, one after the terminal action, and bad configs', async () => {
    const jwt: Action = { Type: 'jwt-validation', Order: 1, JwtValidationConfig: { Issuer: 'https://i', JwksEndpoint: 'https://i.example.com/jwks' } };
    await assert.rejects(rule([jwt, ok], httpArn), { name: 'InvalidLoadBalancerActionException' });
    await assert.rejects(rule([jwt, { ...jwt, Order: 2 }, { ...ok, Order: 3 }]), { name: 'InvalidLoadBalancerActionException' });
    await assert.rejects(rule([{ ...jwt, Order: 3 }, ok]), { name: 'InvalidLoadBalancerActionException' });
    await assert.rejects(rule([{ ...jwt, JwtValidationConfig: { Issuer: 'i', JwksEndpoint: 'http://i/jwks' } }, ok]), /JwksEndpoint/);
    await assert.rejects(
      rule([
        {
          ...jwt,
          JwtValidationConfig: { Issuer: 'i', JwksEndpoint: 'https://i/j', AdditionalClaims: [{ Format: 'single-string', Name: 'exp', Values: ['1'] }] },
        },
        ok,
      ]),
      /validated by default/,
    );
    await assert.rejects(
      rule([
        { Type: 'authenticate-cognito', Order: 1, AuthenticateCognitoConfig: { UserPoolArn: 'arn:aws:s3:::x', UserPoolClientId: 'a', UserPoolDomain: 'd' } },
        ok,
      ]),
      /not a valid user pool ARN/,
    );
    await assert.rejects(
      rule([{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ...OIDC, ClientSecret: 's', SessionTimeout: 0 } }, ok]),
      /SessionTimeout/,
    );
  });
});

describe('listener settings', () => {
  it('mutual TLS: verify needs an existing trust store, only on HTTPS; a listener without it reads as off', async () => {
    const store = fake.seed.trustStore({ name: 'partners' });
    const described = async (): Promise<unknown> =>
      (await elbv2.send(new DescribeListenersCommand({ ListenerArns: [httpsArn] }))).Listeners?.[0]?.MutualAuthentication;
    assert.deepEqual(await described(), { Mode: 'off' });
    await elbv2.send(new ModifyListenerCommand({ ListenerArn: httpsArn, MutualAuthentication: { Mode: 'verify', TrustStoreArn: store } }));
    assert.deepEqual(await described(), { Mode: 'verify', TrustStoreArn: store, IgnoreClientCertificateExpiry: false, AdvertiseTrustStoreCaNames: 'off' });
    await assert.rejects(
      elbv2.send(
        new ModifyListenerCommand({ ListenerArn: httpsArn, MutualAuthentication: { Mode: 'verify', TrustStoreArn: store.replace('partners', 'nope') } }),
      ),
      { name: 'TrustStoreNotFoundException' },
    );
    await assert.rejects(
      elbv2.send(new ModifyListenerCommand({ ListenerArn: httpsArn, MutualAuthentication: { Mode: 'passthrough', TrustStoreArn: store } })),
      /verify only/,
    );
    await assert.rejects(elbv2.send(new ModifyListenerCommand({ ListenerArn: httpArn, MutualAuthentication: { Mode: 'passthrough' } })), /HTTPS listener/);
  });

  it('trust stores by name; a name that does not exist is TrustStoreNotFound', async () => {
    const store = fake.seed.trustStore({ name: 'partners' });
    const found = await elbv2.send(new DescribeTrustStoresCommand({ Names: ['partners'] }));
    assert.equal(found.TrustStores?.[0]?.TrustStoreArn, store);
    await assert.rejects(elbv2.send(new DescribeTrustStoresCommand({ Names: ['nope'] })), { name: 'TrustStoreNotFoundException' });
  });

  it('listener attributes: every key with its default, only known keys and valid values set', async () => {
    await elbv2.send(
      new ModifyListenerAttributesCommand({ ListenerArn: httpsArn, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'false' }] }),
    );
    const { Attributes = [] } = await elbv2.send(new DescribeListenerAttributesCommand({ ListenerArn: httpsArn }));
    const byKey: Record<string, string | undefined> = Object.fromEntries(Attributes.map(({ Key, Value }) => [Key ?? '', Value]));
    assert.equal(byKey['routing.http.response.server.enabled'], 'false');
    assert.equal(byKey['routing.http.request.x_amzn_tls_version.header_name'], 'X-Amzn-Tls-Version');
    await assert.rejects(
      elbv2.send(new ModifyListenerAttributesCommand({ ListenerArn: httpsArn, Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '60' }] })),
      /not recognized/,
    );
    await assert.rejects(
      elbv2.send(new ModifyListenerAttributesCommand({ ListenerArn: httpsArn, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'no' }] })),
      /cannot be set/,
    );
  });
});

describe('WAFv2 and Shield', () => {
  it('one web ACL per load balancer: associating another replaces it; disassociating is idempotent; deleting the load balancer ends it', async () => {
    const first = fake.seed.webAcl({ name: 'a' });
    const second = fake.seed.webAcl({ name: 'b' });
    await wafv2.send(new AssociateWebACLCommand({ WebACLArn: first, ResourceArn: lbArn }));
    await wafv2.send(new AssociateWebACLCommand({ WebACLArn: second, ResourceArn: lbArn }));
    assert.equal((await wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn }))).WebACL?.ARN, second);
    await wafv2.send(new DisassociateWebACLCommand({ ResourceArn: lbArn }));
    await wafv2.send(new DisassociateWebACLCommand({ ResourceArn: lbArn }));
    assert.equal((await wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn }))).WebACL, undefined);
    await assert.rejects(wafv2.send(new AssociateWebACLCommand({ WebACLArn: first.replace('/a/', '/zz/'), ResourceArn: lbArn })), {
      name: 'WAFNonexistentItemException',
    });
    const listed = await wafv2.send(new ListWebACLsCommand({ Scope: 'REGIONAL' }));
    assert.deepEqual(
      listed.WebACLs?.map((acl) => acl.Name),
      ['a', 'b'],
    );
  });

  it('one protection per resource; tags at creation; delete by id; listing filtered to load balancers', async () => {
    const created = await shield.send(
      new CreateProtectionCommand({ Name: 'ingress-bridge k8s-shop', ResourceArn: lbArn, Tags: [{ Key: 'team', Value: 'shop' }] }),
    );
    assert.equal(fake.state.protectionOf(lbArn)?.tags.team, 'shop');
    await assert.rejects(shield.send(new CreateProtectionCommand({ Name: 'again', ResourceArn: lbArn })), { name: 'ResourceAlreadyExistsException' });
    await assert.rejects(shield.send(new CreateProtectionCommand({ Name: 'bad/name', ResourceArn: lbArn })), { name: 'InvalidParameterException' });
    const listed = await shield.send(new ListProtectionsCommand({ InclusionFilters: { ResourceTypes: ['APPLICATION_LOAD_BALANCER'] } }));
    assert.deepEqual(
      listed.Protections?.map((protection) => protection.ResourceArn),
      [lbArn],
    );
    const byResource = await shield.send(new DescribeProtectionCommand({ ResourceArn: lbArn }));
    assert.equal(byResource.Protection?.Id, created.ProtectionId);
    await assert.rejects(shield.send(new DescribeProtectionCommand({ ProtectionId: created.ProtectionId, ResourceArn: lbArn })), {
      name: 'InvalidParameterException',
    });
    await assert.rejects(shield.send(new DescribeProtectionCommand({})), { name: 'InvalidParameterException' });
    await shield.send(new DeleteProtectionCommand({ ProtectionId: created.ProtectionId }));
    await assert.rejects(shield.send(new DeleteProtectionCommand({ ProtectionId: created.ProtectionId })), { name: 'ResourceNotFoundException' });
  });
});
