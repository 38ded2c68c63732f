// The one place that decides what a user may do: their role in a workspace, and on a graph (the
// workspace role, or a share with them or with a workspace they belong to, whichever is stronger).
import { and, eq, getTableName, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
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

/**
 * Columns that give, in the same query that reads a graph or run row, what roleOnGraph gives: the
 * user's role in the row's workspace and the roles shares give on its graph. Every API call and
 * socket.io join checks rights; one query instead of three keeps that cheap without caching rights
 * (a removed member or a revoked share stops working at the next request).
 */
export function roleColumns(userId: string, graphId: AnyPgColumn, workspaceId: AnyPgColumn) {
  // Qualified in full: in a one-table select Drizzle writes bare column names, and a bare "workspace_id"
  // inside the subquery would mean workspace_members' own column (true for every row).
  const m = (c: AnyPgColumn) => qualified(c);
  const mine = sql`(select ${m(workspaceMembers.workspaceId)} from ${workspaceMembers} where ${m(workspaceMembers.userId)} = ${userId})`;
  return {
    memberRole: sql<Role | null>`(select ${m(workspaceMembers.role)} from ${workspaceMembers} where ${m(workspaceMembers.userId)} = ${userId} and ${m(workspaceMembers.workspaceId)} = ${m(workspaceId)})`,
    shareRoles: sql<string | null>`(select string_agg(${m(graphShares.role)}, ',') from ${graphShares} where ${m(graphShares.graphId)} = ${m(graphId)} and (${m(graphShares.userId)} = ${userId} or ${m(graphShares.workspaceId)} in ${mine}))`,
  };
}

/** "table"."column", whatever the surrounding query. */
function qualified(column: AnyPgColumn): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/** The role roleColumns' two columns give (the stronger of membership and shares), or null. */
export function roleFromColumns(row: { memberRole: Role | null; shareRoles: string | null }): Role | null {
  const shared = (row.shareRoles ?? '').split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return shared.reduce<Role | null>((best, r) => strongerRole(best, r), row.memberRole ?? null);
}

/** The workspace a user acts in: the one they last switched to while still a member, else their first. */
export async function currentWorkspaceOf(db: Database, userId: string): Promise<{ workspaceId: string; role: Role } | null> {
  // One query (memberships joined with the user's current choice): the API asks this on every call.
  const memberships = await db
    .select({ workspaceId: workspaceMembers.workspaceId, role: workspaceMembers.role, current: users.currentWorkspaceId })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(eq(workspaceMembers.userId, userId));
  const chosen = memberships.find((m) => m.workspaceId === m.current) ?? memberships[0];
  return chosen ? { workspaceId: chosen.workspaceId, role: chosen.role } : null;
}
