// Uploaded data files: the workspace's list, its quota, deletion, and a data tool's preview of one
// file (columns or JSONL fields, first rows, row count, label distribution, suggested text/label columns).
import { TRPCError } from '@trpc/server';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { previewUpload } from '../../runtime/compile/disk-facts';
import { uploads } from '../db/schema';
import { deleteUpload } from '../uploads/delete-upload';
import { uploadLimitsFromEnv, workspaceUploadBytes } from '../uploads/receive-upload';
import { requireRunService, router, workspaceProcedure } from '../trpc';

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

  /** How much of the workspace's upload quota is used (TUNEGRAPH_UPLOAD_QUOTA_MB). */
  quota: workspaceProcedure.query(async ({ ctx }) => ({ usedBytes: await workspaceUploadBytes(ctx.db, ctx.workspaceId), quotaBytes: uploadLimitsFromEnv().quotaBytes })),

  /** Deletes an upload of the caller's workspace (editors and owners). */
  delete: workspaceProcedure.input(z.object({ id: z.string().regex(/^f_[A-Za-z0-9]{1,64}$/, 'an upload id looks like f_…') })).mutation(async ({ ctx, input }) => {
    if (ctx.role === 'viewer') throw new TRPCError({ code: 'FORBIDDEN', message: 'viewers cannot delete uploads' });
    const deleted = await deleteUpload(ctx.db, requireRunService(ctx).env.uploadsDir, ctx.workspaceId, input.id);
    if (!deleted) throw new TRPCError({ code: 'NOT_FOUND', message: `no upload '${input.id}'` });
    return { id: input.id };
  }),
});
