/**
 * The shapes of a compiled HTTPRoute or GRPCRoute (routes.ts makes them): its rules, each match's
 * conditions and precedence rank, and the problems its status reports; and what compiling one needs
 * to know of its Gateway.
 * @module
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Action, Condition, Diagnostic, FunctionTargetGroupSpec, ObjectRef, TargetGroupSpec, Transform } from '../../model.js';
import type { GRPCRoute, HTTPRoute } from '../../sources/gateway-kinds.js';
import type { SnapshotView } from '../../sources/snapshot.js';
import type { TargetGroupAnnotations } from '../annotation-types.js';
import type { AlbLimits } from '../../limits.js';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/** A route as the snapshot holds it, before it is compiled. */
export interface RouteSource {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
}

/** What decides a match's precedence, most significant first (comparePlaced, precedence.ts). */
export interface MatchRank {
  /** 0 Exact, 1 RegularExpression, 2 PathPrefix. */
  pathKind: number;
  pathLength: number;
  method: boolean;
  headers: number;
  queries: number;
}

export interface CompiledMatch {
  conditions: Condition[];
  rank: MatchRank;
  /** The PathPrefix it matched, for ReplacePrefixMatch. */
  prefix?: string;
  field: string;
}

export interface CompiledRule {
  index: number;
  matches: CompiledMatch[];
  action: Action;
  transforms?: Transform[];
  targetGroups: TargetGroupSpec[];
  /** The function target groups the forward names (backendRefs of kind Function). */
  functionTargetGroups: FunctionTargetGroupSpec[];
}

/** A problem reported in the route's status for each parent: which condition it falsifies and why. */
export interface RouteProblem {
  condition: 'Accepted' | 'ResolvedRefs' | 'PartiallyInvalid';
  reason: string;
  message: string;
}

export interface CompiledRoute {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
  ref: ObjectRef;
  namespace: string;
  hostnames: string[];
  rules: CompiledRule[];
  problems: RouteProblem[];
  diagnostics: Diagnostic[];
}

export interface RouteContext {
  snapshot: SnapshotView;
  limits: AlbLimits;
  clusterName: string;
  stackId: string;
  defaultTargetType: TargetGroupAnnotations['targetType'] & string;
  settings: TargetGroupAnnotations;
  /** The Gateway, with its GatewayClass's annotations under its own: where `settings` were written. */
  settingsHolder: { kind: string; object: KubernetesObject };
}
