/**
 * The Ingresses this controller leaves alone because their class is not ours, so that `plan` and
 * `run` can say so rather than skip them in silence (an ingress-nginx tutorial's `nginx` class is
 * the usual surprise). Pure.
 * @module
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { IngressRef } from '../model.js';
import { ingressRef } from './diagnostics.js';
import { DEFAULT_CLASS_ANNOTATION, LEGACY_CLASS_ANNOTATION, resolveIngressClass, type ClassOptions } from './ingress-class.js';
import type { ClassScope } from './groups.js';
import { compareText } from './compare-text.js';

export interface LeftToOtherClass {
  ref: IngressRef;
  /** The class the Ingress names; undefined when it names none and no default IngressClass is ours. */
  className?: string;
}

export function ingressesLeftToOtherClasses(snapshot: ClassScope & { ingresses(): V1Ingress[] }, options: ClassOptions): LeftToOtherClass[] {
  const classes = snapshot.ingressClasses();
  const defaultClass = classes.filter((candidate) => candidate.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  const left: LeftToOtherClass[] = [];
  for (const ingress of snapshot.ingresses()) {
    if (ingress.metadata?.deletionTimestamp || resolveIngressClass(ingress, classes, options).ours) continue;
    const named = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] ?? ingress.spec?.ingressClassName;
    // A class-less Ingress belongs to the cluster's one default class, when there is exactly one.
    const className = named ?? (defaultClass.length === 1 ? defaultClass[0]?.metadata?.name : undefined);
    left.push({ ref: ingressRef(ingress), ...(className !== undefined && { className }) });
  }
  return left.sort((a, b) => compareText(`${a.ref.namespace}/${a.ref.name}`, `${b.ref.namespace}/${b.ref.name}`));
}

/**
 * One line per class: `1 Ingress left to class nginx: default/app`. The refs are listed in full,
 * because the reader looks for their own.
 */
export function describeLeftToOtherClasses(left: readonly LeftToOtherClass[], ourClass: string): string[] {
  const byClass = new Map<string | undefined, string[]>();
  for (const entry of left) byClass.set(entry.className, [...(byClass.get(entry.className) ?? []), `${entry.ref.namespace}/${entry.ref.name}`]);
  return [...byClass.entries()]
    .sort(([a], [b]) => compareText(a ?? '', b ?? ''))
    .map(([className, refs]) => {
      const count = `${refs.length} Ingress${refs.length === 1 ? '' : 'es'}`;
      const to =
        className === undefined
          ? `with no class (no ingressClassName and no default IngressClass; ours is ${ourClass}) left out`
          : `left to class ${className}`;
      return `${count} ${to}: ${refs.join(', ')}`;
    });
}
