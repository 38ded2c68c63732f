// Trained models of a run: "Try it" predictions on typed text, and the export zips with their sizes.
// Both read the run's own cache keys, so they answer for exactly what that run produced.
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { runNodes } from '../db/schema';
import { exportZipsOf, modelFolderOf, NoArtifact } from '../models/model-artifacts';
import { sharedPredictor } from '../models/try-it-predictor';
import { requireRunService, router, runProcedure } from '../trpc';

export const modelsRouter = router({
  /** The model behind a node (its output, or the model an Eval/Export node takes) applied to `text`. A POST: the text can be long. */
  predict: runProcedure('read')
    .input(z.object({ nodeId: z.string().min(1).max(128), text: z.string().trim().min(1, 'type some text to try').max(5000, 'text is longer than 5,000 characters') }))
    .mutation(async ({ ctx, input }) => {
      const nodes = await ctx.db.select().from(runNodes).where(eq(runNodes.runId, ctx.run.id));
      let dir: string;
      try {
        dir = modelFolderOf(ctx.run, nodes, input.nodeId, requireRunService(ctx).env.dataDir);
      } catch (err) {
        if (err instanceof NoArtifact) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: err.message });
        throw err;
      }
      try {
        return await sharedPredictor().predict(dir, input.text);
      } catch (err) {
        throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `node "${input.nodeId}": ${(err as Error).message}` });
      }
    }),

  /** The run's Export nodes with the size of each zip (null until the node has written it). */
  exports: runProcedure('read').query(async ({ ctx }) => {
    const nodes = await ctx.db.select().from(runNodes).where(eq(runNodes.runId, ctx.run.id));
    return exportZipsOf(ctx.run, nodes, requireRunService(ctx).env.dataDir);
  }),
});
