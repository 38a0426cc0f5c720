/**
 * deploy/base/rbac.yaml as an authorizer for the Kubernetes API fake: a request is allowed when a
 * rule of a role bound to the controller's ServiceAccount matches it, with the matching rules of
 * Kubernetes RBAC (apiGroups, resources incl. `resource/subresource` and `*\/subresource`, verbs,
 * resourceNames; a ClusterRoleBinding grants everywhere, a RoleBinding only in its namespace).
 * Every decision is recorded, so a test can fail on a denial and find grants nothing used.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { waitFor, type Authorizer, type RequestAttributes } from '../../fakes/kube/index.js';

export const RBAC_FILE = new URL('../../deploy/base/rbac.yaml', import.meta.url);

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The identity deploy/base/serviceaccount.yaml declares and the Deployment runs as. */
export const CONTROLLER_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'ingress-bridge', name: 'ingress-bridge' };

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

/** One verb on one resource of one group (for one name, if the rule names some): the unit of least privilege. */
export interface Grant {
  /** `ClusterRole/<name>` or `Role/<namespace>/<name>`. */
  role: string;
  /** Where the binding applies; undefined: everywhere. */
  namespace: string | undefined;
  apiGroup: string;
  resource: string;
  verb: string;
  resourceName?: string;
}

export interface Decision {
  request: RequestAttributes;
  allowed: boolean;
}

interface Manifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: Partial<PolicyRule>[];
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

export class RbacAuthorizer {
  readonly grants: readonly Grant[];
  private readonly log: Decision[] = [];
  private readonly used = new Set<Grant>();
  /** Pass this to `fake.setAuthorizer()`. */
  readonly authorize: Authorizer = (request) => this.decide(request);

  constructor(grants: readonly Grant[]) {
    this.grants = grants;
  }

  decisions(): Decision[] {
    return [...this.log];
  }

  denied(): RequestAttributes[] {
    return this.log.filter((decision) => !decision.allowed).map((decision) => decision.request);
  }

  /** Grants no allowed request has matched: permissions the controller holds but did not need. */
  unusedGrants(): Grant[] {
    return this.grants.filter((grant) => !this.used.has(grant));
  }

  private decide(request: RequestAttributes): boolean {
    const matching = this.grants.filter((grant) => grantMatches(grant, request));
    for (const grant of matching) this.used.add(grant);
    this.log.push({ request: { ...request }, allowed: matching.length > 0 });
    return matching.length > 0;
  }
}

/** The authorizer for `subject` from RBAC manifests (default: deploy/base/rbac.yaml, the controller's ServiceAccount). */
export function loadRbacAuthorizer(options: { yaml?: string; subject?: ServiceAccountRef } = {}): RbacAuthorizer {
  return new RbacAuthorizer(grantsFor(options.yaml ?? readFileSync(RBAC_FILE, 'utf8'), options.subject ?? CONTROLLER_SERVICE_ACCOUNT));
}

/** Every grant the subject holds through its bindings, expanded rule by rule. */
export function grantsFor(yaml: string, subject: ServiceAccountRef): Grant[] {
  const manifests = parseAllDocuments(yaml)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
  const roleRules = (kind: string, name: string | undefined, namespace: string | undefined): Partial<PolicyRule>[] => {
    const role = manifests.find(
      (manifest) => manifest.kind === kind && manifest.metadata?.name === name && (kind === 'ClusterRole' || manifest.metadata?.namespace === namespace),
    );
    assert.ok(role, `${kind} ${namespace ? `${namespace}/` : ''}${name} is bound but not defined`);
    return role.rules ?? [];
  };
  const grants: Grant[] = [];
  for (const binding of manifests) {
    if (binding.kind !== 'ClusterRoleBinding' && binding.kind !== 'RoleBinding') continue;
    const bindingNamespace = binding.kind === 'RoleBinding' ? binding.metadata?.namespace : undefined;
    const bindsSubject = (binding.subjects ?? []).some(
      (candidate) => candidate.kind === 'ServiceAccount' && candidate.name === subject.name && (candidate.namespace ?? bindingNamespace) === subject.namespace,
    );
    if (!bindsSubject) continue;
    const roleKind = binding.roleRef?.kind ?? '';
    const roleName = binding.roleRef?.name;
    const role = roleKind === 'ClusterRole' ? `ClusterRole/${roleName}` : `Role/${bindingNamespace}/${roleName}`;
    for (const rule of roleRules(roleKind, roleName, bindingNamespace))
      grants.push(...expandRule({ role, namespace: bindingNamespace, rule: normalizedRule(rule) }));
  }
  return grants;
}

function normalizedRule(rule: Partial<PolicyRule>): PolicyRule {
  return { apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], verbs: rule.verbs ?? [], resourceNames: rule.resourceNames ?? [] };
}

function expandRule(options: { role: string; namespace: string | undefined; rule: PolicyRule }): Grant[] {
  const { role, namespace, rule } = options;
  const names: (string | undefined)[] = rule.resourceNames.length > 0 ? rule.resourceNames : [undefined];
  return rule.apiGroups.flatMap((apiGroup) =>
    rule.resources.flatMap((resource) =>
      rule.verbs.flatMap((verb) =>
        names.map((resourceName) => ({ role, namespace, apiGroup, resource, verb, ...(resourceName !== undefined ? { resourceName } : {}) })),
      ),
    ),
  );
}

/** Kubernetes RBAC's matching (rbac/v1 helpers: VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches). */
export function grantMatches(grant: Grant, request: RequestAttributes): boolean {
  if (grant.namespace !== undefined && request.namespace !== grant.namespace) return false;
  if (grant.verb !== '*' && grant.verb !== request.verb) return false;
  if (grant.apiGroup !== '*' && grant.apiGroup !== request.group) return false;
  if (!resourceMatches(grant.resource, request)) return false;
  return grant.resourceName === undefined || grant.resourceName === request.name;
}

function resourceMatches(ruleResource: string, request: RequestAttributes): boolean {
  if (request.resource === '') return false;
  if (ruleResource === '*') return true;
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  if (ruleResource === combined) return true;
  return request.subresource !== undefined && ruleResource === `*/${request.subresource}`;
}

/** A request as a sentence, for failure messages: `update leases "x" (coordination.k8s.io) in namespace "ns"`. */
export function describeRequest(request: RequestAttributes): string {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource || '(unserved path)';
  const name = request.name !== undefined ? ` "${request.name}"` : '';
  const scope = request.namespace !== undefined ? `in namespace "${request.namespace}"` : 'cluster-wide';
  return `${request.verb} ${resource}${name} (${request.group || 'core'}) ${scope}`;
}

export function describeGrant(grant: Grant): string {
  const name = grant.resourceName !== undefined ? ` "${grant.resourceName}"` : '';
  return `${grant.role}: ${grant.verb} ${grant.resource}${name} (${grant.apiGroup || 'core'})`;
}

/** Fails naming every request the RBAC manifests denied. */
export function assertNothingDenied(authorizer: RbacAuthorizer): void {
  assert.deepEqual([...new Set(authorizer.denied().map(describeRequest))], [], 'requests deploy/base/rbac.yaml does not allow');
}

/** Waits for a condition; when it times out after a denied request, the failure names the denial, the likelier cause. */
export async function waitUnlessDenied(authorizer: RbacAuthorizer, condition: () => boolean, timeoutMs: number): Promise<void> {
  try {
    await waitFor(condition, { what: condition.toString(), timeoutMs });
  } catch (error) {
    assertNothingDenied(authorizer);
    throw error;
  }
}
