/**
 * The few validations the fake enforces because a controller can get them wrong: object names,
 * metadata field types, and the required fields of events.k8s.io/v1 Events (whose eventTime must
 * carry exactly six fractional digits, kubernetes/kubernetes#94748).
 */
import type { KubeObject } from './object.js';
import type { ResourceType } from './resources.js';

/** One `field: problem` entry of an Invalid status message. */
export type FieldProblem = string;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function validateObject(type: ResourceType, object: KubeObject): FieldProblem[] {
  return [...validateMetadata(object), ...(type.group === 'events.k8s.io' ? validateEventsV1(object) : [])];
}

function validateMetadata(object: KubeObject): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { name, labels, annotations, finalizers } = object.metadata;
  if (name === undefined || name === '') {
    problems.push('metadata.name: Required value: name or generateName is required');
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push(`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  }
  if (labels !== undefined && !isStringMap(labels)) problems.push('metadata.labels: Invalid value: must be a map of strings');
  if (annotations !== undefined && !isStringMap(annotations)) problems.push('metadata.annotations: Invalid value: must be a map of strings');
  if (finalizers !== undefined && !(Array.isArray(finalizers) && finalizers.every((entry) => typeof entry === 'string'))) {
    problems.push('metadata.finalizers: Invalid value: must be a list of strings');
  }
  return problems;
}

function validateEventsV1(event: KubeObject): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const field of ['action', 'reason', 'reportingController', 'reportingInstance']) {
    const value = event[field];
    if (typeof value !== 'string' || value === '') problems.push(`${field}: Required value`);
  }
  if (event.type !== 'Normal' && event.type !== 'Warning') {
    problems.push(`type: Unsupported value: ${JSON.stringify(event.type)}: supported values: "Normal", "Warning"`);
  }
  const { eventTime } = event;
  if (eventTime === undefined || eventTime === null) {
    problems.push('eventTime: Required value');
  } else if (typeof eventTime !== 'string' || !MICRO_TIME.test(eventTime)) {
    problems.push(`eventTime: Invalid value: ${JSON.stringify(eventTime)}: must be RFC 3339 with exactly 6 fractional digits`);
  }
  return problems;
}

function isStringMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');
}
