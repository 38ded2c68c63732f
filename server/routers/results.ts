// The Results page's own-runs list: the workspace's finished runs with their evaluation metrics and
// how long they really took.
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { graphs, runNodes, runs } from '../db/schema';
import { router, workspaceProcedure } from '../trpc';

/** One evaluation in a finished run. */
export interface RunScore {
  nodeId: string;
  name: string;
  kind: string;
  values: Record<string, number>;
  flags: { code: string; message: string }[];
}

/** The evaluation scores in a node's recorded metrics (null for training metrics and comparisons). */
export function scoreOf(nodeId: string, metrics: unknown): RunScore | null {
  const m = metrics as { name?: unknown; kind?: unknown; values?: unknown; flags?: unknown } | null;
  if (!m || typeof m !== 'object' || !m.values || typeof m.values !== 'object' || m.kind === 'comparison') return null;
  const values = Object.fromEntries(Object.entries(m.values as Record<string, unknown>).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
  const flags = Array.isArray(m.flags) ? (m.flags as RunScore['flags']).filter((f) => f && typeof f.message === 'string') : [];
  return { nodeId, name: typeof m.name === 'string' && m.name ? m.name : nodeId, kind: String(m.kind ?? ''), values, flags };
}

export const resultsRouter = router({
  /** Finished runs of the caller's workspace, newest first, with wall time and each evaluation's scores. */
  myRuns: workspaceProcedure.input(z.object({ limit: z.int().min(1).max(100).default(30) }).default({ limit: 30 })).query(async ({ ctx, input }) => {
    const rows = await ctx.db
      .select({ id: runs.id, graphId: runs.graphId, graphName: graphs.name, graphVersion: runs.graphVersion, backend: runs.backend, startedAt: runs.startedAt, finishedAt: runs.finishedAt })
      .from(runs)
      .innerJoin(graphs, eq(graphs.id, runs.graphId))
      .where(and(eq(runs.workspaceId, ctx.workspaceId), eq(runs.status, 'done')))
      .orderBy(desc(runs.finishedAt))
      .limit(input.limit);
    const nodes = rows.length
      ? await ctx.db
          .select({ runId: runNodes.runId, nodeId: runNodes.nodeId, metrics: runNodes.metrics })
          .from(runNodes)
          .where(and(inArray(runNodes.runId, rows.map((r) => r.id)), isNotNull(runNodes.metrics)))
      : [];
    return rows.map((r) => ({
      ...r,
      seconds: r.startedAt && r.finishedAt ? (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 : null,
      scores: nodes.filter((n) => n.runId === r.id).map((n) => scoreOf(n.nodeId, n.metrics)).filter((s): s is RunScore => s !== null),
    }));
  }),
});
