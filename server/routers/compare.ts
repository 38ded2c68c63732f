// Compare runs: two or more runs of one graph (listed, or the runs of a sweep) side by side — their
// documents and versions, the param differences, statuses, wall times, metrics and thinned loss curves.
// Rights are checked on the graph and again on every run (a run keeps the workspace it ran in).
import { TRPCError } from '@trpc/server';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { GraphDocument } from '../../graph-nodes';
import { paramDiff } from '../../runtime/compile/param-diff';
import { roleAllows, roleOnGraph } from '../auth/rights';
import { compareRuns } from '../compare/run-summaries';
import { runs } from '../db/schema';
import { graphProcedure, router } from '../trpc';

/** Most runs one comparison shows (a larger sweep shows its first ones and says how many were left out). */
export const MAX_COMPARED_RUNS = 24;

const runId = z.string().min(1).max(64);

export const compareRouter = router({
  runs: graphProcedure('read')
    .input(
      z
        .object({ runIds: z.array(runId).min(1).max(MAX_COMPARED_RUNS, `compare at most ${MAX_COMPARED_RUNS} runs at once`).optional(), sweepId: z.string().min(1).max(64).optional() })
        .refine((i) => !!i.runIds !== !!i.sweepId, { message: 'give either runIds or sweepId' }),
    )
    .query(async ({ ctx, input }) => {
      let ids: string[];
      let omitted = 0;
      if (input.sweepId) {
        const rows = await ctx.db
          .select({ id: runs.id })
          .from(runs)
          .where(and(eq(runs.graphId, ctx.graph.id), eq(runs.sweepId, input.sweepId)))
          .orderBy(asc(runs.createdAt), asc(runs.id));
        if (rows.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: `no runs of sweep '${input.sweepId}' in graph '${ctx.graph.id}'` });
        ids = rows.slice(0, MAX_COMPARED_RUNS).map((r) => r.id);
        omitted = rows.length - ids.length;
      } else {
        ids = [...new Set(input.runIds!)];
      }
      const found = await ctx.db.select({ id: runs.id, graphId: runs.graphId, workspaceId: runs.workspaceId }).from(runs).where(inArray(runs.id, ids));
      // A run of another graph (or another workspace) looks missing, exactly like one that does not exist.
      const roles = new Map<string, boolean>();
      for (const id of ids) {
        const run = found.find((r) => r.id === id);
        if (!run || run.graphId !== ctx.graph.id) throw new TRPCError({ code: 'NOT_FOUND', message: `no run '${id}' in graph '${ctx.graph.id}'` });
        const scope = run.workspaceId;
        if (!roles.has(scope)) {
          const role = await roleOnGraph(ctx.db, ctx.user.id, { id: run.graphId, workspaceId: scope });
          roles.set(scope, !!role && roleAllows(role, 'read'));
        }
        if (!roles.get(scope)) throw new TRPCError({ code: 'NOT_FOUND', message: `no run '${id}' in graph '${ctx.graph.id}'` });
      }
      const compared = await compareRuns(ctx.db, ctx.graph.id, ids);
      return {
        graph: { id: ctx.graph.id, name: ctx.graph.name, latestVersion: ctx.graph.latestVersion },
        sweepId: input.sweepId ?? null,
        omitted,
        runs: compared,
        paramDiff: paramDiff(compared.map((r) => r.document as GraphDocument)),
      };
    }),
});
