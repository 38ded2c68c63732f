// Deleting an uploaded file: the row and the bytes (and the metadata file beside them).
import { rm } from 'node:fs/promises';
import { and, eq } from 'drizzle-orm';
import { resolveInside } from '../../runtime/io/safe-path';
import type { Database } from '../db/client';
import { uploads } from '../db/schema';

/** Deletes upload `id` of a workspace; false when the workspace has no such upload. Runs that
 * already used it keep their artifacts; a new run that reads it is refused at start. */
export async function deleteUpload(db: Database, uploadsDir: string, workspaceId: string, id: string): Promise<boolean> {
  const [row] = await db.delete(uploads).where(and(eq(uploads.id, id), eq(uploads.workspaceId, workspaceId))).returning({ path: uploads.path });
  if (!row) return false;
  const path = resolveInside(uploadsDir, row.path);
  await Promise.all([rm(path, { force: true }), rm(`${path}.json`, { force: true })]);
  return true;
}
