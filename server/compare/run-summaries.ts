// What the compare view needs of each run, read from the database and kept small: status, version,
// wall times, per-node headline metrics with their flags, and loss curves thinned to a few hundred points.
import { and, asc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { GraphDocument } from '../../graph-nodes';
import type { Database } from '../db/client';
import { graphVersions, runEvents, runNodes, runs, users } from '../db/schema';

/** Most points of one node's loss curve in one run (evenly thinned, the last point always kept). */
export const MAX_CURVE_POINTS = 200;
/** Most numbers kept per node's metrics, and flags per node. */
const MAX_VALUES = 24;
const MAX_FLAGS = 8;

/** A warning an evaluation attached to its numbers (collapsed to one class, at chance, diverged). */
export interface CompareFlag {
  code: string;
  message: string;
}

/** A node's headline numbers in one run: an evaluation's `values`, or a training stage's own numbers. */
export interface NodeMetricsSummary {
  name: string;
  /** `eval` kinds (classification, tagging, perplexity) or `stage` for a training stage's numbers. */
  kind: string;
  values: Record<string, number>;
  flags: CompareFlag[];
}

/** A loss curve: [step, loss] pairs; `fromRunId` when the node was cached and the curve is the run that computed it. */
export interface CompareCurve {
  points: [number, number][];
  fromRunId?: string;
}

export interface CompareRun {
  id: string;
  status: string;
  graphVersion: number | null;
  /** The version whose document this run ran: its own, or (a run of an unsaved-looking editor state) the newest saved version identical to it. */
  sameAsVersion: number | null;
  versionMessage: string | null;
  parentRunId: string | null;
  sweepId: string | null;
  author: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Seconds from start to finish (null while running or never started). */
  wallSec: number | null;
  error: string | null;
  backend: string | null;
  device: string | null;
  document: GraphDocument;
  nodes: { nodeId: string; status: string; wallSec: number | null; error: string | null }[];
  metrics: Record<string, NodeMetricsSummary>;
  curves: Record<string, CompareCurve>;
}

const seconds = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, (b.getTime() - a.getTime()) / 1000) : null);
const cut = (s: string | null | undefined, n = 300) => (s == null ? null : s.length > n ? `${s.slice(0, n - 1)}…` : s);

function numbersOf(obj: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!obj || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj)) {
    if (Object.keys(out).length >= MAX_VALUES) break;
    if (typeof v === 'number' && Number.isFinite(v)) out[k.slice(0, 64)] = v;
  }
  return out;
}

function flagsOf(obj: unknown): CompareFlag[] {
  const flags = (obj as { flags?: unknown } | null)?.flags;
  if (!Array.isArray(flags)) return [];
  return flags
    .filter((f): f is { code: unknown; message: unknown } => !!f && typeof f === 'object')
    .filter((f) => typeof f.message === 'string')
    .slice(0, MAX_FLAGS)
    .map((f) => ({ code: String(f.code ?? 'warning').slice(0, 32), message: cut(f.message as string)! }));
}

/** The compare view's numbers of one node's stored metrics, or null when it has none worth a row. */
export function summarizeMetrics(nodeId: string, raw: unknown): NodeMetricsSummary | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as { name?: unknown; kind?: unknown; values?: unknown };
  if (m.values && typeof m.values === 'object') {
    const values = numbersOf(m.values);
    if (Object.keys(values).length === 0) return null;
    return { name: typeof m.name === 'string' && m.name ? m.name.slice(0, 80) : nodeId, kind: typeof m.kind === 'string' ? m.kind : 'eval', values, flags: flagsOf(m) };
  }
  const values = numbersOf(m);
  return Object.keys(values).length ? { name: nodeId, kind: 'stage', values, flags: flagsOf(m) } : null;
}

/** Loss curves of some nodes of some runs, each thinned in the database to at most MAX_CURVE_POINTS. */
async function lossCurves(db: Database, runIds: string[], nodeFilter?: (runId: string, nodeId: string) => boolean): Promise<Map<string, Map<string, [number, number][]>>> {
  const out = new Map<string, Map<string, [number, number][]>>();
  if (runIds.length === 0) return out;
  const nodeId = sql<string>`${runEvents.payload}->>'nodeId'`;
  const thin = db
    .select({
      runId: runEvents.runId,
      nodeId: nodeId.as('node_id'),
      step: sql<number>`(${runEvents.payload}->>'step')::float8`.as('step'),
      loss: sql<number>`(${runEvents.payload}->>'loss')::float8`.as('loss'),
      rn: sql<number>`(row_number() over (partition by ${runEvents.runId}, ${runEvents.payload}->>'nodeId' order by ${runEvents.seq}))::int`.as('rn'),
      n: sql<number>`(count(*) over (partition by ${runEvents.runId}, ${runEvents.payload}->>'nodeId'))::int`.as('n'),
    })
    .from(runEvents)
    .where(and(inArray(runEvents.runId, runIds), eq(runEvents.type, 'progress'), sql`jsonb_typeof(${runEvents.payload}->'loss') = 'number'`))
    .as('thin');
  const rows = await db
    .select({ runId: thin.runId, nodeId: thin.nodeId, step: sql<number>`${thin.step}`.mapWith(Number), loss: sql<number>`${thin.loss}`.mapWith(Number) })
    .from(thin)
    .where(sql`(${thin.rn} - 1) % greatest(1, ceil(${thin.n}::float8 / ${MAX_CURVE_POINTS})::int) = 0 or ${thin.rn} = ${thin.n}`)
    .orderBy(asc(thin.runId), asc(thin.nodeId), asc(thin.rn));
  for (const r of rows) {
    if (nodeFilter && !nodeFilter(r.runId, r.nodeId)) continue;
    if (!out.has(r.runId)) out.set(r.runId, new Map());
    const byNode = out.get(r.runId)!;
    if (!byNode.has(r.nodeId)) byNode.set(r.nodeId, []);
    byNode.get(r.nodeId)!.push([r.step, r.loss]);
  }
  return out;
}

/** Summaries of runs (already checked to be readable by the caller and of graph `graphId`), in the order given. */
export async function compareRuns(db: Database, graphId: string, runIds: string[]): Promise<CompareRun[]> {
  if (runIds.length === 0) return [];
  const rows = await db
    .select({ run: runs, versionMessage: graphVersions.message, author: users.name })
    .from(runs)
    .leftJoin(graphVersions, and(eq(graphVersions.graphId, runs.graphId), eq(graphVersions.version, runs.graphVersion)))
    .leftJoin(users, eq(users.id, runs.createdBy))
    .where(inArray(runs.id, runIds));
  const nodes = await db.select().from(runNodes).where(inArray(runNodes.runId, runIds));
  // The editor runs its document as it stands; when that equals a saved version (jsonb equality, key order aside), name it.
  const identical = await db
    .select({ runId: runs.id, version: max(graphVersions.version) })
    .from(runs)
    .innerJoin(graphVersions, and(eq(graphVersions.graphId, runs.graphId), sql`${graphVersions.document} = ${runs.document}`))
    .where(and(inArray(runs.id, runIds), isNull(runs.graphVersion)))
    .groupBy(runs.id);
  const sameAs = new Map(identical.map((r) => [r.runId, r.version]));
  const curves = await lossCurves(db, runIds);
  // A cached node trained in an earlier run of this graph: its curve is that run's.
  const cached = nodes.filter((n) => n.status === 'cached');
  const origins = new Map<string, string>();
  if (cached.length > 0) {
    const found = await db
      .select({ runId: runNodes.runId, cacheKey: runNodes.cacheKey, finishedAt: runNodes.finishedAt })
      .from(runNodes)
      .innerJoin(runs, eq(runs.id, runNodes.runId))
      .where(and(inArray(runNodes.cacheKey, [...new Set(cached.map((n) => n.cacheKey))]), eq(runNodes.status, 'done'), eq(runs.graphId, graphId)))
      .orderBy(asc(runNodes.finishedAt));
    for (const f of found) if (!origins.has(f.cacheKey)) origins.set(f.cacheKey, f.runId);
  }
  const wanted = new Set(cached.filter((n) => origins.has(n.cacheKey)).map((n) => `${origins.get(n.cacheKey)}\u0000${n.nodeId}`));
  const originCurves = await lossCurves(db, [...new Set([...origins.values()].filter((id) => !runIds.includes(id)))], (runId, nodeId) => wanted.has(`${runId}\u0000${nodeId}`));
  const byId = new Map(rows.map((r) => [r.run.id, r]));
  return runIds
    .filter((id) => byId.has(id))
    .map((id) => {
      const { run, versionMessage, author } = byId.get(id)!;
      const own = nodes.filter((n) => n.runId === id);
      const metrics: Record<string, NodeMetricsSummary> = {};
      for (const n of own) {
        const s = summarizeMetrics(n.nodeId, n.metrics);
        if (s) metrics[n.nodeId] = s;
      }
      const runCurves: Record<string, CompareCurve> = {};
      for (const [nodeId, points] of curves.get(id) ?? []) runCurves[nodeId] = { points };
      for (const n of own) {
        if (n.status !== 'cached' || runCurves[n.nodeId]) continue;
        const from = origins.get(n.cacheKey);
        const points = from ? (curves.get(from) ?? originCurves.get(from))?.get(n.nodeId) : undefined;
        if (from && points) runCurves[n.nodeId] = { points, fromRunId: from };
      }
      return {
        id,
        status: run.status,
        graphVersion: run.graphVersion,
        sameAsVersion: run.graphVersion ?? sameAs.get(id) ?? null,
        versionMessage: versionMessage ?? null,
        parentRunId: run.parentRunId,
        sweepId: run.sweepId,
        author: author ?? null,
        createdAt: run.createdAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        wallSec: seconds(run.startedAt, run.finishedAt),
        error: cut(run.error),
        backend: run.backend,
        device: run.device,
        document: run.document as GraphDocument,
        nodes: own.map((n) => ({ nodeId: n.nodeId, status: n.status, wallSec: seconds(n.startedAt, n.finishedAt), error: cut(n.error) })),
        metrics,
        curves: runCurves,
      };
    });
}
