// Sweeps: plan a grid over one or two params of one node (run count, shared vs per-point stages),
// start it (one `sweeps` row, one run per point through the run service), and read its results table.
// Editors plan and start; anyone who may read the graph sees its sweeps.
import { TRPCError } from '@trpc/server';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { planRun } from '../../runtime/compile/plan';
import { validateGraphInSlices } from '../../runtime/compile/validate';
import { ArtifactStore, artifactsRootFor } from '../../runtime/exec/artifact-store';
import type { Context } from '../trpc';
import { inVisibleWorkspace } from './visible-workspaces';
import { graphVersions, runNodes, runs, sweeps, users } from '../db/schema';
import { newId } from '../ids';
import { RunRejected } from '../runs/run-service';
import { expandGrid, MAX_SWEEP_PARAMS, MAX_SWEEP_RUNS, sweepProblems, type SweepSpec, type SweepValue } from '../sweeps/grid';
import { describeSweepPlan, planSweep } from '../sweeps/plan';
import { sweepColumns, type SweepRow } from '../sweeps/results-table';
import { graphProcedure, requireRunService, router } from '../trpc';
import { scoreOf, type RunScore } from './results';

const sweepValue = z.union([z.number().finite(), z.string().max(200), z.boolean()]);
const sweepInput = z.object({
  /** The graph version to sweep (default: the latest). */
  version: z.int().min(1).optional(),
  nodeId: z.string().min(1).max(128),
  params: z
    .array(z.object({ name: z.string().min(1).max(64), values: z.array(sweepValue).min(1).max(MAX_SWEEP_RUNS) }))
    .min(1, 'pick at least one param to sweep')
    .max(MAX_SWEEP_PARAMS, `a sweep varies at most ${MAX_SWEEP_PARAMS} params`),
});

/** The base version's document, or NOT_FOUND naming the version. */
async function baseDocument(ctx: Context, graphId: string, version: number): Promise<GraphDocument> {
  const [row] = await ctx.db.select({ document: graphVersions.document }).from(graphVersions).where(and(eq(graphVersions.graphId, graphId), eq(graphVersions.version, version)));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${graphId}' has no version ${version}` });
  return row.document as GraphDocument;
}

/** The grid's points, or BAD_REQUEST listing every problem (bad values, too many runs, a graph that cannot run). */
async function checkedGrid(document: GraphDocument, spec: SweepSpec) {
  const problems = sweepProblems(document, spec);
  if (problems.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: problems.map((p) => p.message).join('; ') });
  const points = expandGrid(document, spec);
  // Every point must compile; the base graph's own problems show up here too.
  const issues = await validateGraphInSlices(points[0].document);
  if (issues.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: new RunRejected(issues).message });
  return points;
}

export const sweepsRouter = router({
  /** How many runs and which stages run once and shared vs per point, before anything starts. A mutation (POST): it carries the values. */
  plan: graphProcedure('read')
    .input(sweepInput)
    .mutation(async ({ ctx, input }) => {
      const service = requireRunService(ctx);
      const version = input.version ?? ctx.graph.latestVersion;
      const document = await baseDocument(ctx, ctx.graph.id, version);
      const points = await checkedGrid(document, input);
      const store = new ArtifactStore(artifactsRootFor(service.env.dataDir));
      const plan = planSweep(document, points, (doc) => service.keysFor(doc, ctx.graph.workspaceId), (key) => store.has(key));
      return { version, ...plan, summary: describeSweepPlan(plan), points: points.map((p) => p.values) };
    }),

  /** Starts the sweep: one `sweeps` row and one run per point (same base version, the point's params applied). */
  start: graphProcedure('write')
    .input(sweepInput)
    .mutation(async ({ ctx, input }) => {
      const service = requireRunService(ctx);
      const version = input.version ?? ctx.graph.latestVersion;
      const document = await baseDocument(ctx, ctx.graph.id, version);
      const points = await checkedGrid(document, input);
      const sweepId = newId('s');
      const spec = { params: input.params };
      await ctx.db.insert(sweeps).values({ id: sweepId, workspaceId: ctx.graph.workspaceId, graphId: ctx.graph.id, graphVersion: version, nodeId: input.nodeId, spec, createdBy: ctx.user.id });
      const runIds: string[] = [];
      try {
        for (const point of points) {
          const { runId } = await service.start({ workspaceId: ctx.graph.workspaceId, graphId: ctx.graph.id, graphVersion: version, document: point.document, userId: ctx.user.id, mode: 'all' });
          await ctx.db.update(runs).set({ sweepId }).where(eq(runs.id, runId));
          runIds.push(runId);
        }
      } catch (err) {
        // Points already started keep running and stay in the sweep; the rest are not started.
        if (!(err instanceof RunRejected)) throw err;
        throw new TRPCError({ code: 'BAD_REQUEST', message: `point ${runIds.length + 1} of ${points.length} could not start (${runIds.length} started): ${err.message}`, cause: err });
      }
      return { sweepId, runIds };
    }),

  /** The graph's sweeps, newest first. */
  list: graphProcedure('read').query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ id: sweeps.id, graphVersion: sweeps.graphVersion, nodeId: sweeps.nodeId, spec: sweeps.spec, createdAt: sweeps.createdAt, createdBy: users.name })
      .from(sweeps)
      .leftJoin(users, eq(users.id, sweeps.createdBy))
      .where(and(eq(sweeps.graphId, ctx.graph.id), inVisibleWorkspace(ctx.db, sweeps.workspaceId, ctx.graph.workspaceId, ctx.user.id)))
      .orderBy(desc(sweeps.createdAt))
      .limit(50);
    const counts = rows.length ? await ctx.db.select({ sweepId: runs.sweepId, status: runs.status }).from(runs).where(inArray(runs.sweepId, rows.map((r) => r.id))) : [];
    return rows.map((r) => {
      const mine = counts.filter((c) => c.sweepId === r.id);
      return { ...r, spec: r.spec as Pick<SweepSpec, 'params'>, runs: mine.length, finished: mine.filter((c) => ['done', 'failed', 'cancelled'].includes(c.status)).length };
    });
  }),

  /** The results table: per point its values, status, scores (with flags) and wall time; metric columns with the best marked. */
  get: graphProcedure('read')
    .input(z.object({ sweepId: z.string().min(1).max(64) }))
    .query(async ({ ctx, input }) => {
      // A sweep left in the workspace the graph moved out of is readable only to that workspace's members.
      const [sweep] = await ctx.db.select().from(sweeps).where(and(eq(sweeps.id, input.sweepId), eq(sweeps.graphId, ctx.graph.id), inVisibleWorkspace(ctx.db, sweeps.workspaceId, ctx.graph.workspaceId, ctx.user.id)));
      if (!sweep) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${ctx.graph.id}' has no sweep '${input.sweepId}'` });
      const spec = sweep.spec as Pick<SweepSpec, 'params'>;
      const runRows = await ctx.db
        .select({ id: runs.id, status: runs.status, error: runs.error, document: runs.document, startedAt: runs.startedAt, finishedAt: runs.finishedAt, createdAt: runs.createdAt })
        .from(runs)
        .where(eq(runs.sweepId, sweep.id))
        .orderBy(asc(runs.createdAt), asc(runs.id));
      const allNodes = runRows.length ? await ctx.db.select({ runId: runNodes.runId, nodeId: runNodes.nodeId, status: runNodes.status, metrics: runNodes.metrics }).from(runNodes).where(inArray(runNodes.runId, runRows.map((r) => r.id))) : [];
      const nodes = allNodes.filter((n) => n.metrics !== null);
      // Rows in grid order (the first param varies slowest), as the dialog listed the points.
      const gridIndex = (values: Record<string, SweepValue>) => spec.params.reduce((n, p) => n * p.values.length + Math.max(0, p.values.findIndex((v) => v === values[p.name])), 0);
      const rows: SweepRow[] = runRows.map((r) => {
        const swept = (r.document as GraphDocument).nodes.find((n) => n.id === sweep.nodeId)?.params ?? {};
        return {
          runId: r.id,
          values: Object.fromEntries(spec.params.map((p) => [p.name, swept[p.name] as SweepValue])),
          status: r.status,
          error: r.error,
          scores: nodes.filter((n) => n.runId === r.id).map((n) => scoreOf(n.nodeId, n.metrics)).filter((s): s is RunScore => s !== null),
          seconds: r.startedAt && r.finishedAt ? (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 : null,
        };
      });
      rows.sort((a, b) => gridIndex(a.values) - gridIndex(b.values));
      const firstDoc = runRows[0]?.document as GraphDocument | undefined;
      const node = firstDoc?.nodes.find((n) => n.id === sweep.nodeId);
      // What actually happened to each stage across the sweep's runs: computed (done) or reused (cached).
      const stages = (firstDoc ? planRun(firstDoc) : []).map((nodeId) => {
        const rowsOf = allNodes.filter((n) => n.nodeId === nodeId);
        const n = firstDoc!.nodes.find((x) => x.id === nodeId)!;
        return { nodeId, title: n.label || getNodeDefinition(n.type)?.title || n.type, computed: rowsOf.filter((r) => r.status === 'done').length, reused: rowsOf.filter((r) => r.status === 'cached').length };
      });
      return {
        stages,
        sweep: { id: sweep.id, graphVersion: sweep.graphVersion, nodeId: sweep.nodeId, nodeLabel: node?.label ?? null, nodeType: node?.type ?? null, params: spec.params, createdAt: sweep.createdAt },
        rows,
        columns: sweepColumns(rows),
      };
    }),
});
