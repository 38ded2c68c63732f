// Rerun with changes: from any run, change params and run again. `plan` says which stages the edit
// reruns and which come from the cache; `start` saves the edited document as a new graph version
// (its message names the run and each change) and starts it through runs.start with the parent run.
import { TRPCError } from '@trpc/server';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { GraphDocument } from '../../graph-nodes';
import { applyParamChanges, issueLine, rerunMessage, type AppliedChange } from '../../runtime/compile/param-changes';
import { planRun } from '../../runtime/compile/plan';
import { runNodes, runs, graphs } from '../db/schema';
import { createCallerFactory, requireRunService, router, runProcedure, type Context } from '../trpc';
import { graphsRouter } from './graphs';
import { runsRouter } from './runs';

const change = z.object({
  nodeId: z.string().min(1).max(128),
  param: z.string().min(1).max(128),
  value: z.union([z.number(), z.boolean(), z.string().max(1000), z.array(z.union([z.string().max(200), z.number()])).max(64), z.null()]),
});
const changes = z.array(change).max(64, 'at most 64 changes at once');

/** How a rerun targets: a run "to" a node reruns to that node; anything else runs the whole graph (cache reused). */
function targetsOf(run: { targets: unknown }, document: GraphDocument): { mode: 'all' | 'to'; nodeId?: string } {
  const t = run.targets as { mode?: string; nodeId?: string | null } | null;
  if (t?.mode === 'to' && t.nodeId && document.nodes.some((n) => n.id === t.nodeId)) return { mode: 'to', nodeId: t.nodeId };
  return { mode: 'all' };
}

/** Why a stage runs again or is reused. */
export interface RerunStage {
  nodeId: string;
  type: string;
  label?: string;
  action: 'reuse' | 'run';
  reason: string;
}

const createGraphsCaller = createCallerFactory(graphsRouter);
const createRunsCaller = createCallerFactory(runsRouter);
/** The plain context the nested callers check rights with again (the same person, database and run service). */
const plain = (ctx: Context): Context => ({ db: ctx.db, user: ctx.user, runService: ctx.runService });

export const rerunsRouter = router({
  /** What a rerun with these changes would do: problems (plain words, per node and param), the version message, and per stage reuse or run. */
  plan: runProcedure('read')
    .input(z.object({ changes }))
    .query(async ({ ctx, input }) => {
      const base = ctx.run.document as GraphDocument;
      const { document, applied, issues } = applyParamChanges(base, input.changes);
      const message = rerunMessage(ctx.run.id, applied);
      if (issues.length > 0) return { applied, issues, message, stages: [] as RerunStage[] };
      const service = requireRunService(ctx);
      const targets = targetsOf(ctx.run, document);
      const order = planRun(document, targets.nodeId ? [targets.nodeId] : undefined);
      const keys = service.keysFor(document, ctx.run.workspaceId);
      const parentKeys = new Map((await ctx.db.select({ nodeId: runNodes.nodeId, cacheKey: runNodes.cacheKey }).from(runNodes).where(eq(runNodes.runId, ctx.run.id))).map((r) => [r.nodeId, r.cacheKey]));
      const wanted = order.map((id) => keys[id]);
      const doneRows = wanted.length
        ? await ctx.db
            .select({ key: runNodes.cacheKey })
            .from(runNodes)
            .innerJoin(runs, eq(runs.id, runNodes.runId))
            .where(and(inArray(runNodes.cacheKey, wanted), inArray(runNodes.status, ['done', 'cached']), eq(runs.workspaceId, ctx.run.workspaceId)))
        : [];
      const done = new Set(doneRows.map((r) => r.key));
      const changedNodes = new Set(applied.map((a) => a.nodeId));
      const nodeById = new Map(document.nodes.map((n) => [n.id, n]));
      const stages: RerunStage[] = order.map((nodeId) => {
        const n = nodeById.get(nodeId)!;
        const common = { nodeId, type: n.type, label: n.label };
        if (done.has(keys[nodeId])) return { ...common, action: 'reuse', reason: changedNodes.has(nodeId) ? 'a finished result with these settings exists' : 'unchanged: cached result reused' };
        if (changedNodes.has(nodeId)) return { ...common, action: 'run', reason: 'its params changed' };
        if (parentKeys.has(nodeId) && parentKeys.get(nodeId) !== keys[nodeId]) return { ...common, action: 'run', reason: 'a stage above it changed' };
        return { ...common, action: 'run', reason: 'no finished result yet' };
      });
      return { applied, issues, message, stages };
    }),

  /** Saves the run's document with the changes as the graph's newest version and starts it, recording the parent run. */
  start: runProcedure('write')
    .input(z.object({ changes }))
    .mutation(async ({ ctx, input }) => {
      const base = ctx.run.document as GraphDocument;
      const { document, applied, issues } = applyParamChanges(base, input.changes);
      if (issues.length > 0) throw new TRPCError({ code: 'BAD_REQUEST', message: `not rerun: ${issues.slice(0, 3).map(issueLine).join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}` });
      if (applied.length === 0) throw new TRPCError({ code: 'BAD_REQUEST', message: `not rerun: no param differs from run '${ctx.run.id}' (change at least one, or press Run to run it as it is)` });
      requireRunService(ctx);
      const message = rerunMessage(ctx.run.id, applied);
      const [graph] = await ctx.db.select({ latest: graphs.latestVersion }).from(graphs).where(eq(graphs.id, ctx.run.graphId));
      if (!graph) throw new TRPCError({ code: 'NOT_FOUND', message: `no run '${ctx.run.id}'` });
      // The edited document becomes the newest version; history keeps every earlier one (and the run keeps its own copy).
      const { version } = await createGraphsCaller(plain(ctx)).save({ graphId: ctx.run.graphId, document, message, baseVersion: graph.latest });
      const targets = targetsOf(ctx.run, document);
      try {
        const started = await createRunsCaller(plain(ctx)).start({ graphId: ctx.run.graphId, version, parentRunId: ctx.run.id, mode: targets.mode, nodeId: targets.nodeId });
        return { runId: started.runId, version, message, applied: applied as AppliedChange[], warnings: started.warnings };
      } catch (err) {
        if (err instanceof TRPCError) throw new TRPCError({ code: err.code, message: `saved as version ${version}, but not started: ${err.message}`, cause: err });
        throw err;
      }
    }),
});
