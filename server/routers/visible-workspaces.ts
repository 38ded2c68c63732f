// Which of a graph's runs and sweeps its lists show. Runs and sweeps stay in the workspace they ran
// in when the graph is transferred (their artifacts and uploads are that workspace's), so a list shows
// those of the graph's current workspace and of workspaces the caller belongs to — never another's.
import { eq, inArray, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client';
import { workspaceMembers } from '../db/schema';

export function inVisibleWorkspace(db: Database, column: AnyPgColumn, graphWorkspaceId: string, userId: string): SQL {
  const mine = db.select({ id: workspaceMembers.workspaceId }).from(workspaceMembers).where(eq(workspaceMembers.userId, userId));
  return or(eq(column, graphWorkspaceId), inArray(column, mine))!;
}
