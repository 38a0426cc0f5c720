/**
 * Mutating admission, as the API server runs it on a create: every MutatingWebhookConfiguration in
 * the store, by name, then its webhooks in order; a webhook whose rules match the request and whose
 * namespaceSelector and objectSelector match is sent an admission.k8s.io/v1 AdmissionReview over
 * HTTPS, and its JSONPatch is applied to the object before the next webhook sees it.
 *
 * Faithful where a webhook server can get it wrong: the server's certificate must chain to the
 * configuration's caBundle and name `<service>.<namespace>.svc`; the answer must echo the request's
 * uid; a denial, an error, a timeout or a bad answer fails the create under failurePolicy Fail (the
 * v1 default) and is skipped under Ignore. A service reference reaches the webhook only through a
 * route the test registers (`routeService`), since the fake has no cluster network.
 *
 * Simplified: only CREATE is admitted; no reinvocation; a namespace that does not exist has only the
 * `kubernetes.io/metadata.name` label; userInfo is one fixed service account.
 */
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { ApiError } from './errors.js';
import { asKubeObject, isJsonObject, type KubeObject } from './object.js';
import { applyJsonPatch } from './patch.js';
import { RESOURCE_TYPES, type ResourceType } from './resources.js';
import type { ObjectStore } from './store.js';

/** One webhook call: which webhook, and what came of it. */
export interface AdmissionRecord {
  configuration: string;
  webhook: string;
  resource: string;
  namespace: string | undefined;
  /** `patched` or `allowed` when it answered; `ignored` when it failed under failurePolicy Ignore; `rejected` otherwise. */
  outcome: 'patched' | 'allowed' | 'ignored' | 'rejected';
  /** Why it failed, when it did. */
  error?: string;
}

export interface AdmissionOptions {
  store: ObjectStore;
  /** `namespace/name:port` of a Service → the base URL (https://127.0.0.1:PORT) that stands for it. */
  routes: ReadonlyMap<string, string>;
  record: (record: AdmissionRecord) => void;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

interface MutatingWebhook {
  name?: string;
  clientConfig?: { url?: string; caBundle?: string; service?: { namespace?: string; name?: string; path?: string; port?: number } };
  rules?: WebhookRule[];
  failurePolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  timeoutSeconds?: number;
}

const MUTATING_WEBHOOKS = RESOURCE_TYPES.find((type) => type.plural === 'mutatingwebhookconfigurations') as ResourceType;
const NAMESPACES = RESOURCE_TYPES.find((type) => type.plural === 'namespaces') as ResourceType;

/** The object to create, after every matching webhook has mutated it; throws when one rejects it. */
export async function admitCreate(options: AdmissionOptions, type: ResourceType, namespace: string | undefined, body: KubeObject): Promise<KubeObject> {
  let object = body;
  for (const configuration of options.store.list(MUTATING_WEBHOOKS)) {
    const webhooks = Array.isArray(configuration.webhooks) ? (configuration.webhooks as MutatingWebhook[]) : [];
    for (const webhook of webhooks) {
      if (!applies(options.store, webhook, type, namespace, object)) continue;
      const base = { configuration: configuration.metadata.name ?? '', webhook: webhook.name ?? '', resource: type.plural, namespace };
      try {
        const { patched, allowed } = await callWebhook(options, webhook, type, namespace, object);
        if (!allowed) {
          options.record({ ...base, outcome: 'rejected', error: 'denied' });
          throw new ApiError({ code: 400, message: `admission webhook "${webhook.name ?? ''}" denied the request` });
        }
        options.record({ ...base, outcome: patched ? 'patched' : 'allowed' });
        object = patched ?? object;
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (webhook.failurePolicy === 'Ignore') {
          options.record({ ...base, outcome: 'ignored', error: message });
          continue;
        }
        options.record({ ...base, outcome: 'rejected', error: message });
        throw new ApiError({ code: 500, message: `Internal error occurred: failed calling webhook "${webhook.name ?? ''}": ${message}` });
      }
    }
  }
  return object;
}

function applies(store: ObjectStore, webhook: MutatingWebhook, type: ResourceType, namespace: string | undefined, object: KubeObject): boolean {
  const ruleMatches = (rule: WebhookRule): boolean =>
    matchesAny(rule.operations, 'CREATE') &&
    matchesAny(rule.apiGroups, type.group) &&
    matchesAny(rule.apiVersions, type.version) &&
    matchesAny(rule.resources, type.plural) &&
    (rule.scope === undefined || rule.scope === '*' || rule.scope === (type.namespaced ? 'Namespaced' : 'Cluster'));
  if (!(webhook.rules ?? []).some(ruleMatches)) return false;
  if (type.namespaced && namespace !== undefined && !selects(webhook.namespaceSelector, namespaceLabels(store, namespace))) return false;
  return selects(webhook.objectSelector, object.metadata.labels ?? {});
}

function matchesAny(values: string[] | undefined, value: string): boolean {
  return (values ?? []).some((candidate) => candidate === '*' || candidate === value);
}

/** The API server labels every namespace with its own name. */
function namespaceLabels(store: ObjectStore, namespace: string): Record<string, string> {
  const stored = store.get(NAMESPACES, undefined, namespace);
  return { ...(stored?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

/** metav1.LabelSelector: an empty or absent selector selects everything. */
function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(
    ({ key = '', operator = '', values = [] }) => SELECTOR_OPERATORS[operator]?.(labels[key], values) ?? false,
  );
  return byLabel && byExpression;
}

/** metav1.LabelSelectorRequirement's operators; an unknown one selects nothing. */
const SELECTOR_OPERATORS: Readonly<Record<string, (value: string | undefined, values: readonly string[]) => boolean>> = {
  In: (value, values) => value !== undefined && values.includes(value),
  NotIn: (value, values) => value === undefined || !values.includes(value),
  Exists: (value) => value !== undefined,
  DoesNotExist: (value) => value === undefined,
};

interface WebhookAnswer {
  allowed: boolean;
  /** The object with the webhook's patch applied; undefined when it sent none. */
  patched?: KubeObject;
}

async function callWebhook(
  options: AdmissionOptions,
  webhook: MutatingWebhook,
  type: ResourceType,
  namespace: string | undefined,
  object: KubeObject,
): Promise<WebhookAnswer> {
  const target = resolveTarget(options.routes, webhook);
  const uid = randomUUID();
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const gvr = { group: type.group, version: type.version, resource: type.plural };
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      ...(object.metadata.name ? { name: object.metadata.name } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-fake:client' },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
  const answer = await postJson(target, review, (webhook.timeoutSeconds ?? 10) * 1000);
  const response =
    isJsonObject(answer) && answer.apiVersion === 'admission.k8s.io/v1' && answer.kind === 'AdmissionReview' && isJsonObject(answer.response)
      ? answer.response
      : undefined;
  if (!response) throw new Error('the webhook answered with no admission.k8s.io/v1 AdmissionReview response');
  if (response.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(response.uid)}"`);
  if (response.allowed !== true) return { allowed: false };
  if (response.patch === undefined) return { allowed: true };
  if (response.patchType !== 'JSONPatch') throw new Error(`unsupported patchType ${JSON.stringify(response.patchType)}`);
  if (typeof response.patch !== 'string') throw new Error('the patch must be a base64 string');
  const operations: unknown = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  const patched = asKubeObject(applyJsonPatch(object, operations));
  if (!patched) throw new Error('the patch did not leave an object');
  return { allowed: true, patched };
}

interface WebhookTarget {
  url: URL;
  /** The name the serving certificate must carry. */
  serverName: string;
  ca: string | undefined;
}

function resolveTarget(routes: ReadonlyMap<string, string>, webhook: MutatingWebhook): WebhookTarget {
  const config = webhook.clientConfig ?? {};
  const ca = config.caBundle ? Buffer.from(config.caBundle, 'base64').toString('utf8') : undefined;
  if (config.url) {
    const url = new URL(config.url);
    return { url, serverName: url.hostname, ca };
  }
  const service = config.service;
  if (!service?.name || !service.namespace) throw new Error('clientConfig names neither a url nor a service');
  const port = service.port ?? 443;
  const base = routes.get(`${service.namespace}/${service.name}:${port}`);
  if (!base) throw new Error(`no endpoints available for service "${service.namespace}/${service.name}" (port ${port})`);
  return { url: new URL(service.path ?? '/', base), serverName: `${service.name}.${service.namespace}.svc`, ca };
}

function postJson(target: WebhookTarget, body: unknown, timeoutMs: number): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: target.url.hostname,
        port: target.url.port,
        path: `${target.url.pathname}${target.url.search}`,
        method: 'POST',
        // Without a caBundle the API server trusts only the system roots, which never sign a test server.
        ca: target.ca ?? [],
        servername: target.serverName,
        checkServerIdentity: (_host, certificate) => checkIdentity(target.serverName, certificate),
        agent: false,
        timeout: timeoutMs,
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 0) !== 200) {
            reject(new Error(`the webhook answered HTTP ${response.statusCode ?? 0}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as unknown);
          } catch {
            reject(new Error('the webhook answered with a body that is not JSON'));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`context deadline exceeded (${timeoutMs} ms)`)));
    request.on('error', reject);
    request.end(payload);
  });
}

/** The certificate must name the service's DNS name (a route's loopback address is not what it is checked for). */
function checkIdentity(serverName: string, certificate: { subjectaltname?: string }): Error | undefined {
  const names = (certificate.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return names.includes(serverName) ? undefined : new Error(`x509: certificate is valid for ${names.join(', ') || 'no DNS name'}, not ${serverName}`);
}
