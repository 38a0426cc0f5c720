/**
 * Which IngressGroups and Gateways a change affects, so the work queue re-queues those and no
 * others. Kept incrementally from Ingress events (each Ingress's group key and the Services and
 * Secrets it names) and from each stack's latest translation, a Gateway's as an IngressGroup's
 * (which Services it reaches with instance or ip targets), so a lookup costs what it returns, not a
 * scan of every Ingress. Gateway API objects are looked up in gateway-dependencies.ts. Pure: no
 * I/O; it reads the Snapshot only for IngressClasses (class resolution), on an IngressClass change
 * Ingresses, and for an EndpointSlice, Service or Pod change the routes and EndpointSlices of it.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { V1EndpointSlice, V1Ingress, V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClassOptions } from '../translate/ingress-class.js';
import { isGatewayStackId } from '../translate/gateway/keys.js';
import type { TranslateResult } from '../translate/index.js';
import { ingressReferences, type IngressReferences } from './ingress-references.js';
import { objectKey, SERVICE_NAME_LABEL, type SnapshotView } from '../sources/snapshot.js';
import type { SourceChange } from '../sources/source-change.js';
import { gatewaysAffectedBy, gatewaysUsingSecret, gatewaysUsingService } from './gateway-dependencies.js';

export interface DependencyIndexOptions {
  snapshot: SnapshotView;
  classes: ClassOptions;
}

/** What a stack's latest translation reached: by Service key, the keys of the target groups it feeds. */
interface TranslatedTargets {
  instanceServices: Map<string, Set<string>>;
  ipServices: Map<string, Set<string>>;
}

/** The target groups an EndpointSlice, Node or Pod change feeds, by stack; `whole`: stacks to reconcile in full. */
export interface TargetGroupsAffected {
  targets: Map<string, Set<string>>;
  whole: string[];
}

const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export class DependencyIndex {
  private readonly ingresses = new Map<string, IngressReferences>();
  private readonly byService = new KeyIndex();
  private readonly bySecret = new KeyIndex();
  private readonly byGroup = new KeyIndex();
  /** nginx-read Ingresses by host (lower-cased), for the regex one Ingress's annotation spreads to the host's others. */
  private readonly byNginxHost = new KeyIndex();
  private readonly translated = new Map<string, TranslatedTargets>();
  /**
   * By Ingress key, the group whose latest translation served it. Not always the group its own
   * annotations name: an nginx canary joins its main Ingress's group, which the canary's manifest
   * does not say, so once it is deleted (or stops being a canary) only this remembers where it was.
   */
  private readonly joined = new Map<string, string>();

  constructor(private readonly options: DependencyIndexOptions) {}

  /** The group keys to re-queue for a change the kube source reported (after it updated the Snapshot). */
  affectedBy(change: SourceChange): string[] {
    const { namespace, name = '' } = change.object.metadata ?? {};
    switch (change.kind) {
      case 'Ingress':
        if (change.type === 'delete') return this.onIngressDeleted(namespace ?? '', name);
        // Our own status and finalizer writes come back as updates: they change nothing translate reads.
        if (change.type === 'update' && change.previous && !routingFieldsChanged(change.previous, change.object)) return [];
        return this.onIngress(change.object);
      // IngressClassParams decide groups, admission and forced settings; Namespace labels which namespaces they admit.
      case 'IngressClass':
      case 'IngressClassParams':
      case 'Namespace':
        return this.onIngressClassChange();
      case 'Service':
        return [...this.groupsForService(namespace ?? '', name), ...gatewaysUsingService(this.options.snapshot, namespace ?? '', name)];
      case 'EndpointSlice':
        return this.groupsForEndpointSlice(
          change.type === 'delete' ? undefined : change.object,
          change.type === 'add' ? undefined : (change.previous ?? change.object),
        );
      case 'Secret':
        return [...this.groupsForSecret(namespace ?? '', name), ...gatewaysUsingSecret(this.options.snapshot, namespace ?? '', name)];
      case 'Node':
        return this.groupsForNode(change.type === 'delete' ? undefined : change.object, change.type === 'add' ? undefined : (change.previous ?? change.object));
      // A Pod matters only through its readiness gates, which the readiness-gate tracker follows.
      case 'Pod':
        return [];
      case 'GatewayClass':
      case 'Gateway':
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'ReferenceGrant':
        return gatewaysAffectedBy(change, this.options.snapshot);
    }
  }

  /** An Ingress added or changed: its group now and the group it was in, which must let it go. */
  onIngress(ingress: V1Ingress): string[] {
    const key = objectKey(ingress.metadata?.namespace, ingress.metadata?.name ?? '');
    const previous = this.ingresses.get(key);
    const references = ingressReferences(ingress, this.options.snapshot, this.options.classes);
    const after = this.index(key, references);
    return unique([previous?.groupKey, this.joined.get(key), after, ...this.regexNeighbours(key, previous, references)]);
  }

  onIngressDeleted(namespace: string, name: string): string[] {
    const key = objectKey(namespace, name);
    const previous = this.ingresses.get(key);
    const joined = this.joined.get(key);
    this.unindex(key);
    this.joined.delete(key);
    return unique([previous?.groupKey, joined, ...this.regexNeighbours(key, previous, undefined)]);
  }

  /** The group whose latest translation served this Ingress, if any translation has. */
  joinedGroup(namespace: string, name: string): string | undefined {
    return this.joined.get(objectKey(namespace, name));
  }

  /**
   * When an Ingress's rewrite-target or use-regex was or is in force, the groups of the other
   * Ingresses of its hosts (before and after): ingress-nginx turns every path of a host into a regex
   * when one Ingress of it asks, so their translation changes with this Ingress's annotations.
   */
  private regexNeighbours(key: string, previous: IngressReferences | undefined, current: IngressReferences | undefined): string[] {
    if (!previous?.nginxRegex && !current?.nginxRegex) return [];
    const hosts = new Set([...(previous?.nginxHosts ?? []), ...(current?.nginxHosts ?? [])]);
    const others = [...hosts].flatMap((host) => [...this.byNginxHost.get(host)]).filter((other) => other !== key);
    return this.groupsOf(others);
  }

  /** Which Ingresses are ours may change with any IngressClass: every group before and after. */
  onIngressClassChange(): string[] {
    const affected = this.groupKeys();
    const current = new Set<string>();
    for (const ingress of this.options.snapshot.ingresses()) {
      const key = objectKey(ingress.metadata?.namespace, ingress.metadata?.name ?? '');
      current.add(key);
      affected.push(...this.onIngress(ingress));
    }
    for (const key of [...this.ingresses.keys()]) if (!current.has(key)) this.unindex(key);
    return unique(affected);
  }

  groupsForService(namespace: string, name: string): string[] {
    return this.groupsOf(this.byService.get(objectKey(namespace, name)));
  }

  /**
   * The stacks (IngressGroups and Gateways) that reach the slice's Service (before and after, should
   * its label change), except those whose latest translation reached it with instance targets only:
   * those read Nodes, not endpoints.
   */
  groupsForEndpointSlice(slice: V1EndpointSlice | undefined, previous?: V1EndpointSlice): string[] {
    const affected = this.endpointSliceTargets(slice, previous);
    return unique([...affected.targets.keys(), ...affected.whole]);
  }

  /**
   * What an EndpointSlice or Node change feeds, for the target fast path: the target groups of each
   * stack, IngressGroup or Gateway, whose latest translation says which ones; a stack not translated
   * yet, or whose translation has no target group of the slice's Service (a backend the slice may
   * just have made valid), is reconciled whole. Undefined for any other kind of change (a Pod's:
   * podTargetGroups).
   */
  targetGroupsAffectedBy(change: SourceChange): TargetGroupsAffected | undefined {
    if (change.kind === 'EndpointSlice') {
      return this.endpointSliceTargets(
        change.type === 'delete' ? undefined : change.object,
        change.type === 'add' ? undefined : (change.previous ?? change.object),
      );
    }
    if (change.kind !== 'Node') return undefined;
    const affected: TargetGroupsAffected = { targets: new Map(), whole: [] };
    const node = change.type === 'delete' ? undefined : change.object;
    const previous = change.type === 'add' ? undefined : (change.previous ?? change.object);
    if (nodeTargetFields(node) === nodeTargetFields(previous)) return affected;
    for (const [group, targets] of this.translated) for (const keys of targets.instanceServices.values()) addTargets(affected, group, keys);
    return affected;
  }

  /** The slice's Service (before and after) decides: its ip target groups, or the whole stack where its latest translation has none. */
  private endpointSliceTargets(slice: V1EndpointSlice | undefined, previous: V1EndpointSlice | undefined): TargetGroupsAffected {
    const affected: TargetGroupsAffected = { targets: new Map(), whole: [] };
    for (const service of unique([slice, previous].map(serviceOfSlice))) {
      for (const stack of this.stacksReaching(service)) {
        const targets = this.translated.get(stack);
        const ip = targets?.ipServices.get(service);
        if (ip) addTargets(affected, stack, ip);
        else if (!targets?.instanceServices.has(service)) affected.whole.push(stack);
      }
    }
    affected.whole = unique(affected.whole);
    for (const group of affected.whole) affected.targets.delete(group);
    return affected;
  }

  /**
   * What a Pod's change feeds when it comes to wait for nothing but its target-health gates, or
   * stops (translate then registers or drops it though its endpoint stays not ready): in each of
   * `stacks` (those of its gates, readiness-gates.ts), the ip target groups of the Services whose
   * EndpointSlices list the Pod. A stack not translated yet, or none of whose ip Services lists the
   * Pod (its slice may not have it yet), is reconciled whole.
   */
  podTargetGroups(pod: V1Pod, stacks: readonly string[]): TargetGroupsAffected {
    const affected: TargetGroupsAffected = { targets: new Map(), whole: [] };
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    for (const stack of unique(stacks)) {
      const targets = this.translated.get(stack);
      const listing = [...(targets?.ipServices ?? [])].filter(([service]) => this.slicesListPod(service, namespace, name));
      for (const [, keys] of listing) addTargets(affected, stack, keys);
      if (listing.length === 0) affected.whole.push(stack);
    }
    return affected;
  }

  /** Whether an EndpointSlice of the Service (`namespace/name`) has an endpoint of this Pod. */
  private slicesListPod(service: string, namespace: string, pod: string): boolean {
    const [serviceNamespace, serviceName] = splitKey(service);
    if (serviceNamespace !== namespace) return false;
    return this.options.snapshot
      .endpointSlicesOf(namespace, serviceName)
      .some((slice) => (slice.endpoints ?? []).some((endpoint) => endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name === pod));
  }

  /** The IngressGroups with an Ingress that names the Service (`namespace/name`), and the Gateways with a route that does. */
  private stacksReaching(service: string): string[] {
    const gateways = gatewaysUsingService(this.options.snapshot, ...splitKey(service));
    return unique([...this.groupsOf(this.byService.get(service)), ...gateways]);
  }

  groupsForSecret(namespace: string, name: string): string[] {
    return this.groupsOf(this.bySecret.get(objectKey(namespace, name)));
  }

  /** Node heartbeats change the object every few seconds; only what instance targets are made of counts. */
  groupsForNode(node: V1Node | undefined, previous?: V1Node): string[] {
    return nodeTargetFields(node) === nodeTargetFields(previous) ? [] : this.groupsWithInstanceTargets();
  }

  /** Stacks (IngressGroups and Gateways) whose latest translation has an instance target group. */
  groupsWithInstanceTargets(): string[] {
    return [...this.translated]
      .filter(([, targets]) => targets.instanceServices.size > 0)
      .map(([group]) => group)
      .sort();
  }

  /**
   * Call with each translation, an IngressGroup's or a Gateway's, in the same tick as translate ran,
   * so no change falls between the two.
   */
  onTranslated(result: Pick<TranslateResult, 'stackId' | 'spec'> & Partial<Pick<TranslateResult, 'members'>>): void {
    // Kept until the Ingress is deleted: a translation that no longer serves it must not erase where it was.
    if (result.spec) for (const member of result.members ?? []) this.joined.set(objectKey(member.namespace, member.name), result.stackId);
    // A group without Ingresses is gone; a Gateway's translation is dropped by its next one without a spec.
    if (!result.spec || !(isGatewayStackId(result.stackId) || this.byGroup.has(result.stackId))) {
      this.translated.delete(result.stackId);
      return;
    }
    const targets: TranslatedTargets = { instanceServices: new Map(), ipServices: new Map() };
    for (const group of result.spec.targetGroups) {
      const service = objectKey(group.service.namespace, group.service.name);
      const byService = group.targetType === 'instance' ? targets.instanceServices : targets.ipServices;
      byService.set(service, (byService.get(service) ?? new Set()).add(group.key));
    }
    this.translated.set(result.stackId, targets);
  }

  /** Every group that has at least one Ingress, sorted. */
  groupKeys(): string[] {
    return this.byGroup.keys();
  }

  private index(key: string, references: IngressReferences): string | undefined {
    this.unindex(key);
    this.ingresses.set(key, references);
    for (const service of references.services) this.byService.add(service, key);
    for (const secret of references.secrets) this.bySecret.add(secret, key);
    for (const host of references.nginxHosts) this.byNginxHost.add(host, key);
    if (references.groupKey !== undefined) this.byGroup.add(references.groupKey, key);
    return references.groupKey;
  }

  private unindex(key: string): void {
    const references = this.ingresses.get(key);
    if (!references) return;
    this.ingresses.delete(key);
    for (const service of references.services) this.byService.delete(service, key);
    for (const secret of references.secrets) this.bySecret.delete(secret, key);
    for (const host of references.nginxHosts) this.byNginxHost.delete(host, key);
    if (references.groupKey === undefined) return;
    this.byGroup.delete(references.groupKey, key);
    if (!this.byGroup.has(references.groupKey)) this.translated.delete(references.groupKey);
  }

  private groupsOf(ingressKeys: Iterable<string>): string[] {
    return unique([...ingressKeys].map((key) => this.ingresses.get(key)?.groupKey));
  }
}

/** A multimap from a referenced key to the Ingress keys that reference it. */
class KeyIndex {
  private readonly entries = new Map<string, Set<string>>();

  add(key: string, ingress: string): void {
    let ingresses = this.entries.get(key);
    if (!ingresses) this.entries.set(key, (ingresses = new Set()));
    ingresses.add(ingress);
  }

  delete(key: string, ingress: string): void {
    const ingresses = this.entries.get(key);
    ingresses?.delete(ingress);
    if (ingresses?.size === 0) this.entries.delete(key);
  }

  get(key: string): Iterable<string> {
    return this.entries.get(key) ?? [];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()].sort();
  }
}

function addTargets(affected: TargetGroupsAffected, group: string, keys: Iterable<string>): void {
  const set = affected.targets.get(group) ?? new Set<string>();
  for (const key of keys) set.add(key);
  affected.targets.set(group, set);
}

/** `namespace/name` → [namespace, name] (objectKey's inverse). */
function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

function serviceOfSlice(slice: V1EndpointSlice | undefined): string | undefined {
  const service = slice?.metadata?.labels?.[SERVICE_NAME_LABEL];
  return service ? objectKey(slice.metadata?.namespace, service) : undefined;
}

/**
 * The Node fields instance targets are built from (readiness, providerID, addresses, the exclusion
 * label), as one comparable value; '' for no Node. Heartbeat timestamps are left out on purpose.
 */
function nodeTargetFields(node: V1Node | undefined): string {
  if (!node) return '';
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status ?? 'Unknown';
  const addresses = (node.status?.addresses ?? []).map((address) => `${address.type}=${address.address}`);
  const excluded = node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] !== undefined;
  return JSON.stringify([ready, node.spec?.providerID ?? '', addresses, excluded]);
}

function unique(keys: readonly (string | undefined)[]): string[] {
  return [...new Set(keys.filter((key): key is string => key !== undefined))].sort();
}

/**
 * Whether an Ingress update touches what translate reads: the spec (its generation moves with it),
 * the annotations, the class annotation among them, or the deletion mark. Status, finalizers and
 * resourceVersion alone do not.
 */
export function routingFieldsChanged(previous: V1Ingress, current: V1Ingress): boolean {
  // Compared structurally: a listed and a watched copy of one Ingress order their keys differently.
  const fields = (ingress: V1Ingress): unknown[] => [
    ingress.metadata?.generation,
    ingress.spec,
    ingress.metadata?.annotations ?? {},
    Boolean(ingress.metadata?.deletionTimestamp),
  ];
  return !isDeepStrictEqual(fields(previous), fields(current));
}
