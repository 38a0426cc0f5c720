/**
 * The plan as pictures: the routing of each load balancer as a Mermaid flowchart, read left to right
 * as a request travels — listener → host → rule (priority, path, other conditions) → action →
 * target group → how many targets. One fenced ```mermaid block per stack, in Markdown, so the output
 * pastes into a pull request or a docs page and GitHub draws it. Cloud-neutral: it reads only the
 * model; with `--live`, marks (plan-mermaid-marks.ts) colour what a reconcile would add, change or
 * remove, and draws removed parts as dashed ghosts.
 *
 * Every label is quoted and escaped with Mermaid's entity codes, so a host, path or header value
 * can never end a label, open a shape or start a comment.
 * @module
 */
import type { Action, Authentication, Condition, ListenerSpec, LoadBalancerSpec, MatchValues, RuleSpec, Transform } from '../model.js';
import type { PlannedOperation } from '../provider.js';
import { marksOf, type Mark, type StackMarks } from './plan-mermaid-marks.js';

export interface StackOperations {
  stackId: string;
  operations: readonly PlannedOperation[];
}

const VALUES_SHOWN = 4;
const VALUE_LENGTH_SHOWN = 60;

const CLASS_DEFINITIONS = [
  'classDef added fill:#dafbe1,stroke:#1a7f37,color:#0a3622',
  'classDef changed fill:#fff8c5,stroke:#9a6700,color:#4d2d00',
  'classDef removed fill:#ffebe9,stroke:#cf222e,color:#82071e,stroke-dasharray:5 3',
];

/** `changes`: from `--live`; a stack without an entry is drawn unmarked. */
export function renderPlanMermaid(specs: readonly LoadBalancerSpec[], changes?: readonly StackOperations[]): string {
  if (specs.length === 0) return 'No load balancer to draw: no Ingress of this class translated.\n';
  const sections = specs.map((spec) => {
    const operations = changes?.find((stack) => stack.stackId === spec.stack.id)?.operations;
    const heading = `#### load balancer \`${spec.stack.id}\` (${spec.stack.name})`;
    const summary =
      operations === undefined
        ? []
        : [
            operations.length === 0
              ? 'In step: a reconcile would change nothing.'
              : `A reconcile would make ${operations.length} change(s): green is added, yellow changed, red dashed removed.`,
          ];
    return [
      heading,
      '',
      ...summary,
      ...(summary.length > 0 ? [''] : []),
      '```mermaid',
      renderFlowchart(spec, operations && marksOf(spec, operations)),
      '```',
    ].join('\n');
  });
  return `${sections.join('\n\n')}\n`;
}

/** One stack's flowchart, without the fence. */
export function renderFlowchart(spec: LoadBalancerSpec, marks?: StackMarks): string {
  return new Flowchart(spec, marks).render();
}

class Flowchart {
  private readonly lines: string[] = [];
  private readonly classes = new Map<Mark, string[]>();
  private readonly targetGroupIds = new Map<string, string>();
  private readonly everythingAdded: boolean;

  constructor(
    private readonly spec: LoadBalancerSpec,
    private readonly marks: StackMarks | undefined,
  ) {
    this.everythingAdded = marks?.loadBalancer === 'added';
  }

  render(): string {
    const { spec, marks } = this;
    const other = marks && marks.otherChanges > 0 ? [`${marks.otherChanges} other change(s)`] : [];
    this.node(
      'lb',
      'rect',
      [`load balancer ${spec.stack.id}`, spec.stack.name, `${spec.scheme}, ${spec.ipAddressType}`, ...other],
      marks?.loadBalancer ?? (other.length > 0 ? 'changed' : undefined),
    );
    // Ids first, so that the source reads in the order a request travels: target groups come last.
    spec.targetGroups.forEach((group, index) => this.targetGroupIds.set(group.key, `tg${index}`));
    (spec.externalTargetGroups ?? []).forEach((group, index) => this.targetGroupIds.set(group.key, `ext${index}`));
    (spec.functionTargetGroups ?? []).forEach((group, index) => this.targetGroupIds.set(group.key, `fn${index}`));
    for (const listener of spec.listeners) this.listener(listener);
    for (const group of spec.targetGroups) {
      const id = this.targetGroupIds.get(group.key) as string;
      this.node(id, 'subroutine', [`target group ${group.key}`, `${group.protocol} :${group.port} ${group.targetType}`], marks?.targetGroups.get(group.key));
      const count = group.targets.length;
      this.node(
        `${id}_n`,
        'circle',
        [count === 0 ? 'no targets' : `${count} target${count === 1 ? '' : 's'}`],
        marks?.targetsChanged.has(group.key) ? 'changed' : undefined,
      );
      this.edge(id, `${id}_n`);
    }
    for (const group of spec.externalTargetGroups ?? []) {
      const id = this.targetGroupIds.get(group.key) as string;
      this.node(id, 'subroutine', ['external target group', group.ref.kind === 'arn' ? group.ref.arn : group.ref.name], marks?.targetGroups.get(group.key));
    }
    for (const group of spec.functionTargetGroups ?? []) {
      const id = this.targetGroupIds.get(group.key) as string;
      this.node(id, 'subroutine', [`target group ${group.key}`, `lambda ${group.function.arn ?? group.function.name}`], marks?.targetGroups.get(group.key));
      // A function target group has exactly one target, the function.
      this.node(`${id}_n`, 'circle', ['1 target']);
      this.edge(id, `${id}_n`);
    }
    this.ghosts();
    return ['flowchart LR', ...this.lines.map((line) => `  ${line}`), ...this.classLines()].join('\n');
  }

  private listener(listener: ListenerSpec): void {
    const id = `l${listener.port}`;
    const certificates = listener.certificateKeys.length;
    const label = [`${listener.protocol} :${listener.port}`, ...(certificates > 0 ? [`${certificates} certificate${certificates === 1 ? '' : 's'}`] : [])];
    this.node(id, 'stadium', label, this.marks?.listeners.get(listener.port));
    this.edge('lb', id);
    const hosts = new Map<string, string>();
    for (const rule of [...listener.rules].sort((a, b) => a.priority - b.priority)) {
      const host = rule.conditions.find((condition) => condition.field === 'host-header');
      // Grouped by the values themselves: two long lists may shorten to the same label.
      const hostKey = JSON.stringify(host ?? null);
      let hostId = hosts.get(hostKey);
      if (hostId === undefined) {
        hostId = `${id}_h${hosts.size}`;
        hosts.set(hostKey, hostId);
        this.node(hostId, 'hexagon', [host ? renderValues(host) : 'any host']);
        this.edge(id, hostId);
      }
      const ruleId = `${id}_r${rule.priority}`;
      this.node(ruleId, 'rect', ruleLabel(rule), this.marks?.rules.get(`${listener.port}/${rule.priority}`));
      this.edge(hostId, ruleId);
      this.actions(ruleId, rule.actions, rule.authentication, rule.transforms);
    }
    const defaultId = `${id}_default`;
    this.node(defaultId, 'rect', ['default', 'no rule matched']);
    this.edge(id, defaultId);
    this.actions(defaultId, [listener.defaultAction], listener.defaultAuthentication, undefined);
  }

  /** The action node after a rule, and the target groups a forward sends to. */
  private actions(from: string, actions: readonly Action[], authentication: Authentication | undefined, transforms: readonly Transform[] | undefined): void {
    const id = `${from}_a`;
    const before = [
      ...(authentication ? [`authenticate ${authentication.type}`] : []),
      ...(transforms ?? []).map((transform) => `${transform.type} ${transform.regex} → ${transform.replace}`),
    ];
    this.node(id, 'round', [...before, ...actions.map(actionLabel)]);
    this.edge(from, id);
    for (const action of actions) {
      if (action.type !== 'forward') continue;
      const weighted = action.targetGroups.length > 1;
      for (const group of action.targetGroups) {
        const target = this.targetGroupIds.get(group.targetGroupKey);
        if (target !== undefined) this.edge(id, target, weighted ? `weight ${group.weight}` : undefined);
      }
    }
  }

  /** What the reconcile removes is not in the spec: drawn dashed, hung on what held it. */
  private ghosts(): void {
    const marks = this.marks;
    if (!marks) return;
    for (const port of marks.removedListeners) {
      this.node(`gl${port}`, 'stadium', [`listener :${port}`, 'removed'], 'removed');
      this.edge('lb', `gl${port}`, undefined, true);
    }
    for (const key of marks.removedRules) {
      const [port, priority] = key.split('/');
      const listener = this.spec.listeners.some((candidate) => String(candidate.port) === port) ? `l${port}` : 'lb';
      const id = `gr${port}_${priority}`;
      this.node(id, 'rect', [`rule ${priority} on :${port}`, 'removed'], 'removed');
      this.edge(listener, id, undefined, true);
    }
    marks.removedTargetGroups.forEach((key, index) => {
      this.node(`gtg${index}`, 'subroutine', [`target group ${key}`, 'removed'], 'removed');
      this.edge('lb', `gtg${index}`, undefined, true);
    });
  }

  private node(id: string, shape: Shape, label: readonly string[], mark?: Mark): void {
    const [open, close] = SHAPES[shape];
    this.lines.push(`${id}${open}"${label.map(escapeLabel).join('<br/>')}"${close}`);
    const effective = this.everythingAdded ? 'added' : mark;
    if (effective) this.classes.set(effective, [...(this.classes.get(effective) ?? []), id]);
  }

  private edge(from: string, to: string, label?: string, dotted = false): void {
    const arrow = dotted ? '-.->' : '-->';
    this.lines.push(label === undefined ? `${from} ${arrow} ${to}` : `${from} ${arrow}|"${escapeLabel(label)}"| ${to}`);
  }

  private classLines(): string[] {
    if (!this.marks) return [];
    const used = [...this.classes].filter(([, ids]) => ids.length > 0);
    return [...CLASS_DEFINITIONS, ...used.map(([mark, ids]) => `class ${ids.join(',')} ${mark}`)].map((line) => `  ${line}`);
  }
}

type Shape = 'rect' | 'round' | 'stadium' | 'subroutine' | 'circle' | 'hexagon';

const SHAPES: Record<Shape, [string, string]> = {
  rect: ['[', ']'],
  round: ['(', ')'],
  stadium: ['([', '])'],
  subroutine: ['[[', ']]'],
  circle: ['((', '))'],
  hexagon: ['{{', '}}'],
};

function ruleLabel(rule: RuleSpec): string[] {
  const others = rule.conditions.filter((condition) => condition.field !== 'host-header');
  return [`priority ${rule.priority}`, ...(others.length === 0 ? ['any path'] : others.map(conditionLabel))];
}

function conditionLabel(condition: Condition): string {
  switch (condition.field) {
    case 'host-header':
      return `host ${renderValues(condition)}`;
    case 'path-pattern':
      return `path ${renderValues(condition)}`;
    case 'http-header':
      return `header ${condition.headerName} ${renderValues(condition)}`;
    case 'http-request-method':
      return `method ${shown(condition.values)}`;
    case 'query-string':
      return `query ${shown(condition.values.map(({ key, value }) => (key === undefined ? value : `${key}=${value}`)))}`;
    case 'source-ip':
      return `source ${shown(condition.values)}`;
  }
}

/** Regex values are marked with `~`, as in the text plan. */
function renderValues(match: MatchValues): string {
  return match.regexValues !== undefined ? shown(match.regexValues.map((value) => `~${value}`)) : shown(match.values ?? []);
}

function shown(values: readonly string[]): string {
  const cut = values.slice(0, VALUES_SHOWN).map((value) => (value.length > VALUE_LENGTH_SHOWN ? `${value.slice(0, VALUE_LENGTH_SHOWN)}…` : value));
  return values.length > VALUES_SHOWN ? `${cut.join(', ')} +${values.length - VALUES_SHOWN} more` : cut.join(', ');
}

function actionLabel(action: Action): string {
  switch (action.type) {
    case 'forward': {
      const sticky = action.stickiness?.enabled ? `, sticky ${action.stickiness.durationSeconds}s` : '';
      return `forward${sticky}`;
    }
    case 'redirect': {
      const parts = (['protocol', 'host', 'port', 'path', 'query'] as const)
        .filter((part) => action[part] !== undefined)
        .map((part) => `${part} ${action[part]}`);
      return shownLine(`redirect ${action.statusCode.replace('HTTP_', '')}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}`);
    }
    case 'fixed-response':
      return shownLine(`fixed-response ${action.statusCode}${action.messageBody !== undefined ? ` ${JSON.stringify(action.messageBody)}` : ''}`);
  }
}

function shownLine(text: string): string {
  return text.length > VALUE_LENGTH_SHOWN * 2 ? `${text.slice(0, VALUE_LENGTH_SHOWN * 2)}…` : text;
}

/**
 * Mermaid's entity codes (`#quot;`, `#35;`) for every character that means something to its
 * parser or to the HTML it renders labels into; control characters become spaces.
 */
function escapeLabel(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ').replace(/["#<>&[\]{}()|`]/g, (character) => (character === '"' ? '#quot;' : `#${character.charCodeAt(0)};`));
}
