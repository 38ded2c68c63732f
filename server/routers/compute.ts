// Compute hosts: the Workers page (connected workers, their backend, labels and current stage, queue
// depth, this workspace's recent stage jobs) and the memory/time estimate of a graph before it runs.
import { and, desc, eq, gt, inArray, isNotNull, lt } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { planRun } from '../../runtime/compile/plan';
import { checkGraphDocument, GraphFileError } from '../../runtime/compile/read-graph';
import { validateGraph } from '../../runtime/compile/validate';
import { runNodes, runs, workers } from '../db/schema';
import { judgeCapacity } from '../runs/capacity';
import { defaultTrainingRequires, TRAINING_NODE_TYPES } from '../runs/run-service';
import { graphProcedure, requireRunService, router, workspaceProcedure } from '../trpc';

/** A worker that has not beaten for this long is shown as gone (its heartbeat key has expired). */
const GONE_AFTER_MS = 60_000;

export const computeRouter = router({
  workers: workspaceProcedure.query(async ({ ctx }) => {
    const service = requireRunService(ctx);
    const overview = (await service.queue.overview?.()) ?? { mode: 'embedded' as const, workers: [], queues: [], startLatencyP95Ms: null };
    // Workers are shared; which run they work on is shown only for runs of the caller's workspace.
    const busyRunIds = [...new Set(overview.workers.flatMap((w) => w.currentJobs.map((j) => j.runId)))];
    const visible = new Set(
      busyRunIds.length ? (await ctx.db.select({ id: runs.id }).from(runs).where(and(inArray(runs.id, busyRunIds), eq(runs.workspaceId, ctx.workspaceId)))).map((r) => r.id) : [],
    );
    const live = overview.workers.map((w) => ({
      ...w,
      currentJobs: w.currentJobs.map((j) => (visible.has(j.runId) ? j : { runId: null, nodeId: null, startedAt: j.startedAt })),
    }));
    const liveIds = new Set(live.map((w) => w.id));
    const gone =
      overview.mode === 'queue'
        ? (await ctx.db.select().from(workers).where(and(lt(workers.lastSeenAt, new Date(Date.now() - 5_000)), gt(workers.lastSeenAt, new Date(Date.now() - 24 * 3600_000)))).orderBy(desc(workers.lastSeenAt)).limit(20))
            .filter((w) => !liveIds.has(w.id) && Date.now() - w.lastSeenAt.getTime() > GONE_AFTER_MS / 4)
            .map((w) => ({ id: w.id, hostname: w.hostname, labels: w.labels, backend: w.backend, device: w.device, lastSeenAt: w.lastSeenAt.getTime() }))
        : [];
    const recentJobs = await ctx.db
      .select({ runId: runNodes.runId, nodeId: runNodes.nodeId, status: runNodes.status, workerId: runNodes.workerId, backend: runNodes.backend, device: runNodes.device, attempts: runNodes.attempts, startedAt: runNodes.startedAt, finishedAt: runNodes.finishedAt, error: runNodes.error, graphId: runs.graphId })
      .from(runNodes)
      .innerJoin(runs, eq(runs.id, runNodes.runId))
      .where(and(eq(runs.workspaceId, ctx.workspaceId), isNotNull(runNodes.workerId)))
      .orderBy(desc(runNodes.startedAt))
      .limit(30);
    return { mode: overview.mode, workers: live, goneWorkers: gone, queues: overview.queues, startLatencyP95Ms: overview.startLatencyP95Ms, recentJobs };
  }),

  /** Memory and time per training stage of a document, and whether a connected worker can hold it (POST: it carries a whole graph). */
  estimate: graphProcedure('read')
    .input(z.object({ document: z.unknown(), requires: z.array(z.string().max(32)).max(8).optional() }))
    .mutation(async ({ ctx, input }) => {
      const service = requireRunService(ctx);
      let doc;
      try {
        doc = checkGraphDocument(input.document, 'document').document;
      } catch (err) {
        if (err instanceof GraphFileError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
        throw err;
      }
      if (validateGraph(doc).length > 0) return { estimates: [], issues: [], warnings: ['the graph has problems; fix them for an estimate'] };
      const requires = input.requires ?? defaultTrainingRequires();
      const type = new Map(doc.nodes.map((n) => [n.id, n.type]));
      return judgeCapacity(doc, planRun(doc), (id) => (TRAINING_NODE_TYPES.has(type.get(id)!) ? requires : []), service.env, (await service.queue.overview?.().catch(() => null)) ?? null);
    }),
});
