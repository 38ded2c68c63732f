// Param differences across several runs' documents: one row per node param with each run's value
// (defaults applied, so "unset" and "set to the default" read the same). Pure; browser and server use it.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { canonicalJson } from './canonical-json';

/** One param of one node across runs; `values[i]` is run i's value, `absent[i]` when run i lacks the node. */
export interface ParamDiffRow {
  nodeId: string;
  type: string;
  label?: string;
  param: string;
  values: unknown[];
  absent: boolean[];
  /** True when the runs do not all have the same value (a missing node counts as different). */
  differs: boolean;
}

/** A node's params as the run used them: schema defaults filled in (the raw params when they do not parse). */
export function effectiveParams(type: string, params: Record<string, unknown>): Record<string, unknown> {
  const def = getNodeDefinition(type);
  const parsed = def?.params.safeParse(params ?? {});
  return parsed?.success ? (parsed.data as Record<string, unknown>) : { ...params };
}

function key(value: unknown): string {
  try {
    return canonicalJson(value ?? null);
  } catch {
    return String(value);
  }
}

/** Every param of every node found in any of `documents`, in node order of first appearance and schema order. */
export function paramDiff(documents: readonly GraphDocument[]): ParamDiffRow[] {
  const order: { id: string; type: string; label?: string }[] = [];
  const seen = new Set<string>();
  for (const doc of documents) {
    for (const n of doc.nodes) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      order.push({ id: n.id, type: n.type, label: n.label });
    }
  }
  const rows: ParamDiffRow[] = [];
  for (const node of order) {
    const perRun = documents.map((doc) => {
      const n = doc.nodes.find((x) => x.id === node.id);
      return n ? effectiveParams(n.type, n.params) : null;
    });
    const schemaKeys = Object.keys(getNodeDefinition(node.type)?.params.shape ?? {});
    const extra = [...new Set(perRun.flatMap((p) => (p ? Object.keys(p) : [])))].filter((k) => !schemaKeys.includes(k)).sort();
    for (const param of [...schemaKeys, ...extra]) {
      const values = perRun.map((p) => (p ? p[param] : undefined));
      const absent = perRun.map((p) => p === null);
      const keys = new Set(perRun.map((p, i) => (p ? key(values[i]) : '\u0000absent')));
      rows.push({ nodeId: node.id, type: node.type, label: node.label, param, values, absent, differs: keys.size > 1 });
    }
  }
  return rows;
}
