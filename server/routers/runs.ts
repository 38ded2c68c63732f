// Runs: start (all, to a node, from a node), watch (snapshot + events after a seq), history,
// cancel, and which nodes of an edited graph are stale.
import { TRPCError } from '@trpc/server';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { GraphDocument } from '../../graph-nodes';
import { checkGraphDocumentInSlices, GraphFileError } from '../../runtime/compile/read-graph';
import { reservedIdProblem } from '../../runtime/compile/validate';
import { graphVersions, runNodes, runs } from '../db/schema';
import { RunRejected } from '../runs/run-service';
import { inVisibleWorkspace } from './visible-workspaces';
import { graphProcedure, requireRunService, router, runProcedure } from '../trpc';

export const runsRouter = router({
  start: graphProcedure('write')
    .input(z.object({ document: z.unknown().optional(), version: z.int().min(1).optional(), mode: z.enum(['all', 'to', 'from']).default('all'), nodeId: z.string().max(128).optional(), parentRunId: z.string().min(1).max(64).optional(), requires: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a worker label: lowercase letters, digits, dashes')).max(8).optional() }))
    .mutation(async ({ ctx, input }) => {
      const service = requireRunService(ctx);
      let document: GraphDocument;
      let graphVersion: number | null = null;
      if (input.document !== undefined) {
        try {
          document = (await checkGraphDocumentInSlices(input.document, 'document')).document;
        } catch (err) {
          if (err instanceof GraphFileError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
          throw err;
        }
      } else {
        graphVersion = input.version ?? ctx.graph.latestVersion;
        const [row] = await ctx.db.select().from(graphVersions).where(and(eq(graphVersions.graphId, ctx.graph.id), eq(graphVersions.version, graphVersion)));
        if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${ctx.graph.id}' has no version ${graphVersion}` });
        document = row.document as GraphDocument;
      }
      // Rerun with changes: the new run records the run it came from (of the same graph).
      if (input.parentRunId) {
        const [parent] = await ctx.db.select({ graphId: runs.graphId }).from(runs).where(eq(runs.id, input.parentRunId));
        if (!parent || parent.graphId !== ctx.graph.id) throw new TRPCError({ code: 'BAD_REQUEST', message: `no run '${input.parentRunId}' of graph '${ctx.graph.id}' to rerun` });
      }
      if (input.mode !== 'all' && !document.nodes.some((n) => n.id === input.nodeId)) throw new TRPCError({ code: 'BAD_REQUEST', message: `no node '${input.nodeId}' in the graph` });
      try {
        const started = await service.start({ workspaceId: ctx.graph.workspaceId, graphId: ctx.graph.id, graphVersion, document, userId: ctx.user.id, mode: input.mode, nodeId: input.nodeId, requires: input.requires });
        if (input.parentRunId) await ctx.db.update(runs).set({ parentRunId: input.parentRunId }).where(eq(runs.id, started.runId));
        return started;
      } catch (err) {
        if (err instanceof RunRejected) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
        throw err;
      }
    }),

  get: runProcedure('read').query(async ({ ctx }) => {
    const nodes = await ctx.db.select().from(runNodes).where(eq(runNodes.runId, ctx.run.id));
    return { run: ctx.run, nodes };
  }),

  events: runProcedure('read')
    .input(z.object({ afterSeq: z.int().min(0).max(2_147_483_647).default(0), limit: z.int().min(1).max(1000).default(1000) }))
    .query(async ({ ctx, input }) => requireRunService(ctx).eventsAfter(ctx.run.id, input.afterSeq, input.limit)),

  list: graphProcedure('read').query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ id: runs.id, status: runs.status, graphVersion: runs.graphVersion, backend: runs.backend, device: runs.device, error: runs.error, createdAt: runs.createdAt, startedAt: runs.startedAt, finishedAt: runs.finishedAt, targets: runs.targets, parentRunId: runs.parentRunId, sweepId: runs.sweepId })
      .from(runs)
      .where(and(eq(runs.graphId, ctx.graph.id), inVisibleWorkspace(ctx.db, runs.workspaceId, ctx.graph.workspaceId, ctx.user.id)))
      .orderBy(desc(runs.createdAt))
      .limit(50);
    return rows;
  }),

  cancel: runProcedure('write').mutation(async ({ ctx }) => {
    await requireRunService(ctx).queue.cancel(ctx.run.id);
    return { runId: ctx.run.id };
  }),

  /** For each node of a (possibly edited) document: its cache key, whether an artifact exists for it, and the last status any run gave that key.
   * A mutation (POST) although it changes nothing: it carries a whole graph, which in a GET URL overflows header limits. */
  nodeState: graphProcedure('read')
    .input(z.object({ document: z.unknown() }))
    .mutation(async ({ ctx, input }) => {
      const service = requireRunService(ctx);
      let keys: Record<string, string>;
      try {
        keys = service.keysFor((await checkGraphDocumentInSlices(input.document, 'document')).document, ctx.graph.workspaceId);
      } catch {
        return { nodes: {} as Record<string, { key: string; lastStatus: string | null }> };
      }
      const values = Object.values(keys);
      const rows = values.length
        ? await ctx.db
            .select({ key: runNodes.cacheKey, status: runNodes.status, finishedAt: runNodes.finishedAt })
            .from(runNodes)
            .innerJoin(runs, eq(runs.id, runNodes.runId))
            .where(and(inArray(runNodes.cacheKey, values), eq(runs.workspaceId, ctx.graph.workspaceId)))
        : [];
      const done = new Set(rows.filter((r) => r.status === 'done' || r.status === 'cached').map((r) => r.key));
      // Reserved ids (`constructor` …) cannot run and cannot be keys of the answer; validation names them.
      const entries = Object.entries(keys).filter(([id]) => !reservedIdProblem(id));
      return { nodes: Object.fromEntries(entries.map(([id, key]) => [id, { key, lastStatus: done.has(key) ? 'done' : null }])) };
    }),
});
