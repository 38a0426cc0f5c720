/**
 * deploy/components/monitoring: the alert rules pass `promtool check rules` and the unit tests in
 * monitoring/alerts.promtool.yaml (each alert firing on its series and silent on others); every
 * alert says what it means and links a runbook section that exists; the ServiceMonitor scrapes the
 * port the controller serves /metrics on; the dashboard ConfigMap is the raw JSON, labelled for
 * Grafana's sidecar; and the example overlay adds the component.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { V1ConfigMap, V1Deployment, V1Service } from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { controllerContainer, deployDocuments, DEPLOY_DIR, expandArgs, parseRunArgs, readYamlDocuments, theDocument } from '../support/deploy-manifests.js';
import { alertRules, dashboard, dashboardText, markdownAnchors, prometheusRule, RUNBOOK_PREFIX } from '../support/monitoring.js';
import { parseListenAddress } from '../../src/observability/health.js';

const PROMTOOL_TESTS = new URL('./monitoring/alerts.promtool.yaml', import.meta.url);

interface PromtoolTests {
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

interface ServiceMonitor {
  metadata: { namespace: string };
  spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector?: { matchNames?: string[] }; endpoints: { port: string; path?: string }[] };
}

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}); install it: apt-get install -y prometheus (.ci/run does)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the alert rules, under promtool', () => {
  let dir = '';
  before(() => {
    // promtool reads plain rule files: the PrometheusRule's spec is exactly one.
    dir = mkdtempSync(join(tmpdir(), 'ingress-bridge-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify(prometheusRule().spec));
    copyFileSync(PROMTOOL_TESTS, join(dir, 'alerts.promtool.yaml'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pass `promtool check rules`', () => {
    const { status, output } = promtool(['check', 'rules', join(dir, 'rules.yaml')]);
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`SUCCESS: ${alertRules().length} rules found`));
  });

  it('pass `promtool test rules`: each alert fires on its series and stays silent on the others', () => {
    const { status, output } = promtool(['test', 'rules', join(dir, 'alerts.promtool.yaml')]);
    assert.equal(status, 0, output);
  });

  it('every alert has a firing case and a silent case in the promtool tests', () => {
    const cases = (parse(readFileSync(PROMTOOL_TESTS, 'utf8')) as PromtoolTests).tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const { alert } of alertRules()) {
      const own = cases.filter((entry) => entry.alertname === alert);
      assert.ok(
        own.some((entry) => (entry.exp_alerts ?? []).length > 0),
        `${alert} is tested firing`,
      );
      assert.ok(
        own.some((entry) => (entry.exp_alerts ?? []).length === 0),
        `${alert} is tested silent`,
      );
    }
  });
});

describe('the alerts, for the operator who gets one', () => {
  const anchors = markdownAnchors('docs/troubleshooting.md');
  const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

  it('cover what the operator must know about', () => {
    assert.deepEqual(
      alertRules()
        .map((rule) => rule.alert)
        .sort(),
      [
        'IngressBridgeCertificateImportFailing',
        'IngressBridgeCloudApiThrottled',
        'IngressBridgeDriftRepairedRepeatedly',
        'IngressBridgeNoLeader',
        'IngressBridgeReadinessGatesStuck',
        'IngressBridgeStackReconcileFailing',
        'IngressBridgeTargetRegistrationSlow',
      ],
    );
  });

  it('each has a severity, a summary, a description and a runbook section in docs/troubleshooting.md', () => {
    for (const rule of alertRules()) {
      assert.ok(['warning', 'critical'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
      assert.ok((rule.annotations?.summary ?? '').length > 20, `${rule.alert}: summary`);
      assert.ok((rule.annotations?.description ?? '').length > 60, `${rule.alert}: description`);
      const url = rule.annotations?.runbook_url ?? '';
      assert.ok(url.startsWith(`${RUNBOOK_PREFIX}docs/troubleshooting.md#`), `${rule.alert}: runbook_url ${url}`);
      const anchor = url.slice(url.indexOf('#') + 1);
      assert.equal(anchor, `alert-${rule.alert.toLowerCase()}`, `${rule.alert}: the anchor names the alert`);
      assert.ok(anchors.has(anchor), `${rule.alert}: docs/troubleshooting.md has a heading for #${anchor}`);
      assert.ok(operations.includes(rule.alert), `${rule.alert}: explained in docs/operations.md`);
    }
  });
});

describe('the monitoring component', () => {
  const documents = deployDocuments();
  const deployment = theDocument<V1Deployment>(documents, { file: 'base/deployment.yaml', kind: 'Deployment' });
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  const service = theDocument<V1Service>(documents, { file: 'components/monitoring/service.yaml', kind: 'Service' });
  const monitor = theDocument<ServiceMonitor>(documents, { file: 'components/monitoring/servicemonitor.yaml', kind: 'ServiceMonitor' });

  it('scrapes /metrics on the port the controller serves it on, on every replica', async () => {
    const parsed = await parseRunArgs(expandArgs(controllerContainer(deployment).args ?? [], controllerContainer(deployment).env ?? [], 'ingress-bridge'));
    assert.ok(parsed.ok);
    const metricsPort = parseListenAddress(parsed.values.metricsAddress)?.port;
    const containerPort = controllerContainer(deployment).ports?.find((port) => port.name === 'metrics');
    assert.equal(containerPort?.containerPort, metricsPort);
    assert.ok(
      Object.entries(service.spec?.selector ?? {}).every(([key, value]) => podLabels[key] === value),
      'the Service selects the controller pods',
    );
    const servicePort = service.spec?.ports?.find((port) => port.targetPort === 'metrics');
    assert.ok(servicePort?.name, 'the Service targets the container port named metrics');
    assert.equal(service.metadata?.namespace, deployment.metadata?.namespace);
    assert.ok(
      Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata?.labels?.[key] === value),
      'the ServiceMonitor selects the Service',
    );
    assert.deepEqual(monitor.spec.namespaceSelector?.matchNames, [service.metadata?.namespace]);
    assert.deepEqual(
      monitor.spec.endpoints.map((endpoint) => [endpoint.port, endpoint.path]),
      [[servicePort.name, '/metrics']],
    );
  });

  it('the PrometheusRule lives beside the controller', () => {
    assert.equal(prometheusRule().metadata.namespace, deployment.metadata?.namespace);
  });

  it('the dashboard has a stable uid, unique panel ids, panels within the grid, and a Prometheus datasource variable', () => {
    const board = dashboard();
    assert.equal(board.uid, 'ingress-bridge');
    const ids = board.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const panel of board.panels) assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24 columns`);
    assert.ok(board.templating.list.some((variable) => variable.name === 'datasource'));
    for (const panel of board.panels)
      for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' }, panel.title);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it(
    'the example overlay adds the component; its dashboard ConfigMap is the raw JSON, labelled for Grafana',
    { skip: !kubectl && 'kubectl is not installed' },
    () => {
      const overlay = readYamlDocuments('overlays/example/kustomization.yaml')[0] as { components?: string[] };
      assert.deepEqual(overlay.components, ['../../components/monitoring']);
      const rendered = spawnSync('kubectl', ['kustomize', join(DEPLOY_DIR, 'overlays/example')], { encoding: 'utf8' });
      assert.equal(rendered.status, 0, rendered.stderr);
      const objects = parseAllDocuments(rendered.stdout).map((document) => document.toJS() as { kind: string; metadata: { name: string } });
      for (const kind of ['Service', 'ServiceMonitor', 'PrometheusRule', 'ConfigMap'])
        assert.ok(
          objects.some((object) => object.kind === kind),
          `${kind} rendered`,
        );
      const configMap = objects.find((object) => object.kind === 'ConfigMap') as V1ConfigMap;
      assert.equal(configMap.metadata?.labels?.grafana_dashboard, '1');
      assert.equal(configMap.metadata?.namespace, deployment.metadata?.namespace);
      assert.equal(configMap.data?.['ingress-bridge-dashboard.json'], dashboardText());
    },
  );
});
