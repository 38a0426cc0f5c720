/**
 * Reading deploy/components/monitoring for tests: the alert rules, the dashboard, the metric names
 * their queries use, and the anchors GitHub gives the headings of a Markdown file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_DIR, readYamlDocuments, REPO_ROOT } from './deploy-manifests.js';

export const MONITORING_DIR = join(DEPLOY_DIR, 'components/monitoring');
export const DASHBOARD_FILE = join(MONITORING_DIR, 'ingress-bridge-dashboard.json');
/** Where every runbook_url points: docs/troubleshooting.md of the project's repository. */
export const RUNBOOK_PREFIX = 'https://github.com/ingress-bridge/ingress-bridge/blob/main/';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: (AlertRule | { record: string; expr: string })[];
}

export interface PrometheusRule {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

export function prometheusRule(): PrometheusRule {
  return readYamlDocuments('components/monitoring/prometheusrule.yaml')[0] as PrometheusRule;
}

export function alertRules(rule: PrometheusRule = prometheusRule()): AlertRule[] {
  return rule.spec.groups.flatMap((group) => group.rules.filter((entry): entry is AlertRule => 'alert' in entry));
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { expr: string; datasource?: unknown }[];
  }[];
  templating: { list: { name: string; query?: unknown; definition?: string }[] };
}

export function dashboardText(): string {
  return readFileSync(DASHBOARD_FILE, 'utf8');
}

export function dashboard(): Dashboard {
  return JSON.parse(dashboardText()) as Dashboard;
}

/**
 * Every PromQL query of the dashboard: panel targets, and the series selector of each template
 * variable's Grafana `label_values(series, label)`.
 */
export function dashboardQueries(board: Dashboard = dashboard()): string[] {
  const panels = board.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const variables = board.templating.list.flatMap((variable) => {
    const selector = variable.definition === undefined ? undefined : /^label_values\((.+),\s*\w+\)$/.exec(variable.definition)?.[1];
    return selector === undefined ? [] : [selector];
  });
  return [...panels, ...variables];
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
 * label lists (`by (…)`, `on (…)`), function calls and Grafana variables are taken out, keywords aside.
 */
export function metricNamesIn(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\b[a-zA-Z_][a-zA-Z0-9_]*\s*\(/g, ' (')
    .replace(/\$\{?\w+\}?/g, ' ');
  const words = stripped.match(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((word) => !PROMQL_KEYWORDS.has(word)))];
}

/** A histogram's series names map to the family /metrics declares: `x_bucket`, `x_sum`, `x_count` → `x`. */
export function familyOf(series: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(series)) return series;
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return base !== series && (types.get(base) === 'histogram' || types.get(base) === 'summary') ? base : undefined;
}

/** `# TYPE name type` lines of a Prometheus text exposition. */
export function exposedTypes(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] as string, match[2] as string);
  return types;
}

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to `-`. */
export function markdownAnchors(relativePath: string): Set<string> {
  const text = readFileSync(join(REPO_ROOT, relativePath), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (match[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}
