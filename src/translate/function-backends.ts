/**
 * A function backend → the function target group that serves it. An Ingress names a function with a
 * typed reference, the place the Ingress API keeps for backends that are not Services:
 *
 *   backend.resource: { apiGroup: lambda.ingress-bridge.io, kind: Function, name: upload }
 *
 * The function is the reference's name, unless the Ingress maps the name with an annotation
 * `lambda.ingress-bridge.io/<name>: <function name or ARN>[:<version or alias>]`, for a function
 * whose name or ARN is not a valid reference name. A reference that does not resolve costs only its
 * path: a diagnostic naming the field, and 503 there, as a missing Service does.
 * @module
 */
import type { KubernetesObject, V1TypedLocalObjectReference } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Diagnostic, FunctionRef, FunctionTargetGroupSpec } from '../model.js';
import { escapeControls, quote } from './annotation-values.js';
import { annotationField, annotationKeyField, diagnostic, objectRef } from './diagnostics.js';

export const FUNCTION_API_GROUP = 'lambda.ingress-bridge.io';
export const FUNCTION_KIND = 'Function';
/** The annotation prefix that maps a reference name to a function name or ARN. */
export const FUNCTION_ANNOTATION_PREFIX = `${FUNCTION_API_GROUP}/`;
const KEY_PREFIX = 'function:';
/** The ALB attribute that turns multi-value headers on, read from `target-group-attributes`. */
export const MULTI_VALUE_HEADERS_ATTRIBUTE = 'lambda.multi_value_headers.enabled';

/** Lambda's own limits (CreateFunction: FunctionName; CreateAlias: Name; versions are numbers). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^(?:[0-9]{1,10}|[A-Za-z0-9_-]{1,128})$/;
const FUNCTION_ARN = /^(arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-[0-9]:[0-9]{12}:function:)([A-Za-z0-9_-]{1,64})(?::([^:]*))?$/;

export interface FunctionBackendContext {
  /**
   * The object that holds the reference (an Ingress, or an HTTPRoute): its annotations map
   * reference names to functions, and its diagnostics name it.
   */
  holder: { kind: string; object: KubernetesObject };
  /**
   * The object whose annotations gave `targetGroupAttributes`, when not the holder: a route's come
   * from its Gateway (and GatewayClass), so a bad value is reported there.
   */
  settingsHolder?: { kind: string; object: KubernetesObject };
  /** What a reference that does not resolve costs, as the holder's API words it. */
  unserved?: string;
  clusterName: string;
  stackId: string;
  /** `target-group-attributes` of the Ingress: only `lambda.multi_value_headers.enabled` applies to a function. */
  targetGroupAttributes: Readonly<Record<string, string>>;
  tags: Readonly<Record<string, string>>;
}

export type FunctionResolution = { ok: true; targetGroup: FunctionTargetGroupSpec; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** A function name or ARN, each with an optional `:<version or alias>`. */
export function parseFunctionIdentifier(text: string): { ok: true; value: FunctionRef } | { ok: false; problem: string } {
  if (text.startsWith('arn:')) {
    const match = FUNCTION_ARN.exec(text);
    if (!match) return { ok: false, problem: 'is not a Lambda function ARN (arn:aws:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>])' };
    const [, prefix = '', name = '', qualifier] = match;
    return withQualifier({ name, arn: `${prefix}${name}` }, qualifier);
  }
  const [name = '', qualifier, ...rest] = text.split(':');
  if (rest.length > 0 || !FUNCTION_NAME.test(name)) {
    return { ok: false, problem: 'is not a Lambda function name (1 to 64 letters, digits, "-" or "_", then optionally ":<version or alias>") or ARN' };
  }
  return withQualifier({ name }, qualifier);
}

function withQualifier(ref: FunctionRef, qualifier: string | undefined): { ok: true; value: FunctionRef } | { ok: false; problem: string } {
  if (qualifier === undefined) return { ok: true, value: ref };
  // $LATEST is what the unqualified function runs already; the ALB refuses it as a qualifier.
  if (!QUALIFIER.test(qualifier)) return { ok: false, problem: `has qualifier ${quote(qualifier)}, which is neither a version number nor an alias name` };
  return { ok: true, value: { ...ref, qualifier } };
}

/** `function:<arn or name>[:<qualifier>]`: one target group per function version the load balancer invokes. */
export function functionTargetGroupKey(ref: FunctionRef): string {
  return `${KEY_PREFIX}${ref.arn ?? ref.name}${ref.qualifier === undefined ? '' : `:${ref.qualifier}`}`;
}

/**
 * `k8s-fn-<function>-<hash>`, at most 32 characters. The hash covers the cluster, the stack and the
 * key, so the same function behind two load balancers gets two target groups (a target group
 * belongs to one load balancer's ownership tags).
 */
export function functionTargetGroupName(clusterName: string, stackId: string, key: string, functionName: string): string {
  const hash = createHash('sha256').update([clusterName, stackId, key].join('\u0000')).digest('hex').slice(0, 10);
  const readable = functionName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 32 - 'k8s-fn-'.length - 1 - hash.length)
    .replace(/-+$/, '');
  return ['k8s', 'fn', ...(readable ? [readable] : []), hash].join('-');
}

/**
 * The reference at `field` (`….backend.resource`) → its function target group, or the diagnostics
 * that say why the path cannot be served. Pure: nothing is looked up in the cloud here; a function
 * that does not exist is found by the provider.
 */
export function resolveFunctionBackend(context: FunctionBackendContext, resource: V1TypedLocalObjectReference, field: string): FunctionResolution {
  const holder = context.holder.object;
  const ref = objectRef(context.holder.kind, holder);
  const unserved = context.unserved ?? 'requests here get 503 until it is fixed';
  const { settingsHolder } = context;
  const fail = (at: string, message: string): FunctionResolution => ({
    ok: false,
    diagnostics: [diagnostic(ref, at, 'error', `${message}; ${unserved}`)],
  });
  if (resource.apiGroup !== FUNCTION_API_GROUP) {
    return fail(
      `${field}.apiGroup`,
      `apiGroup ${quote(resource.apiGroup ?? '')} is not one ingress-bridge serves: a resource backend must be {apiGroup: ${FUNCTION_API_GROUP}, kind: ${FUNCTION_KIND}}`,
    );
  }
  if (resource.kind !== FUNCTION_KIND) {
    return fail(`${field}.kind`, `kind ${quote(resource.kind)} is not one ingress-bridge serves in ${FUNCTION_API_GROUP}: the kind is ${FUNCTION_KIND}`);
  }
  const referenceName = resource.name;
  const annotationKey = `${FUNCTION_ANNOTATION_PREFIX}${referenceName}`;
  const mapped = holder.metadata?.annotations?.[annotationKey];
  const identifier = mapped ?? referenceName;
  const parsed = parseFunctionIdentifier(identifier.trim());
  if (!parsed.ok) {
    return mapped === undefined
      ? fail(
          `${field}.name`,
          `${quote(escapeControls(referenceName))} ${parsed.problem}; name the function in an annotation ${FUNCTION_ANNOTATION_PREFIX}<name> when the reference name cannot be it`,
        )
      : fail(annotationKeyField(annotationKey), `${quote(escapeControls(identifier))} ${parsed.problem}`);
  }
  const key = functionTargetGroupKey(parsed.value);
  const diagnostics: Diagnostic[] = [];
  const multiValue = context.targetGroupAttributes[MULTI_VALUE_HEADERS_ATTRIBUTE];
  if (multiValue !== undefined && multiValue !== 'true' && multiValue !== 'false') {
    diagnostics.push(
      diagnostic(
        settingsHolder ? objectRef(settingsHolder.kind, settingsHolder.object) : ref,
        annotationField(settingsHolder?.object ?? holder, 'target-group-attributes'),
        'warning',
        `${MULTI_VALUE_HEADERS_ATTRIBUTE}=${quote(escapeControls(multiValue))} is neither true nor false; multi-value headers stay off`,
      ),
    );
  }
  return {
    ok: true,
    targetGroup: {
      key,
      name: functionTargetGroupName(context.clusterName, context.stackId, key, parsed.value.name),
      function: parsed.value,
      multiValueHeaders: multiValue === 'true',
      tags: { ...context.tags },
    },
    diagnostics,
  };
}
