/**
 * What the Compute API checks on insert and update, per collection: required fields, enumerations,
 * and URL-map structure (path matchers named by host rules exist, route-rule priorities unique,
 * one path match per match rule, weights in range). References are checked by the store, which
 * knows what exists.
 * @module
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { invalid, required } from './errors.js';

export type Json = Record<string, unknown>;

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SCHEMES = ['EXTERNAL_MANAGED', 'INTERNAL_MANAGED'];

export function validateName(body: Json): void {
  if (typeof body['name'] !== 'string') throw required('resource.name');
  if (!NAME.test(body['name'])) throw invalid('resource.name', `'${body['name']}' does not match ${NAME.source}`);
  if (typeof body['description'] === 'string' && body['description'].length > 2048) throw invalid('resource.description', 'longer than 2048 characters');
}

export function validateResource(collection: string, body: Json): void {
  switch (collection) {
    case 'healthChecks': {
      validateHealthCheck(body);
      return;
    }
    case 'backendServices': {
      validateBackendService(body);
      return;
    }
    case 'urlMaps': {
      validateUrlMap(body);
      return;
    }
    case 'sslCertificates': {
      validateCertificate(body);
      return;
    }
    case 'targetHttpsProxies':
      if (!Array.isArray(body['sslCertificates']) || body['sslCertificates'].length === 0) throw required('resource.sslCertificates');
      if (body['sslCertificates'].length > 15) throw invalid('resource.sslCertificates', 'at most 15 certificates per target proxy');
      {
        requireString(body, 'urlMap');
        return;
      }
    case 'targetHttpProxies': {
      requireString(body, 'urlMap');
      return;
    }
    case 'forwardingRules': {
      validateForwardingRule(body);
      return;
    }
    case 'networkEndpointGroups':
      if (body['networkEndpointType'] !== 'GCE_VM_IP_PORT') throw invalid('resource.networkEndpointType', 'only GCE_VM_IP_PORT is modelled');
      {
        requireString(body, 'network');
        return;
      }
    case 'instanceGroups': {
      requireString(body, 'network');
      return;
    }
    case 'firewalls':
      requireString(body, 'network');
      if (!Array.isArray(body['allowed']) || body['allowed'].length === 0) throw required('resource.allowed');
      if (!Array.isArray(body['sourceRanges']) || body['sourceRanges'].length === 0) throw required('resource.sourceRanges');
      return;
    default:
      return;
  }
}

function requireString(body: Json, field: string): void {
  if (typeof body[field] !== 'string' || body[field] === '') throw required(`resource.${field}`);
}

function validateHealthCheck(body: Json): void {
  const type = body['type'];
  if (type !== 'HTTP' && type !== 'HTTPS' && type !== 'HTTP2') throw invalid('resource.type', `'${String(type)}' is not a modelled type`);
  const field = `${type.toLowerCase()}HealthCheck`;
  if (typeof body[field] !== 'object' || body[field] === null) throw required(`resource.${field}`);
  for (const numeric of ['checkIntervalSec', 'timeoutSec']) {
    const value = body[numeric];
    if (value !== undefined && (typeof value !== 'number' || value < 1 || value > 300)) throw invalid(`resource.${numeric}`, 'must be 1-300');
  }
  if (typeof body['timeoutSec'] === 'number' && typeof body['checkIntervalSec'] === 'number' && body['timeoutSec'] > body['checkIntervalSec']) {
    throw invalid('resource.timeoutSec', 'must be less than or equal to checkIntervalSec');
  }
}

function validateBackendService(body: Json): void {
  if (!SCHEMES.includes(String(body['loadBalancingScheme']))) throw invalid('resource.loadBalancingScheme', 'must be EXTERNAL_MANAGED or INTERNAL_MANAGED');
  if (!['HTTP', 'HTTPS', 'HTTP2'].includes(String(body['protocol']))) throw invalid('resource.protocol', 'must be HTTP, HTTPS or HTTP2');
  const backends = (body['backends'] ?? []) as Json[];
  const healthChecks = (body['healthChecks'] ?? []) as unknown[];
  if (healthChecks.length > 1 || (backends.length > 0 && healthChecks.length !== 1))
    throw invalid('resource.healthChecks', 'a backend service with backends needs exactly one health check');
  const groups = new Set<unknown>();
  for (const [index, backend] of backends.entries()) {
    if (typeof backend['group'] !== 'string') throw required(`resource.backends[${index}].group`);
    if (groups.has(backend['group'])) throw invalid(`resource.backends[${index}].group`, 'duplicate backend group');
    groups.add(backend['group']);
    const mode = backend['balancingMode'];
    if (mode !== 'RATE' && mode !== 'UTILIZATION') throw invalid(`resource.backends[${index}].balancingMode`, 'must be RATE or UTILIZATION');
    if (backend['group'].includes('/networkEndpointGroups/') && mode !== 'RATE') {
      throw invalid(`resource.backends[${index}].balancingMode`, 'a GCE_VM_IP_PORT network endpoint group needs RATE');
    }
    if (mode === 'RATE' && typeof backend['maxRatePerEndpoint'] !== 'number' && typeof backend['maxRate'] !== 'number') {
      throw required(`resource.backends[${index}].maxRatePerEndpoint`);
    }
  }
  if (backends.some((backend) => String(backend['group']).includes('/instanceGroups/')) && typeof body['portName'] !== 'string') {
    throw required('resource.portName');
  }
}

function validateForwardingRule(body: Json): void {
  if (!SCHEMES.includes(String(body['loadBalancingScheme']))) throw invalid('resource.loadBalancingScheme', 'must be EXTERNAL_MANAGED or INTERNAL_MANAGED');
  requireString(body, 'target');
  requireString(body, 'IPAddress');
  const range = /^(\d+)(?:-(\d+))?$/.exec(String(body['portRange']));
  if (!range || (range[2] !== undefined && range[2] !== range[1])) throw invalid('resource.portRange', 'a target proxy takes a single port');
  if (body['IPProtocol'] !== undefined && body['IPProtocol'] !== 'TCP') throw invalid('resource.IPProtocol', 'must be TCP');
}

function validateCertificate(body: Json): void {
  if (body['type'] !== undefined && body['type'] !== 'SELF_MANAGED') throw invalid('resource.type', 'only SELF_MANAGED certificates are modelled');
  requireString(body, 'certificate');
  requireString(body, 'privateKey');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(String(body['certificate']));
  } catch {
    throw invalid('resource.certificate', 'not a PEM certificate');
  }
  try {
    const key = createPrivateKey(String(body['privateKey']));
    const match = createPublicKey(key)
      .export({ format: 'der', type: 'spki' })
      .equals(leaf.publicKey.export({ format: 'der', type: 'spki' }));
    if (!match) throw new Error('mismatch');
  } catch {
    throw invalid('resource.privateKey', 'the private key does not match the certificate');
  }
}

const PATH_MATCHES = ['prefixMatch', 'fullPathMatch', 'regexMatch', 'pathTemplateMatch'];

function validateUrlMap(body: Json): void {
  const defaults = ['defaultService', 'defaultRouteAction', 'defaultUrlRedirect'].filter((field) => body[field] !== undefined);
  if (defaults.length === 0) throw required('resource.defaultService');
  if (body['defaultService'] !== undefined && body['defaultUrlRedirect'] !== undefined) {
    throw invalid('resource.defaultUrlRedirect', 'only one of defaultService and defaultUrlRedirect');
  }
  validateRouteAction(body['defaultRouteAction'], 'resource.defaultRouteAction');
  const matchers = (body['pathMatchers'] ?? []) as Json[];
  const names = new Set(matchers.map((matcher) => matcher['name']));
  for (const [index, rule] of ((body['hostRules'] ?? []) as Json[]).entries()) {
    if (!names.has(rule['pathMatcher'])) throw invalid(`resource.hostRules[${index}].pathMatcher`, `no path matcher named '${String(rule['pathMatcher'])}'`);
    const hosts = (rule['hosts'] ?? []) as string[];
    if (hosts.length === 0) throw required(`resource.hostRules[${index}].hosts`);
    for (const host of hosts) {
      if (host !== '*' && !/^(\*\.|\*-)?[a-z0-9.-]+(:\d+)?$/i.test(host))
        throw invalid(`resource.hostRules[${index}].hosts`, `'${host}' is not a host pattern`);
    }
  }
  for (const [index, matcher] of matchers.entries()) {
    const field = `resource.pathMatchers[${index}]`;
    const routeRules = (matcher['routeRules'] ?? []) as Json[];
    if (routeRules.length > 0 && Array.isArray(matcher['pathRules']) && matcher['pathRules'].length > 0) {
      throw invalid(field, 'pathRules and routeRules cannot both be set');
    }
    if (routeRules.length > 200) throw invalid(`${field}.routeRules`, 'at most 200 route rules per path matcher');
    const priorities = new Set<unknown>();
    for (const [ruleIndex, rule] of routeRules.entries()) {
      const ruleField = `${field}.routeRules[${ruleIndex}]`;
      const priority = rule['priority'];
      if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 2147483647)
        throw invalid(`${ruleField}.priority`, 'must be 0-2147483647');
      if (priorities.has(priority)) throw invalid(`${ruleField}.priority`, `priority ${priority} is not unique`);
      priorities.add(priority);
      const actions = ['service', 'routeAction', 'urlRedirect'].filter((name) => rule[name] !== undefined);
      if (actions.length !== 1 && !(actions.length === 2 && rule['service'] !== undefined && rule['routeAction'] !== undefined)) {
        throw invalid(ruleField, 'exactly one of service, routeAction and urlRedirect');
      }
      for (const [matchIndex, match] of ((rule['matchRules'] ?? []) as Json[]).entries()) {
        if (PATH_MATCHES.filter((name) => match[name] !== undefined).length > 1) {
          throw invalid(`${ruleField}.matchRules[${matchIndex}]`, 'only one of prefixMatch, fullPathMatch, regexMatch and pathTemplateMatch');
        }
        if (((match['headerMatches'] ?? []) as unknown[]).length > 5) throw invalid(`${ruleField}.matchRules[${matchIndex}].headerMatches`, 'at most 5');
      }
      validateRouteAction(rule['routeAction'], `${ruleField}.routeAction`);
    }
  }
}

function validateRouteAction(action: unknown, field: string): void {
  if (action === undefined) return;
  const weighted = ((action as Json)['weightedBackendServices'] ?? []) as Json[];
  for (const [index, backend] of weighted.entries()) {
    const weight = backend['weight'];
    if (typeof weight !== 'number' || weight < 0 || weight > 1000) throw invalid(`${field}.weightedBackendServices[${index}].weight`, 'must be 0-1000');
  }
  const abort = ((action as Json)['faultInjectionPolicy'] as Json | undefined)?.['abort'] as Json | undefined;
  if (abort !== undefined) {
    const status = abort['httpStatus'];
    if (typeof status !== 'number' || status < 200 || status > 599) throw invalid(`${field}.faultInjectionPolicy.abort.httpStatus`, 'must be 200-599');
  }
}
