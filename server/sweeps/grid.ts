// Sweep grids: which params of a node can be swept, reading typed values, checking each value against
// the node's param schema, and expanding one or two params into the grid's points (one document each).
// Imports only graph-nodes and the param resolver, so the editor's dialog checks with the same rules.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { resolveNodeParams } from '../../runtime/compile/params';

/** At most this many runs per sweep: each point is a full training run. */
export const MAX_SWEEP_RUNS = 16;
/** A grid spans one or two params. */
export const MAX_SWEEP_PARAMS = 2;

export type SweepValue = number | string | boolean;

/** What a sweep varies: one node, one or two of its params, the values of each. */
export interface SweepSpec {
  nodeId: string;
  params: { name: string; values: SweepValue[] }[];
}

/** A problem with a sweep, naming the param (and value) it is about. */
export interface SweepProblem {
  param?: string;
  value?: SweepValue;
  message: string;
}

/** A param that can be swept, as the dialog offers it. */
export interface SweepableParam {
  name: string;
  kind: 'number' | 'integer' | 'number-or-auto' | 'choice' | 'boolean';
  /** For `choice`: the allowed values. */
  options?: string[];
  description?: string;
}

type ZodLike = { _zod: { def: { type: string; innerType?: ZodLike; options?: ZodLike[]; entries?: Record<string, string>; values?: unknown[]; checks?: { _zod: { def: { check?: string; format?: string } } }[]; format?: string } }; meta?: () => { description?: string } | undefined };

/** Scalar params of a node type (numbers, choices, on/off); lists and free text are not swept. */
export function sweepableParams(type: string): SweepableParam[] {
  const def = getNodeDefinition(type);
  if (!def) return [];
  const out: SweepableParam[] = [];
  for (const [name, field] of Object.entries(def.params.shape as Record<string, ZodLike>)) {
    let inner = field;
    while (inner._zod.def.type === 'default' || inner._zod.def.type === 'optional') inner = inner._zod.def.innerType!;
    const description = field.meta?.()?.description;
    const kind = kindOf(inner);
    if (!kind) continue;
    out.push({ name, kind, description, ...(kind === 'choice' ? { options: Object.values(inner._zod.def.entries ?? {}) } : {}) });
  }
  return out;
}

function kindOf(field: ZodLike): SweepableParam['kind'] | null {
  const d = field._zod.def;
  if (d.type === 'number') return d.format === 'safeint' || (d.checks ?? []).some((c) => c._zod.def.format === 'safeint') ? 'integer' : 'number';
  if (d.type === 'boolean') return 'boolean';
  if (d.type === 'enum') return 'choice';
  if (d.type === 'union' && d.options?.some((o) => o._zod.def.type === 'number') && d.options.every((o) => o._zod.def.type === 'number' || o._zod.def.type === 'literal')) return 'number-or-auto';
  return null;
}

/** A typed value from what a person wrote: numbers (`1e-3`, `16`), `true`/`false`, else the text itself. */
export function parseSweepValue(text: string): SweepValue {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  return t;
}

/** Values written comma-separated (`1e-3, 5e-4`), each typed. */
export function parseSweepValues(text: string): SweepValue[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(parseSweepValue);
}

/** Every problem with a sweep of `doc`: unknown node or param, too many params or runs, repeated
 * values, and each value the node's schema refuses (in the schema's plain words). */
export function sweepProblems(doc: GraphDocument, spec: SweepSpec): SweepProblem[] {
  const node = doc.nodes.find((n) => n.id === spec.nodeId);
  if (!node) return [{ message: `the graph has no node "${spec.nodeId}"` }];
  const def = getNodeDefinition(node.type);
  if (!def) return [{ message: `node "${spec.nodeId}" has unknown type "${node.type}"` }];
  const problems: SweepProblem[] = [];
  if (spec.params.length === 0) problems.push({ message: 'pick at least one param to sweep' });
  if (spec.params.length > MAX_SWEEP_PARAMS) problems.push({ message: `a sweep varies at most ${MAX_SWEEP_PARAMS} params; this one names ${spec.params.length}` });
  const sweepable = new Map(sweepableParams(node.type).map((p) => [p.name, p]));
  const seen = new Set<string>();
  for (const p of spec.params) {
    if (seen.has(p.name)) problems.push({ param: p.name, message: `${p.name} is named twice; give all its values in one list` });
    seen.add(p.name);
    if (!Object.hasOwn(def.params.shape, p.name)) {
      problems.push({ param: p.name, message: `${def.title} has no param "${p.name}" (it has ${Object.keys(def.params.shape).join(', ')})` });
      continue;
    }
    if (!sweepable.has(p.name)) {
      problems.push({ param: p.name, message: `${p.name} is a list or free text; only numbers, choices and on/off params can be swept` });
      continue;
    }
    if (p.values.length === 0) problems.push({ param: p.name, message: `${p.name} has no values; write them separated by commas` });
    const distinct = new Set(p.values.map((v) => JSON.stringify(v)));
    if (distinct.size !== p.values.length) problems.push({ param: p.name, message: `${p.name} lists the same value more than once` });
    for (const value of p.values) {
      const { issues } = resolveNodeParams(def, node.id, { ...node.params, [p.name]: value });
      const own = issues.filter((i) => i.param === p.name || i.param?.startsWith(`${p.name}.`));
      for (const issue of own) problems.push({ param: p.name, value, message: `${p.name} = ${JSON.stringify(value)}: ${issue.message}` });
    }
  }
  const runs = spec.params.reduce((n, p) => n * Math.max(1, p.values.length), 1);
  if (runs > MAX_SWEEP_RUNS) problems.push({ message: `this grid has ${runs} runs; a sweep runs at most ${MAX_SWEEP_RUNS} (use fewer values)` });
  return problems;
}

/** One point of the grid: the values it sets and the base document with them applied to the node. */
export interface SweepPoint {
  values: Record<string, SweepValue>;
  document: GraphDocument;
}

/** The grid's points in row-major order (the first param varies slowest). Call after `sweepProblems` found none. */
export function expandGrid(doc: GraphDocument, spec: SweepSpec): SweepPoint[] {
  let combos: Record<string, SweepValue>[] = [{}];
  for (const p of spec.params) combos = combos.flatMap((c) => p.values.map((v) => ({ ...c, [p.name]: v })));
  return combos.map((values) => ({
    values,
    document: { ...doc, nodes: doc.nodes.map((n) => (n.id === spec.nodeId ? { ...n, params: { ...n.params, ...values } } : n)) },
  }));
}
