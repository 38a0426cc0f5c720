/**
 * The issue-14 ALB features through the AWS provider, on the stateful fake under deploy/iam-policy.json:
 * a WAFv2 web ACL and a Shield Advanced protection in front of the load balancer, an OIDC login, JWT
 * validation, rewrites, mutual TLS, listener attributes and target groups outside the cluster —
 * created, changed and removed; an unchanged resync makes no mutating call; a rotated client secret
 * updates its rule in place; the secret is in no plan, outcome or error; what someone else set is
 * left alone.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LoadBalancerSpec } from '../../../src/model.js';
import type { OidcClientCredentials } from '../../../src/provider.js';
import { CLIENT_SECRET_TAG, CLUSTER_TAG, SHIELD_TAG, WEB_ACL_TAG } from '../../../providers/aws/plan/tags.js';
import { actionsOf, type AwsWorld, createAwsWorld, planNow, reconcile, specOf, tlsSecret } from '../../support/aws-provider-world.js';
import { ingressYaml, serviceYaml } from '../../support/cluster.js';

const ALB = 'alb.ingress.kubernetes.io/';
const TLS = tlsSecret('default', 'shop-tls', 'shop.example.com');
const SECRET_VALUE = 'first-client-secret-value';
const ROTATED_VALUE = 'second-client-secret-value';
const OIDC = JSON.stringify({
  issuer: 'https://idp.example.com',
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
  userInfoEndpoint: 'https://idp.example.com/userinfo',
  secretName: 'shop-oidc',
});
const REWRITE = '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]';
const JWT =
  '{"issuer":"https://issuer.example.com","jwksEndpoint":"https://issuer.example.com/jwks","additionalClaims":[{"format":"string-array","name":"groups","values":["shop"]}]}';

function oidcSecretYaml(clientSecret: string): string {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');
  return `apiVersion: v1\nkind: Secret\nmetadata: {name: shop-oidc, namespace: default}\ndata:\n  clientID: ${base64('shop-client')}\n  clientSecret: ${base64(clientSecret)}\n---\n`;
}

interface Features {
  annotations?: Record<string, string>;
  clientSecret?: string;
  /** The /admin path gets an OIDC login (a second Ingress of the group). */
  login?: boolean;
}

/** A group of two Ingresses: `shop` (HTTPS only, the API and the site) and, with `login`, `admin` behind an OIDC login. */
function shopSpec(features: Features = {}): LoadBalancerSpec {
  const group = { [`${ALB}group.name`]: 'shop', [`${ALB}listen-ports`]: '[{"HTTPS":443}]' };
  const admin = features.login
    ? ingressYaml({
        name: 'z-admin',
        annotations: { ...group, [`${ALB}auth-type`]: 'oidc', [`${ALB}auth-idp-oidc`]: OIDC },
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [{ host: 'shop.example.com', paths: [{ path: '/admin', pathType: 'Prefix', service: 'admin' }] }],
      }) + oidcSecretYaml(features.clientSecret ?? SECRET_VALUE)
    : '';
  return specOf(
    TLS.yaml +
      serviceYaml({ name: 'web' }) +
      serviceYaml({ name: 'api', nodePort: 30081 }) +
      serviceYaml({ name: 'admin', nodePort: 30082 }) +
      ingressYaml({
        name: 'shop',
        annotations: { ...group, ...features.annotations },
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.example.com',
            paths: [
              { path: '/api', pathType: 'Prefix', service: 'api' },
              { path: '/', pathType: 'Prefix', service: 'web' },
            ],
          },
        ],
      }) +
      admin,
  );
}

const STACK_ID = 'shop';

const worlds: AwsWorld[] = [];
function newWorld(): AwsWorld {
  const world = createAwsWorld();
  worlds.push(world);
  return world;
}
afterEach(() => {
  for (const world of worlds.splice(0)) world.close();
});

function secretsOf(value: string): Record<string, OidcClientCredentials> {
  return { 'default/shop-oidc': { clientId: 'shop-client', clientSecret: value } };
}

function provider(world: AwsWorld, clientSecret = SECRET_VALUE) {
  return world.newProvider({ material: TLS.material, clientSecrets: secretsOf(clientSecret) });
}

function loadBalancerOf(world: AwsWorld) {
  const lb = world.fake.state.loadBalancers()[0];
  assert.ok(lb, 'the load balancer exists');
  return lb;
}

function httpsListener(world: AwsWorld) {
  const listener = world.fake.state.listeners(loadBalancerOf(world).arn).find((candidate) => candidate.port === 443);
  assert.ok(listener, 'the HTTPS listener exists');
  return listener;
}

function ruleFor(world: AwsWorld, path: string) {
  const listener = httpsListener(world);
  const values = (candidate: { conditions: { Field?: string; PathPatternConfig?: { Values?: string[] } }[] }): string[] =>
    candidate.conditions.filter((condition) => condition.Field === 'path-pattern').flatMap((condition) => condition.PathPatternConfig?.Values ?? []);
  const rule = world.fake.state.rules(listener.arn).find((candidate) => values(candidate).includes(path === '/' ? '/*' : path));
  assert.ok(rule, `a rule for ${path}`);
  return rule;
}

function mutating(world: AwsWorld): string[] {
  return world.fake.mutatingCalls().map((call) => `${call.service}:${call.action}`);
}

/** Reconciles until nothing is left to do (the second pass must already be empty). */
async function converge(world: AwsWorld, spec: LoadBalancerSpec, clientSecret = SECRET_VALUE): Promise<void> {
  await reconcile(provider(world, clientSecret), STACK_ID, spec);
  assert.deepEqual(actionsOf(await planNow(provider(world, clientSecret), STACK_ID, spec)), []);
}

describe('AWS provider: WAF and Shield', () => {
  it('associates the web ACL and creates the protection, marks both as ours, and resyncs without a mutating call', async () => {
    const world = newWorld();
    const acl = world.fake.seed.webAcl({ name: 'shop-acl' });
    const spec = shopSpec({ annotations: { [`${ALB}wafv2-acl-arn`]: acl, [`${ALB}shield-advanced-protection`]: 'true' } });
    const one = provider(world);
    await reconcile(one, STACK_ID, spec);
    const lb = loadBalancerOf(world);
    assert.equal(world.fake.state.webAclOf(lb.arn), acl);
    const protection = world.fake.state.protectionOf(lb.arn);
    assert.equal(protection?.tags[CLUSTER_TAG], 'test');
    assert.equal(world.fake.state.tagsOf(lb.arn)[WEB_ACL_TAG], acl);
    assert.equal(world.fake.state.tagsOf(lb.arn)[SHIELD_TAG], 'true');
    assert.deepEqual(world.fake.deniedCalls(), []);

    world.fake.resetCalls();
    await reconcile(one, STACK_ID, spec);
    assert.deepEqual(mutating(world), []);
    const counts = world.fake.callCounts();
    assert.equal(counts['wafv2:GetWebACLForResource'], 1, 'the association is read once per observe');
    assert.ok((counts['shield:ListProtections'] ?? 0) <= 1, 'protections are read from the cached listing');

    world.fake.resetCalls();
    await reconcile(one, STACK_ID, spec);
    assert.deepEqual(mutating(world), []);
    assert.equal(world.fake.callCounts()['shield:ListProtections'], undefined, 'the listing is cached between resyncs');
  });

  it('resolves a web ACL by name; changes it in one AssociateWebACL', async () => {
    const world = newWorld();
    const first = world.fake.seed.webAcl({ name: 'shop-acl' });
    const second = world.fake.seed.webAcl({ name: 'shop-acl-v2' });
    await converge(world, shopSpec({ annotations: { [`${ALB}wafv2-acl-name`]: 'shop-acl' } }));
    assert.equal(world.fake.state.webAclOf(loadBalancerOf(world).arn), first);
    world.fake.resetCalls();
    await converge(world, shopSpec({ annotations: { [`${ALB}wafv2-acl-name`]: 'shop-acl-v2' } }));
    assert.deepEqual(
      mutating(world).filter((call) => call.startsWith('wafv2:')),
      ['wafv2:AssociateWebACL'],
    );
    assert.equal(world.fake.state.webAclOf(loadBalancerOf(world).arn), second);
  });

  it('a web ACL name that does not exist fails the apply saying so, and changes nothing else of the association', async () => {
    const world = newWorld();
    const spec = shopSpec({ annotations: { [`${ALB}wafv2-acl-name`]: 'missing-acl' } });
    const one = provider(world);
    const result = await one.apply(one.diff(spec, await one.observe({ id: STACK_ID }, spec)));
    const failed = result.outcomes.find((outcome) => outcome.error !== undefined);
    assert.match(failed?.error ?? '', /no regional WAFv2 web ACL is named missing-acl/);
    assert.equal(world.fake.state.webAclOf(loadBalancerOf(world).arn), undefined);
  });

  it('removing the annotations removes what we set, and only that', async () => {
    const world = newWorld();
    const acl = world.fake.seed.webAcl({ name: 'shop-acl' });
    await converge(world, shopSpec({ annotations: { [`${ALB}wafv2-acl-arn`]: acl, [`${ALB}shield-advanced-protection`]: 'true' } }));
    world.fake.resetCalls();
    await converge(world, shopSpec());
    const lb = loadBalancerOf(world);
    assert.deepEqual(
      mutating(world).filter((call) => !call.startsWith('elbv2:')),
      ['wafv2:DisassociateWebACL', 'shield:DeleteProtection'],
    );
    assert.equal(world.fake.state.webAclOf(lb.arn), undefined);
    assert.equal(world.fake.state.protectionOf(lb.arn), undefined);
    assert.equal(world.fake.state.tagsOf(lb.arn)[WEB_ACL_TAG], undefined);
    assert.equal(world.fake.state.tagsOf(lb.arn)[SHIELD_TAG], undefined);
  });

  it('leaves a web ACL and a protection someone else set (Firewall Manager) when no annotation asks; `none` removes the ACL', async () => {
    const world = newWorld();
    await converge(world, shopSpec());
    const lb = loadBalancerOf(world);
    const fms = world.fake.seed.webAcl({ name: 'fms-acl', associateWith: lb.arn });
    world.fake.seed.shieldProtection({ resourceArn: lb.arn });
    world.fake.resetCalls();
    await converge(world, shopSpec());
    await converge(world, shopSpec({ annotations: { [`${ALB}shield-advanced-protection`]: 'false' } }));
    assert.deepEqual(
      mutating(world).filter((call) => !call.startsWith('elbv2:')),
      [],
    );
    assert.equal(world.fake.state.webAclOf(lb.arn), fms);
    assert.ok(world.fake.state.protectionOf(lb.arn));

    // Shield wanted, and already there: nothing to create, nothing marked as ours.
    await converge(world, shopSpec({ annotations: { [`${ALB}shield-advanced-protection`]: 'true' } }));
    assert.equal(world.fake.state.tagsOf(lb.arn)[SHIELD_TAG], undefined);

    await converge(world, shopSpec({ annotations: { [`${ALB}wafv2-acl-arn`]: 'none' } }));
    assert.equal(world.fake.state.webAclOf(lb.arn), undefined);
    assert.deepEqual(world.fake.deniedCalls(), []);
  });

  it('deleting the stack deletes our protection before the load balancer', async () => {
    const world = newWorld();
    await converge(world, shopSpec({ annotations: { [`${ALB}shield-advanced-protection`]: 'true' } }));
    const lb = loadBalancerOf(world);
    world.fake.resetCalls();
    await provider(world).delete({ id: STACK_ID });
    const calls = mutating(world);
    assert.ok(calls.indexOf('shield:DeleteProtection') < calls.indexOf('elbv2:DeleteLoadBalancer'), calls.join(', '));
    assert.equal(world.fake.state.protectionOf(lb.arn), undefined);
    assert.deepEqual(world.fake.deniedCalls(), []);
  });
});

describe('AWS provider: authentication', () => {
  it('creates the OIDC rule with the secret read at apply time; the plan, outcomes and errors never carry it', async () => {
    const world = newWorld();
    const spec = shopSpec({ login: true });
    const one = provider(world);
    const plan = one.diff(spec, await one.observe({ id: STACK_ID }, spec));
    assert.equal(JSON.stringify(plan).includes(SECRET_VALUE), false);
    assert.match(JSON.stringify(plan), /\$\{ClientSecret:default\/shop-oidc\}/);
    const result = await one.apply(plan);
    assert.equal(JSON.stringify(result).includes(SECRET_VALUE), false);
    const rule = ruleFor(world, '/admin');
    assert.deepEqual(
      rule.actions.map((action) => action.Type),
      ['authenticate-oidc', 'forward'],
    );
    assert.equal(world.fake.state.clientSecretOf(rule.arn), SECRET_VALUE);
    assert.match(world.fake.state.tagsOf(rule.arn)[CLIENT_SECRET_TAG] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(JSON.stringify(world.fake.calls().filter((call) => call.action.startsWith('Describe'))).includes(SECRET_VALUE), false);

    world.fake.resetCalls();
    await reconcile(one, STACK_ID, spec);
    assert.deepEqual(mutating(world), []);
  });

  it('a rotated client secret updates the rule in place: one ModifyRule with the new secret, then its fingerprint tag', async () => {
    const world = newWorld();
    await converge(world, shopSpec({ login: true }));
    const before = ruleFor(world, '/admin');
    world.fake.resetCalls();
    await converge(world, shopSpec({ login: true, clientSecret: ROTATED_VALUE }), ROTATED_VALUE);
    assert.deepEqual(mutating(world), ['elbv2:ModifyRule', 'elbv2:AddTags']);
    const after = ruleFor(world, '/admin');
    assert.equal(after.arn, before.arn);
    assert.equal(world.fake.state.clientSecretOf(after.arn), ROTATED_VALUE);
    const sent = world.fake.calls().find((call) => call.action === 'ModifyRule');
    assert.match(JSON.stringify(sent?.input), /"ClientSecret":"second-client-secret-value"/);
  });

  it('a change to the rule that is not the secret keeps the secret the rule has (UseExistingClientSecret)', async () => {
    const world = newWorld();
    await converge(world, shopSpec({ login: true }));
    const spec = shopSpec({ login: true });
    const admin = spec.listeners[0]?.rules.find((rule) => rule.origin.path === '/admin');
    assert.ok(admin?.authentication?.type === 'oidc');
    admin.authentication.scope = 'openid email';
    world.fake.resetCalls();
    await reconcile(provider(world), STACK_ID, spec);
    const modify = world.fake.calls().find((call) => call.action === 'ModifyRule');
    assert.match(JSON.stringify(modify?.input), /"UseExistingClientSecret":true/);
    assert.doesNotMatch(JSON.stringify(modify?.input), /"ClientSecret"/);
    assert.equal(world.fake.state.clientSecretOf(ruleFor(world, '/admin').arn), SECRET_VALUE);
  });

  it('a Secret the provider cannot read fails the apply naming the Secret, not a value', async () => {
    const world = newWorld();
    const spec = shopSpec({ login: true });
    const one = world.newProvider({ material: TLS.material });
    const result = await one.apply(one.diff(spec, await one.observe({ id: STACK_ID }, spec)));
    const failed = result.outcomes.find((outcome) => outcome.error !== undefined);
    assert.match(failed?.error ?? '', /OIDC client secret in Secret default\/shop-oidc is not available/);
  });

  it('jwt-validation and transforms land on their rules; changing and removing a rewrite modifies the rule in place', async () => {
    const world = newWorld();
    await converge(world, shopSpec({ annotations: { [`${ALB}jwt-validation`]: JWT, [`${ALB}transforms.api`]: REWRITE } }));
    const api = ruleFor(world, '/api');
    assert.deepEqual(
      api.actions.map((action) => action.Type),
      ['jwt-validation', 'forward'],
    );
    assert.deepEqual(api.transforms, [{ Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '^/api/(.*)$', Replace: '/$1' }] } }]);
    assert.equal(ruleFor(world, '/').transforms.length, 0);

    world.fake.resetCalls();
    await converge(world, shopSpec({ annotations: { [`${ALB}jwt-validation`]: JWT, [`${ALB}transforms.api`]: REWRITE.replace('/$1', '/v2/$1') } }));
    assert.deepEqual(mutating(world), ['elbv2:ModifyRule']);
    assert.equal(ruleFor(world, '/api').arn, api.arn);

    world.fake.resetCalls();
    await converge(world, shopSpec({ annotations: { [`${ALB}jwt-validation`]: JWT } }));
    const reset = world.fake.calls().find((call) => call.action === 'ModifyRule');
    assert.match(JSON.stringify(reset?.input), /"ResetTransforms":true/);
    assert.deepEqual(ruleFor(world, '/api').transforms, []);
  });
});

describe('AWS provider: listeners and outside target groups', () => {
  it('mutual TLS verify with a trust store by name, and listener attributes (only the listed keys, only when they differ)', async () => {
    const world = newWorld();
    const trustStore = world.fake.seed.trustStore({ name: 'partners' });
    const mtls = '[{"port":443,"mode":"verify","trustStore":"partners"}]';
    const attributes = (server: string): Record<string, string> => ({
      [`${ALB}mutual-authentication`]: mtls,
      [`${ALB}listener-attributes.HTTPS-443`]: `routing.http.response.server.enabled=${server}, routing.http.response.x_frame_options.header_value=DENY`,
    });
    await converge(world, shopSpec({ annotations: attributes('false') }));
    const listener = httpsListener(world);
    assert.deepEqual(listener.mutualAuthentication, {
      Mode: 'verify',
      TrustStoreArn: trustStore,
      IgnoreClientCertificateExpiry: false,
      AdvertiseTrustStoreCaNames: 'off',
    });
    assert.deepEqual(listener.attributes, { 'routing.http.response.server.enabled': 'false', 'routing.http.response.x_frame_options.header_value': 'DENY' });

    world.fake.resetCalls();
    await converge(world, shopSpec({ annotations: attributes('true') }));
    const modified = world.fake.calls().filter((call) => call.action === 'ModifyListenerAttributes');
    assert.equal(modified.length, 1);
    assert.deepEqual((modified[0]?.input as { Attributes: unknown }).Attributes, [{ Key: 'routing.http.response.server.enabled', Value: 'true' }]);

    world.fake.resetCalls();
    await converge(world, shopSpec({ annotations: { [`${ALB}mutual-authentication`]: '[{"port":443,"mode":"passthrough"}]' } }));
    assert.deepEqual(httpsListener(world).mutualAuthentication, { Mode: 'passthrough' });
    // The attribute annotation went: the keys it set are no longer managed, and stay as they are.
    assert.equal(httpsListener(world).attributes['routing.http.response.server.enabled'], 'true');
    assert.deepEqual(mutating(world), ['elbv2:ModifyListener']);

    world.fake.resetCalls();
    await converge(world, shopSpec());
    assert.deepEqual(httpsListener(world).mutualAuthentication, { Mode: 'off' });
  });

  it('forwards to target groups outside the cluster by ARN and by name, and never touches them', async () => {
    const world = newWorld();
    const legacy = world.fake.seed.targetGroup({ name: 'legacy' });
    world.fake.seed.targetGroup({ name: 'old-web' });
    const action = `{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"${legacy}","weight":10},{"targetGroupName":"old-web","weight":90}]}}`;
    await converge(world, outsideSpec(action));
    const rule = ruleFor(world, '/');
    const groups = rule.actions[0]?.ForwardConfig?.TargetGroups?.map((group) => group.TargetGroupArn);
    const oldWeb = world.fake.state.targetGroups().find((group) => group.name === 'old-web')?.arn;
    assert.deepEqual(groups, [legacy, oldWeb]);
    assert.equal(world.fake.state.tagsOf(legacy)[CLUSTER_TAG], undefined);
    const touching = world.fake.mutatingCalls().filter((call) => call.action !== 'CreateRule' && JSON.stringify(call.input).includes(legacy));
    assert.deepEqual(touching, []);

    await converge(world, shopSpec());
    assert.ok(
      world.fake.state.targetGroups().some((group) => group.arn === legacy),
      'an outside target group is never deleted',
    );
    assert.deepEqual(world.fake.deniedCalls(), []);
  });
});

/** The shop, with `/` routed through the annotation action `actions.web` (port use-annotation). */
function outsideSpec(action: string): LoadBalancerSpec {
  return specOf(
    TLS.yaml +
      serviceYaml({ name: 'api', nodePort: 30081 }) +
      ingressYaml({
        name: 'shop',
        annotations: { [`${ALB}group.name`]: 'shop', [`${ALB}listen-ports`]: '[{"HTTPS":443}]', [`${ALB}actions.web`]: action },
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.example.com',
            paths: [
              { path: '/api', pathType: 'Prefix', service: 'api' },
              { path: '/', pathType: 'Prefix', service: 'web', port: 'use-annotation' },
            ],
          },
        ],
      }),
  );
}

describe('AWS provider: crash safety of the new calls', () => {
  const featureAnnotations = (acl: string): Record<string, string> => ({
    [`${ALB}wafv2-acl-arn`]: acl,
    [`${ALB}shield-advanced-protection`]: 'true',
    [`${ALB}transforms.api`]: REWRITE,
    [`${ALB}mutual-authentication`]: '[{"port":443,"mode":"verify","trustStore":"partners"}]',
    [`${ALB}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=false',
  });

  /** The parts of the stack these features set, with ids replaced by names. */
  function featureShape(world: AwsWorld): unknown {
    const lb = loadBalancerOf(world);
    const listener = httpsListener(world);
    const tags = world.fake.state.tagsOf(lb.arn);
    const acls = new Map([[world.fake.state.webAclOf(lb.arn) ?? '', 'the acl']]);
    return {
      webAcl: acls.get(world.fake.state.webAclOf(lb.arn) ?? '') ?? 'none',
      protected: world.fake.state.protectionOf(lb.arn) !== undefined,
      markers: [tags[WEB_ACL_TAG] !== undefined, tags[SHIELD_TAG]],
      mutual: listener.mutualAuthentication?.Mode,
      attributes: listener.attributes,
      rules: world.fake.state.rules(listener.arn).map((rule) => ({
        actions: rule.actions.map((action) => action.Type),
        transforms: rule.transforms.length,
        secret: world.fake.state.clientSecretOf(rule.arn) ?? null,
      })),
    };
  }

  function seeded(): { world: AwsWorld; acl: string } {
    const world = newWorld();
    world.fake.seed.trustStore({ name: 'partners' });
    return { world, acl: world.fake.seed.webAcl({ name: 'shop-acl' }) };
  }

  it('a crash after any mutating call of the create converges to the same stack, nothing duplicated', async () => {
    const clean = seeded();
    await converge(clean.world, shopSpec({ login: true, annotations: featureAnnotations(clean.acl) }));
    const expected = featureShape(clean.world);
    const mutations = clean.world.fake.mutatingCalls().length;
    assert.ok(clean.world.fake.mutatingCalls().some((call) => call.action === 'CreateProtection'));

    for (let k = 0; k < mutations; k += 1) {
      const { world, acl } = seeded();
      const spec = shopSpec({ login: true, annotations: featureAnnotations(acl) });
      world.fake.failAfterMutations(k);
      const crashed = provider(world);
      const result = await crashed.apply(crashed.diff(spec, await crashed.observe({ id: STACK_ID }, spec)));
      assert.ok(
        result.outcomes.some((outcome) => outcome.error?.includes('FakeCrash')),
        `crash after ${k} mutations`,
      );
      world.fake.failAfterMutations(undefined);
      await converge(world, spec);
      assert.deepEqual(featureShape(world), expected, `crash at ${k}`);
      assert.equal(world.fake.state.loadBalancers().length, 1);
      world.close();
    }
  });

  it('a crash after any mutating call of the removal converges to nothing of ours left in front of the load balancer', async () => {
    const clean = seeded();
    await converge(clean.world, shopSpec({ login: true, annotations: featureAnnotations(clean.acl) }));
    clean.world.fake.resetCalls();
    await converge(clean.world, shopSpec({ login: true }));
    const mutations = clean.world.fake.mutatingCalls().length;
    const expected = featureShape(clean.world);

    for (let k = 0; k < mutations; k += 1) {
      const { world, acl } = seeded();
      await converge(world, shopSpec({ login: true, annotations: featureAnnotations(acl) }));
      const spec = shopSpec({ login: true });
      world.fake.failAfterMutations(k);
      const crashed = provider(world);
      await crashed.apply(crashed.diff(spec, await crashed.observe({ id: STACK_ID }, spec)));
      world.fake.failAfterMutations(undefined);
      await converge(world, spec);
      assert.deepEqual(featureShape(world), expected, `crash at ${k}`);
      world.close();
    }
  });
});
