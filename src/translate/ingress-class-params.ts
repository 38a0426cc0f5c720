/**
 * IngressClassParams (ingress-bridge.io/v1, cluster-scoped): what the cluster operator decides for
 * every Ingress of one IngressClass, out of reach of the namespaces that write Ingresses —
 * - `namespaceSelector`: which namespaces may use the class at all, and (because the operator chose
 *   them together) may share IngressGroups across namespaces;
 * - `group.name`: every Ingress of the class is in this group, whatever its own group.name says;
 * - forced group-wide settings (scheme, ipAddressType, inboundCIDRs, sslPolicy, subnets.ids, tags,
 *   loadBalancerAttributes) that replace the Ingresses' annotations.
 * Field names are aws-load-balancer-controller's. Values are checked with the same parsers as the
 * annotations that set them, and a problem is named on the IngressClassParams' own field. A class
 * whose IngressClassParams is missing or invalid admits no Ingress (fail closed).
 * @module
 */
import type { V1IngressClass, V1LabelSelector, V1Namespace } from '@kubernetes/client-node';
import type { Diagnostic, ObjectRef } from '../model.js';
import { OWN_API_GROUP, type IngressClassParams, type IngressClassParamsSpec } from '../sources/snapshot.js';
import { OWN_PREFIX, type IngressAnnotations } from './annotation-types.js';
import { parseIngressAnnotations } from './annotations.js';
import { annotationKeyField, diagnostic, hasErrors, objectRef } from './diagnostics.js';

const PARAMS_KIND = 'IngressClassParams';
/** Set by the API server on every Namespace (Kubernetes 1.21+); present here even without the Namespace object. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** What translate reads of the cluster beyond Ingresses to decide admission. SnapshotView has it. */
export interface ParamsScope {
  ingressClassParams(name: string): IngressClassParams | undefined;
  namespace(name: string): V1Namespace | undefined;
}

/** The settings an IngressClassParams forces on every Ingress of its class. */
export type ForcedSettings = Partial<
  Pick<IngressAnnotations, 'scheme' | 'ipAddressType' | 'inboundCidrs' | 'sslPolicy' | 'subnets' | 'tags' | 'loadBalancerAttributes'>
>;

export interface ResolvedParams {
  name: string;
  namespaceSelector?: V1LabelSelector;
  groupName?: string;
  forced: ForcedSettings;
}

export type ParamsResolution =
  | { ok: true; params?: ResolvedParams; diagnostics: Diagnostic[] }
  /** `problem` completes "the Ingress's class …" for a diagnostic on the Ingress. */
  | { ok: false; problem: string; diagnostics: Diagnostic[] };

/**
 * Each spec field, the annotation whose parser checks it, how its value is spelled as that annotation,
 * and the setting it forces.
 */
const FORCED_FIELDS: {
  field: keyof IngressClassParamsSpec;
  annotation: string;
  text: (spec: IngressClassParamsSpec) => string | undefined;
  setting: keyof ForcedSettings;
}[] = [
  { field: 'scheme', annotation: 'scheme', text: (spec) => spec.scheme, setting: 'scheme' },
  { field: 'ipAddressType', annotation: 'ip-address-type', text: (spec) => spec.ipAddressType, setting: 'ipAddressType' },
  { field: 'inboundCIDRs', annotation: 'inbound-cidrs', text: (spec) => spec.inboundCIDRs?.join(','), setting: 'inboundCidrs' },
  { field: 'sslPolicy', annotation: 'ssl-policy', text: (spec) => spec.sslPolicy, setting: 'sslPolicy' },
  { field: 'subnets', annotation: 'subnets', text: (spec) => spec.subnets?.ids?.join(','), setting: 'subnets' },
  { field: 'tags', annotation: 'tags', text: (spec) => pairs(spec.tags), setting: 'tags' },
  {
    field: 'loadBalancerAttributes',
    annotation: 'load-balancer-attributes',
    text: (spec) => pairs(spec.loadBalancerAttributes),
    setting: 'loadBalancerAttributes',
  },
];

function pairs(entries: { key?: string; value?: string }[] | undefined): string | undefined {
  return entries?.map((entry) => `${entry.key ?? ''}=${entry.value ?? ''}`).join(',');
}

export function resolveClassParams(ingressClass: V1IngressClass | undefined, scope: ParamsScope): ParamsResolution {
  const parameters = ingressClass?.spec?.parameters;
  if (!ingressClass || !parameters) return { ok: true, diagnostics: [] };
  const className = ingressClass.metadata?.name ?? '';
  const classRef = objectRef('IngressClass', ingressClass);
  if (parameters.kind !== PARAMS_KIND || parameters.apiGroup !== OWN_API_GROUP) {
    return {
      ok: false,
      problem: `IngressClass "${className}" names parameters of kind ${parameters.apiGroup ?? '(core)'}/${parameters.kind}, which ingress-bridge does not read`,
      diagnostics: [
        diagnostic(
          classRef,
          'spec.parameters',
          'error',
          `ingress-bridge reads only ${OWN_API_GROUP} ${PARAMS_KIND} parameters; the class admits no Ingress until this is fixed`,
        ),
      ],
    };
  }
  const params = scope.ingressClassParams(parameters.name);
  if (!params) {
    return { ok: false, problem: `IngressClass "${className}" names IngressClassParams "${parameters.name}", which does not exist`, diagnostics: [] };
  }
  const ref = objectRef(PARAMS_KIND, params);
  const checked = checkSpec(params.spec ?? {}, ref);
  if (hasErrors(checked.diagnostics)) {
    return {
      ok: false,
      problem: `IngressClass "${className}" names IngressClassParams "${parameters.name}", which is invalid`,
      diagnostics: checked.diagnostics,
    };
  }
  return { ok: true, params: { name: parameters.name, ...checked.value }, diagnostics: checked.diagnostics };
}

function checkSpec(spec: IngressClassParamsSpec, ref: ObjectRef): { value: Omit<ResolvedParams, 'name'>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // The annotation parsers are the one definition of what each value may be.
  const annotations: Record<string, string> = {};
  const fieldOfAnnotation = new Map<string, string>();
  for (const { field, annotation, text } of FORCED_FIELDS) {
    const value = text(spec);
    if (value === undefined) continue;
    annotations[`${OWN_PREFIX}${annotation}`] = value;
    fieldOfAnnotation.set(annotationKeyField(`${OWN_PREFIX}${annotation}`), `spec.${field}`);
  }
  if (spec.group?.name !== undefined) {
    annotations[`${OWN_PREFIX}group.name`] = spec.group.name;
    fieldOfAnnotation.set(annotationKeyField(`${OWN_PREFIX}group.name`), 'spec.group.name');
  }
  const parsed = parseIngressAnnotations(annotations, ref);
  for (const entry of parsed.diagnostics) {
    const field = fieldOfAnnotation.get(entry.field);
    if (field) diagnostics.push({ ...entry, field, message: entry.message.replaceAll(OWN_PREFIX, '') });
  }
  const selectorProblem = spec.namespaceSelector ? selectorProblemOf(spec.namespaceSelector) : undefined;
  if (selectorProblem) diagnostics.push(diagnostic(ref, 'spec.namespaceSelector', 'error', selectorProblem));
  const { value } = parsed;
  const forced = Object.fromEntries(
    FORCED_FIELDS.filter(({ text }) => text(spec) !== undefined).map(({ setting }) => [setting, value[setting]]),
  ) as ForcedSettings;
  return {
    value: {
      ...(spec.namespaceSelector ? { namespaceSelector: spec.namespaceSelector } : {}),
      ...(value.groupName !== undefined ? { groupName: value.groupName } : {}),
      forced,
    },
    diagnostics,
  };
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function selectorProblemOf(selector: V1LabelSelector): string | undefined {
  for (const [index, expression] of (selector.matchExpressions ?? []).entries()) {
    if (!OPERATORS.has(expression.operator))
      return `matchExpressions[${index}].operator "${expression.operator}" is not one of In, NotIn, Exists, DoesNotExist`;
    const hasValues = (expression.values ?? []).length > 0;
    if ((expression.operator === 'In' || expression.operator === 'NotIn') !== hasValues) {
      return `matchExpressions[${index}]: operator ${expression.operator} ${hasValues ? 'takes no values' : 'needs values'}`;
    }
  }
  return undefined;
}

/** The labels of a namespace: its Namespace object's, and always `kubernetes.io/metadata.name`. */
export function namespaceLabels(scope: ParamsScope, namespace: string): Record<string, string> {
  return { ...scope.namespace(namespace)?.metadata?.labels, [NAMESPACE_NAME_LABEL]: namespace };
}

/** Label-selector semantics of Kubernetes: every matchLabels entry and every expression must hold. */
export function selectorMatches(selector: V1LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const listed = value !== undefined && (expression.values ?? []).includes(value);
    switch (expression.operator) {
      case 'In':
        if (!listed) return false;
        break;
      case 'NotIn':
        if (listed) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Forced settings replace the Ingress's own; each own value that differs is named in a warning.
 * Tags and load-balancer attributes merge key by key, the IngressClassParams' value winning.
 */
export function applyForcedSettings(
  annotations: IngressAnnotations,
  params: ResolvedParams,
  warn: (annotation: string, message: string) => void,
): IngressAnnotations {
  const result: IngressAnnotations = { ...annotations };
  const { forced, name } = params;
  const told = (annotation: string, value: unknown, own: unknown, what = annotation): void =>
    warn(
      annotation,
      `${what} ${JSON.stringify(value)} is set for every Ingress of this class by IngressClassParams "${name}"; this Ingress's ${JSON.stringify(own)} is not used`,
    );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K ties forced[key] to result[key] in the body
  const replace = <K extends 'scheme' | 'ipAddressType' | 'inboundCidrs' | 'sslPolicy' | 'subnets'>(key: K, annotation: string): void => {
    if (!(key in forced)) return;
    const own = annotations[key];
    const value = forced[key] as IngressAnnotations[K];
    if (own !== undefined && JSON.stringify(own) !== JSON.stringify(value)) told(annotation, value, own);
    result[key] = value;
  };
  const merge = (key: 'tags' | 'loadBalancerAttributes', annotation: string): void => {
    const values = forced[key];
    if (!values) return;
    for (const [entry, value] of Object.entries(values)) {
      const own = annotations[key][entry];
      if (own !== undefined && own !== value) told(annotation, value, own, `${annotation} ${entry}`);
    }
    result[key] = { ...annotations[key], ...values };
  };
  for (const { setting, annotation } of FORCED_FIELDS) {
    if (setting === 'tags' || setting === 'loadBalancerAttributes') merge(setting, annotation);
    else replace(setting, annotation);
  }
  return result;
}
