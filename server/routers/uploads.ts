// Uploaded data files: the workspace's list and a data tool's preview of one file (columns or
// JSONL fields, first rows, row count, label distribution, suggested text/label columns).
import { TRPCError } from '@trpc/server';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { previewUpload } from '../../runtime/compile/disk-facts';
import { uploads } from '../db/schema';
import { router, workspaceProcedure } from '../trpc';

export const uploadsRouter = router({
  list: workspaceProcedure.query(({ ctx }) =>
    ctx.db
      .select({ id: uploads.id, filename: uploads.filename, bytes: uploads.bytes, createdAt: uploads.createdAt })
      .from(uploads)
      .where(eq(uploads.workspaceId, ctx.workspaceId))
      .orderBy(desc(uploads.createdAt))
      .limit(500),
  ),

  /** The file parsed once, streamed: what the dataset-upload node's column pickers offer. */
  preview: workspaceProcedure
    .input(z.object({ fileId: z.string().min(1).max(64), labelColumn: z.string().min(1).max(100).optional() }))
    .query(async ({ ctx, input }) => {
      const [row] = await ctx.db.select({ id: uploads.id, filename: uploads.filename, bytes: uploads.bytes }).from(uploads).where(and(eq(uploads.id, input.fileId), eq(uploads.workspaceId, ctx.workspaceId)));
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `no upload '${input.fileId}'` });
      const dir = ctx.runService?.env.uploadsDir;
      if (!dir) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this server has no uploads folder' });
      try {
        return { id: row.id, bytes: row.bytes, ...previewUpload(dir, row.id, { labelColumn: input.labelColumn }) };
      } catch (err) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: `${row.filename}: ${(err as Error).message}` });
      }
    }),
});
