// The one place that decides what a user may do in a workspace.
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { workspaceMembers } from '../db/schema';

export type Role = 'owner' | 'editor' | 'viewer';
/** What a procedure needs: reading, or changing things. */
export type Access = 'read' | 'write';

const allowed: Record<Access, Role[]> = { read: ['owner', 'editor', 'viewer'], write: ['owner', 'editor'] };

/** The user's role in a workspace, or null when not a member. */
export async function roleIn(db: Database, userId: string, workspaceId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.userId, userId), eq(workspaceMembers.workspaceId, workspaceId)));
  return row?.role ?? null;
}

/** Whether a role grants an access. */
export function roleAllows(role: Role, access: Access): boolean {
  return allowed[access].includes(role);
}

/** The workspaces a user belongs to (the first is their default until workspace switching exists). */
export async function workspacesOf(db: Database, userId: string): Promise<{ workspaceId: string; role: Role }[]> {
  return db.select({ workspaceId: workspaceMembers.workspaceId, role: workspaceMembers.role }).from(workspaceMembers).where(eq(workspaceMembers.userId, userId));
}
