// The compiler's front door: validate, then plan and key what a run needs.
import type { GraphDocument } from '../../graph-nodes';
import { cacheKeysFor, type CacheKeyOptions } from './cache-key';
import type { CompileIssue } from './issues';
import { planRun } from './plan';
import { validateGraph } from './validate';

export interface CompiledGraph {
  issues: CompileIssue[];
  /** Execution order of the nodes the targets need (empty when there are issues). */
  order: string[];
  /** Cache key per planned node (empty when there are issues). */
  keys: Record<string, string>;
}

/** Validates a document and, when it has no issues, plans it and computes cache keys. */
export function compileGraph(doc: unknown, opts: CacheKeyOptions & { targets?: string[] } = {}): CompiledGraph {
  const issues = validateGraph(doc);
  if (issues.length > 0) return { issues, order: [], keys: {} };
  const graph = doc as GraphDocument;
  const order = planRun(graph, opts.targets);
  const all = cacheKeysFor(graph, opts);
  return { issues, order, keys: Object.fromEntries(order.map((id) => [id, all[id]])) };
}

export { validateGraph, isConnectionLegal } from './validate';
export { planRun, descendantsOf } from './plan';
export { cacheKeysFor } from './cache-key';
export { migrateGraph } from './migrate';
export type { CompileIssue } from './issues';
