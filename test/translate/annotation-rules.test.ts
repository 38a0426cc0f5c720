import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, ObjectRef } from '../../src/model.js';
import type { AnnotationAction } from '../../src/translate/annotation-types.js';
import { parseIngressAnnotations } from '../../src/translate/annotations.js';

const INGRESS: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };

function parseOne(kind: 'actions' | 'conditions', raw: string, prefix = 'alb.ingress.kubernetes.io/') {
  const key = `${prefix}${kind}.canary`;
  const parsed = parseIngressAnnotations({ [key]: raw }, INGRESS);
  return { key, parsed, action: parsed.value.actions.get('canary'), conditions: parsed.value.conditions.get('canary') };
}

const GOOD_ACTIONS: { name: string; raw: string; expected: AnnotationAction }[] = [
  {
    name: 'fixed-response',
    raw: '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"down for maintenance"}}',
    expected: { type: 'fixed-response', statusCode: '503', contentType: 'text/plain', messageBody: 'down for maintenance' },
  },
  {
    name: 'fixed-response with only a numeric status code',
    raw: '{"type":"fixed-response","fixedResponseConfig":{"statusCode":404}}',
    expected: { type: 'fixed-response', statusCode: '404' },
  },
  {
    name: 'redirect',
    raw: '{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"443","host":"www.example.com","path":"/new","query":"a=b","statusCode":"HTTP_301"}}',
    expected: { type: 'redirect', protocol: 'HTTPS', port: '443', host: 'www.example.com', path: '/new', query: 'a=b', statusCode: 'HTTP_301' },
  },
  {
    name: 'redirect keeping request values',
    raw: '{"type":"redirect","redirectConfig":{"protocol":"HTTPS","port":"#{port}","host":"#{host}","path":"/#{path}","query":"#{query}","statusCode":"HTTP_302"}}',
    expected: { type: 'redirect', protocol: 'HTTPS', statusCode: 'HTTP_302' },
  },
  {
    name: 'weighted forward with stickiness',
    raw:
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"blue","servicePort":"80","weight":20},' +
      '{"serviceName":"green","servicePort":"http","weight":80},{"serviceName":"red","servicePort":8080,"weight":0}],' +
      '"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":200}}}',
    expected: {
      type: 'forward',
      backends: [
        { serviceName: 'blue', servicePort: 80, weight: 20 },
        { serviceName: 'green', servicePort: 'http', weight: 80 },
        { serviceName: 'red', servicePort: 8080, weight: 0 },
      ],
      stickiness: { enabled: true, durationSeconds: 200 },
    },
  },
  {
    name: 'forward to one Service without a weight, stickiness off',
    raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"blue","servicePort":80}],"targetGroupStickinessConfig":{"enabled":false}}}',
    expected: { type: 'forward', backends: [{ serviceName: 'blue', servicePort: 80, weight: 1 }] },
  },
  {
    name: 'forward to a target group outside the cluster by ARN (simplified schema)',
    raw: '{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef"}',
    expected: {
      type: 'forward',
      backends: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef', weight: 1 }],
    },
  },
  {
    name: 'forward to a target group outside the cluster by name',
    raw: '{"type":"forward","targetGroupName":"legacy-web"}',
    expected: { type: 'forward', backends: [{ targetGroupName: 'legacy-web', weight: 1 }] },
  },
  {
    name: 'weighted forward mixing a Service and an outside target group',
    raw:
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"blue","servicePort":80,"weight":40},' +
      '{"targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef","weight":60}]}}',
    expected: {
      type: 'forward',
      backends: [
        { serviceName: 'blue', servicePort: 80, weight: 40 },
        { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef', weight: 60 },
      ],
    },
  },
  {
    name: 'keys in another case, as Go decodes them',
    raw: '{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"503"}}',
    expected: { type: 'fixed-response', statusCode: '503' },
  },
];

describe('actions.<name>', () => {
  for (const entry of GOOD_ACTIONS) {
    it(entry.name, () => {
      for (const prefix of ['ingress-bridge.io/', 'alb.ingress.kubernetes.io/']) {
        const { parsed, action } = parseOne('actions', entry.raw, prefix);
        assert.deepEqual(parsed.diagnostics, []);
        assert.deepEqual(action, entry.expected);
      }
    });
  }

  const BAD: { name: string; raw: string; problem: RegExp }[] = [
    { name: 'malformed JSON', raw: '{"type":"forward",', problem: /expected valid JSON/ },
    { name: 'not an object', raw: '["forward"]', problem: /JSON object/ },
    { name: 'unknown type', raw: '{"type":"authenticate-oidc"}', problem: /type must be fixed-response, redirect or forward, got "authenticate-oidc"/ },
    { name: 'missing fixedResponseConfig', raw: '{"type":"fixed-response"}', problem: /needs fixedResponseConfig/ },
    {
      name: 'fixed-response status 302',
      raw: '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"302"}}',
      problem: /2XX, 4XX or 5XX code, got "302"/,
    },
    {
      name: 'fixed-response content type',
      raw: '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"200","contentType":"text/xml"}}',
      problem: /text\/plain, text\/css, text\/html, application\/javascript or application\/json/,
    },
    {
      name: 'message body too long',
      raw: JSON.stringify({ type: 'fixed-response', fixedResponseConfig: { statusCode: '200', messageBody: 'x'.repeat(1025) } }),
      problem: /at most 1024 characters/,
    },
    {
      name: 'redirect that changes nothing',
      raw: '{"type":"redirect","redirectConfig":{"host":"#{host}","query":"a=b","statusCode":"HTTP_301"}}',
      problem: /must change at least one of protocol, port, host or path/,
    },
    { name: 'redirect status 307', raw: '{"type":"redirect","redirectConfig":{"protocol":"HTTPS","statusCode":"HTTP_307"}}', problem: /HTTP_301 or HTTP_302/ },
    {
      name: 'redirect protocol',
      raw: '{"type":"redirect","redirectConfig":{"protocol":"ftp","statusCode":"HTTP_301"}}',
      problem: /HTTP, HTTPS or #\{protocol\}/,
    },
    { name: 'redirect port', raw: '{"type":"redirect","redirectConfig":{"port":"99999","statusCode":"HTTP_301"}}', problem: /port from 1 to 65535/ },
    { name: 'redirect path', raw: '{"type":"redirect","redirectConfig":{"path":"new","statusCode":"HTTP_301"}}', problem: /must start with "\/"/ },
    {
      name: 'a targetGroupARN that is not a target group ARN',
      raw: '{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/y"}',
      problem: /targetGroupARN must be a target group ARN/,
    },
    { name: 'a targetGroupName ending in "-"', raw: '{"type":"forward","targetGroupName":"legacy-"}', problem: /targetGroupName must be a target group name/ },
    {
      name: 'a targetGroupName of 33 characters',
      raw: JSON.stringify({ type: 'forward', targetGroupName: 'a'.repeat(33) }),
      problem: /targetGroupName must be a target group name/,
    },
    {
      name: 'targetGroupARN and targetGroupName together',
      raw: '{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/legacy/0123456789abcdef","targetGroupName":"legacy"}',
      problem: /both set/,
    },
    {
      name: 'targetGroupARN and forwardConfig together',
      raw: '{"type":"forward","targetGroupName":"legacy","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80}]}}',
      problem: /either targetGroupARN\/targetGroupName or forwardConfig/,
    },
    {
      name: 'a bad targetGroupARN in a tuple',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupARN":"arn:aws:x"}]}}',
      problem: /targetGroups\[0\]\.targetGroupARN must be a target group ARN/,
    },
    {
      name: 'a tuple naming a target group and a Service',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupName":"legacy","serviceName":"a","servicePort":80}]}}',
      problem: /names both a target group and a Service/,
    },
    {
      name: 'a repeated outside target group',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroupName":"legacy","weight":1},{"targetGroupName":"legacy","weight":2}]}}',
      problem: /repeats target group legacy/,
    },
    { name: 'no target groups', raw: '{"type":"forward","forwardConfig":{"targetGroups":[]}}', problem: /1 to 5 target groups/ },
    {
      name: 'six target groups',
      raw: JSON.stringify({
        type: 'forward',
        forwardConfig: { targetGroups: [1, 2, 3, 4, 5, 6].map((n) => ({ serviceName: `s${n}`, servicePort: 80, weight: 1 })) },
      }),
      problem: /1 to 5 target groups/,
    },
    {
      name: 'weight too large',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80,"weight":1000}]}}',
      problem: /targetGroups\[0\]\.weight must be an integer from 0 to 999/,
    },
    {
      name: 'missing weight with two groups',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80,"weight":1},{"serviceName":"b","servicePort":80}]}}',
      problem: /targetGroups\[1\]\.weight is required/,
    },
    { name: 'missing serviceName', raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"servicePort":80}]}}', problem: /serviceName is required/ },
    {
      name: 'bad servicePort',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":"70000"}]}}',
      problem: /port number from 1 to 65535 or a port name, got "70000"/,
    },
    {
      name: 'repeated backend',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":"80","weight":1},{"serviceName":"a","servicePort":80,"weight":2}]}}',
      problem: /repeats service a port 80/,
    },
    {
      name: 'stickiness without duration',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80}],"targetGroupStickinessConfig":{"enabled":true}}}',
      problem: /durationSeconds is required/,
    },
    {
      name: 'stickiness duration too long',
      raw: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80}],"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":604801}}}',
      problem: /from 1 to 604800/,
    },
  ];
  for (const entry of BAD) {
    it(`rejects ${entry.name}`, () => {
      const { key, parsed, action } = parseOne('actions', entry.raw);
      assert.equal(parsed.diagnostics.length, 1, JSON.stringify(parsed.diagnostics));
      const [error] = parsed.diagnostics;
      assert.equal(error?.severity, 'error');
      assert.equal(error?.field, `metadata.annotations["${key}"]`);
      assert.ok(error?.message.startsWith(`${key} has an invalid value`), error?.message);
      assert.match(error?.message ?? '', entry.problem);
      assert.equal(action, undefined);
    });
  }
});

const GOOD_CONDITIONS: { name: string; raw: string; expected: Condition[] }[] = [
  {
    name: 'host-header values',
    raw: '[{"field":"host-header","hostHeaderConfig":{"values":["*.example.com"]}}]',
    expected: [{ field: 'host-header', values: ['*.example.com'] }],
  },
  {
    name: 'host-header regexValues',
    raw: '[{"field":"host-header","hostHeaderConfig":{"regexValues":["^api\\\\d\\\\.example\\\\.com$"]}}]',
    expected: [{ field: 'host-header', regexValues: ['^api\\d\\.example\\.com$'] }],
  },
  {
    name: 'path-pattern values',
    raw: '[{"field":"path-pattern","pathPatternConfig":{"values":["/api/*"]}}]',
    expected: [{ field: 'path-pattern', values: ['/api/*'] }],
  },
  {
    name: 'path-pattern regexValues',
    raw: '[{"field":"path-pattern","pathPatternConfig":{"regexValues":["^/v[12]/"]}}]',
    expected: [{ field: 'path-pattern', regexValues: ['^/v[12]/'] }],
  },
  {
    name: 'http-header values',
    raw: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary","values":["true"]}}]',
    expected: [{ field: 'http-header', headerName: 'X-Canary', values: ['true'] }],
  },
  {
    name: 'http-header regexValues',
    raw: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"User-Agent","regexValues":[".*Mobile.*"]}}]',
    expected: [{ field: 'http-header', headerName: 'User-Agent', regexValues: ['.*Mobile.*'] }],
  },
  {
    name: 'http-request-method',
    raw: '[{"field":"http-request-method","httpRequestMethodConfig":{"values":["GET","HEAD"]}}]',
    expected: [{ field: 'http-request-method', values: ['GET', 'HEAD'] }],
  },
  {
    name: 'query-string',
    raw: '[{"field":"query-string","queryStringConfig":{"values":[{"key":"version","value":"v2"},{"value":"*beta*"}]}}]',
    expected: [{ field: 'query-string', values: [{ key: 'version', value: 'v2' }, { value: '*beta*' }] }],
  },
  {
    name: 'source-ip as sourceIpConfig',
    raw: '[{"field":"source-ip","sourceIpConfig":{"values":["192.168.0.0/16","2001:db8::/32"]}}]',
    expected: [{ field: 'source-ip', values: ['192.168.0.0/16', '2001:db8::/32'] }],
  },
  {
    name: 'source-ip as sourceIPConfig',
    raw: '[{"field":"source-ip","sourceIPConfig":{"values":["10.0.0.0/8"]}}]',
    expected: [{ field: 'source-ip', values: ['10.0.0.0/8'] }],
  },
  {
    name: 'several conditions, in order',
    raw: '[{"field":"http-request-method","httpRequestMethodConfig":{"values":["POST"]}},{"field":"host-header","hostHeaderConfig":{"values":["a.example.com"]}}]',
    expected: [
      { field: 'http-request-method', values: ['POST'] },
      { field: 'host-header', values: ['a.example.com'] },
    ],
  },
];

describe('conditions.<name>', () => {
  for (const entry of GOOD_CONDITIONS) {
    it(entry.name, () => {
      for (const prefix of ['ingress-bridge.io/', 'alb.ingress.kubernetes.io/']) {
        const { parsed, conditions } = parseOne('conditions', entry.raw, prefix);
        assert.deepEqual(parsed.diagnostics, []);
        assert.deepEqual(conditions, entry.expected);
      }
    });
  }

  const BAD: { name: string; raw: string; problem: RegExp }[] = [
    { name: 'malformed JSON', raw: '[{"field":"host-header"', problem: /expected valid JSON/ },
    { name: 'not a list', raw: '{"field":"host-header"}', problem: /JSON list of conditions/ },
    {
      name: 'unknown field',
      raw: '[{"field":"cookie"}]',
      problem: /\[0\]\.field must be host-header, path-pattern, http-header, http-request-method, query-string or source-ip, got "cookie"/,
    },
    { name: 'missing config', raw: '[{"field":"host-header","values":["a.example.com"]}]', problem: /needs hostHeaderConfig/ },
    {
      name: 'both values and regexValues',
      raw: '[{"field":"path-pattern","pathPatternConfig":{"values":["/a"],"regexValues":["^/a"]}}]',
      problem: /values or regexValues, not both/,
    },
    {
      name: 'neither values nor regexValues',
      raw: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-A"}}]',
      problem: /must set values or regexValues/,
    },
    {
      name: 'value too long',
      raw: JSON.stringify([{ field: 'host-header', hostHeaderConfig: { values: ['a'.repeat(129)] } }]),
      problem: /at most 128 characters/,
    },
    { name: 'empty values', raw: '[{"field":"host-header","hostHeaderConfig":{"values":[]}}]', problem: /non-empty list/ },
    {
      name: 'header name missing',
      raw: '[{"field":"http-header","httpHeaderConfig":{"values":["x"]}}]',
      problem: /httpHeaderName must be an HTTP header name/,
    },
    {
      name: 'header name with a space',
      raw: '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X A","values":["x"]}}]',
      problem: /httpHeaderName must be an HTTP header name/,
    },
    { name: 'lower-case method', raw: '[{"field":"http-request-method","httpRequestMethodConfig":{"values":["get"]}}]', problem: /upper-case method names/ },
    {
      name: 'query-string without value',
      raw: '[{"field":"query-string","queryStringConfig":{"values":[{"key":"a"}]}}]',
      problem: /values\[0\]\.value is required/,
    },
    {
      name: 'source-ip that is no CIDR',
      raw: '[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.1"]}}]',
      problem: /IPv4 or IPv6 CIDRs, got "10.0.0.1"/,
    },
  ];
  for (const entry of BAD) {
    it(`rejects ${entry.name}`, () => {
      const { key, parsed, conditions } = parseOne('conditions', entry.raw);
      assert.equal(parsed.diagnostics.length, 1, JSON.stringify(parsed.diagnostics));
      const [error] = parsed.diagnostics;
      assert.equal(error?.severity, 'error');
      assert.equal(error?.field, `metadata.annotations["${key}"]`);
      assert.match(error?.message ?? '', entry.problem);
      assert.equal(conditions, undefined);
    });
  }

  it('keeps conditions and actions for several backends apart', () => {
    const parsed = parseIngressAnnotations(
      {
        'alb.ingress.kubernetes.io/conditions.blue': '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Color","values":["blue"]}}]',
        'alb.ingress.kubernetes.io/conditions.green': '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Color","values":["green"]}}]',
        'ingress-bridge.io/actions.blue': '{"type":"fixed-response","fixedResponseConfig":{"statusCode":"200"}}',
      },
      INGRESS,
    );
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual([...parsed.value.conditions.keys()].sort(), ['blue', 'green']);
    assert.deepEqual(parsed.value.conditions.get('green'), [{ field: 'http-header', headerName: 'X-Color', values: ['green'] }]);
    assert.deepEqual([...parsed.value.actions.keys()], ['blue']);
  });
});
