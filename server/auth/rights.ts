// The one place that decides what a user may do: their role in a workspace, and on a graph (the
// workspace role, or a share with them or with a workspace they belong to, whichever is stronger).
import { and, eq, inArray, or } from 'drizzle-orm';
import type { Database } from '../db/client';
import { graphShares, users, workspaceMembers, ROLES } from '../db/schema';

export type Role = (typeof ROLES)[number];
/** What a procedure needs: reading; changing and running; managing (members, sharing, deleting, transferring). */
export type Access = 'read' | 'write' | 'manage';

const allowed: Record<Access, Role[]> = {
  read: ['owner', 'admin', 'editor', 'viewer'],
  write: ['owner', 'admin', 'editor'],
  manage: ['owner', 'admin'],
};

/** Who may do what, in words, for error messages. */
export const accessNeeds: Record<Access, string> = { read: 'any role', write: 'editor, admin or owner', manage: 'admin or owner' };

/** Whether a role grants an access. */
export function roleAllows(role: Role, access: Access): boolean {
  return allowed[access].includes(role);
}

/** The stronger of two roles (null is no role). */
export function strongerRole(a: Role | null, b: Role | null): Role | null {
  if (!a) return b;
  if (!b) return a;
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

/** The user's role in a workspace, or null when not a member. */
export async function roleIn(db: Database, userId: string, workspaceId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.userId, userId), eq(workspaceMembers.workspaceId, workspaceId)));
  return row?.role ?? null;
}

/** The workspaces a user belongs to. */
export async function workspacesOf(db: Database, userId: string): Promise<{ workspaceId: string; role: Role }[]> {
  return db.select({ workspaceId: workspaceMembers.workspaceId, role: workspaceMembers.role }).from(workspaceMembers).where(eq(workspaceMembers.userId, userId));
}

/** The strongest role a share gives the user on a graph (viewer or editor), or null. */
export async function sharedRoleOn(db: Database, userId: string, graphId: string): Promise<Role | null> {
  const memberOf = db.select({ id: workspaceMembers.workspaceId }).from(workspaceMembers).where(eq(workspaceMembers.userId, userId));
  const rows = await db
    .select({ role: graphShares.role })
    .from(graphShares)
    .where(and(eq(graphShares.graphId, graphId), or(eq(graphShares.userId, userId), inArray(graphShares.workspaceId, memberOf))));
  return rows.reduce<Role | null>((best, r) => strongerRole(best, r.role), null);
}

/** The user's role on a graph: their role in its workspace or what a share gives them. */
export async function roleOnGraph(db: Database, userId: string, graph: { id: string; workspaceId: string }): Promise<Role | null> {
  return strongerRole(await roleIn(db, userId, graph.workspaceId), await sharedRoleOn(db, userId, graph.id));
}

/** The workspace a user acts in: the one they last switched to while still a member, else their first. */
export async function currentWorkspaceOf(db: Database, userId: string): Promise<{ workspaceId: string; role: Role } | null> {
  const memberships = await workspacesOf(db, userId);
  const [me] = await db.select({ current: users.currentWorkspaceId }).from(users).where(eq(users.id, userId));
  return memberships.find((m) => m.workspaceId === me?.current) ?? memberships[0] ?? null;
}
