// Rerun with changes: param edits applied to a run's document, checked against the node schemas in
// plain words, and the version message that names the run and each change. Pure; browser and server use it.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { canonicalJson } from './canonical-json';
import type { CompileIssue } from './issues';
import { resolveNodeParams } from './params';

/** One edit: set `param` of node `nodeId` to `value`; `null` or `undefined` removes it (the default applies). */
export interface ParamChange {
  nodeId: string;
  param: string;
  value: unknown;
}

/** An edit that changed the document, with the value it replaced. */
export interface AppliedChange {
  nodeId: string;
  param: string;
  before: unknown;
  after: unknown;
}

/** Whether two param values are the same value (key order aside); unset equals null. */
function sameValue(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a ?? null) === canonicalJson(b ?? null);
  } catch {
    return Object.is(a, b);
  }
}

/** A param value as people write it: 0.0005 → 5e-4 (learning rates read best so), "auto", [a, b], (default) for unset. */
export function formatParamValue(value: unknown): string {
  if (value === undefined || value === null) return '(default)';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 0.01 || abs >= 1e5)) return value.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
    return String(+value.toPrecision(6));
  }
  if (typeof value === 'string') return value.length > 40 ? `${value.slice(0, 37)}…` : value;
  if (Array.isArray(value)) return `[${value.map(formatParamValue).join(', ')}]`;
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

/**
 * Applies `changes` to a copy of `document`. Every node and param must exist; each changed node's
 * params are checked against its type's schema, and problems come back as issues naming the node
 * and param ("Learning rate must be at most 1, got 5"). Edits that leave a value as it was are dropped.
 */
export function applyParamChanges(document: GraphDocument, changes: readonly ParamChange[]): { document: GraphDocument; applied: AppliedChange[]; issues: CompileIssue[] } {
  const next: GraphDocument = { ...document, nodes: document.nodes.map((n) => ({ ...n, params: { ...n.params } })) };
  const byId = new Map(next.nodes.map((n) => [n.id, n]));
  const issues: CompileIssue[] = [];
  const applied: AppliedChange[] = [];
  const touched = new Set<string>();
  for (const change of changes) {
    const node = byId.get(change.nodeId);
    if (!node) {
      issues.push({ kind: 'bad-param', nodeId: change.nodeId, param: change.param, message: `the run has no node "${change.nodeId}"` });
      continue;
    }
    const def = getNodeDefinition(node.type);
    if (!def) {
      issues.push({ kind: 'unknown-type', nodeId: node.id, message: `node "${node.id}" has an unknown type "${node.type}"` });
      continue;
    }
    if (!Object.hasOwn(def.params.shape, change.param)) {
      issues.push({ kind: 'bad-param', nodeId: node.id, param: change.param, message: `${def.title} "${node.id}" has no param "${change.param}" (it has ${Object.keys(def.params.shape).join(', ')})` });
      continue;
    }
    const before = node.params[change.param];
    const after = change.value === null ? undefined : change.value;
    if (sameValue(before, after)) continue;
    if (after === undefined) delete node.params[change.param];
    else node.params[change.param] = after;
    // One entry per param: a later edit of the same param replaces the earlier one, keeping the original "before".
    const earlier = applied.findIndex((a) => a.nodeId === node.id && a.param === change.param);
    if (earlier >= 0) applied[earlier] = { ...applied[earlier], after };
    else applied.push({ nodeId: node.id, param: change.param, before, after });
    touched.add(node.id);
  }
  for (const nodeId of touched) {
    const node = byId.get(nodeId)!;
    const { issues: found } = resolveNodeParams(getNodeDefinition(node.type)!, node.id, node.params);
    issues.push(...found);
  }
  // An edit set back to its first value is no change at all.
  const real = applied.filter((a) => !sameValue(a.before, a.after));
  return { document: next, applied: real, issues };
}

/** The message of the version a rerun saves: "Rerun of run r_3f2a…: fine-tune.learningRate 1e-3 → 5e-4". */
export function rerunMessage(runId: string, applied: readonly AppliedChange[]): string {
  const parts = applied.map((a) => `${a.nodeId}.${a.param} ${formatParamValue(a.before)} → ${formatParamValue(a.after)}`);
  const message = `Rerun of run ${runId}: ${parts.join(', ')}`;
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}

/** An issue in one line that names its node and param, for an API error. */
export function issueLine(issue: CompileIssue): string {
  return issue.nodeId ? `node "${issue.nodeId}"${issue.param ? `, param ${issue.param}` : ''}: ${issue.message}` : issue.message;
}
