// The one place that decides what a user may do: their role in a workspace, and on a graph (the
// workspace role, or a share with them or with a workspace they belong to, whichever is stronger).
import { and, eq, getTableName, inArray, isNull, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client';
import { graphs, graphShares, runs, users, workspaceMembers, ROLES } from '../db/schema';
import type { Role } from './roles';

export { accessNeeds, roleAllows, type Access, type Role } from './roles';

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
export function roleColumns(userId: string | Placeholder, graphId: AnyPgColumn, workspaceId: AnyPgColumn) {
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

/**
 * The rights queries every API call and socket.io join runs, prepared once per database from
 * placeholders: building a Drizzle query (walking its columns and SQL fragments) cost about as much
 * main-thread time as the rest of a small request.
 */
function prepare(db: Database) {
  const userId = sql.placeholder('userId');
  return {
    graph: db
      .select({ graph: graphs, ...roleColumns(userId, graphs.id, graphs.workspaceId) })
      .from(graphs)
      .where(and(eq(graphs.id, sql.placeholder('graphId')), isNull(graphs.deletedAt)))
      .prepare('tunegraph_graph_with_role'),
    run: db
      .select({ run: runs, ...roleColumns(userId, runs.graphId, runs.workspaceId) })
      .from(runs)
      .where(eq(runs.id, sql.placeholder('runId')))
      .prepare('tunegraph_run_with_role'),
    // Memberships joined with the user's current choice, in one query.
    memberships: db
      .select({ workspaceId: workspaceMembers.workspaceId, role: workspaceMembers.role, current: users.currentWorkspaceId })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .where(eq(workspaceMembers.userId, userId))
      .prepare('tunegraph_memberships'),
  };
}
const preparedByDb = new WeakMap<Database, ReturnType<typeof prepare>>();
function prepared(db: Database): ReturnType<typeof prepare> {
  let p = preparedByDb.get(db);
  if (!p) preparedByDb.set(db, (p = prepare(db)));
  return p;
}

/** A live (not deleted) graph and the user's role on it, in one query; null when the graph is missing or the user has no role. */
export async function graphWithRole(db: Database, userId: string, graphId: string): Promise<{ graph: typeof graphs.$inferSelect; role: Role } | null> {
  const [row] = await prepared(db).graph.execute({ userId, graphId });
  const role = row ? roleFromColumns(row) : null;
  return row && role ? { graph: row.graph, role } : null;
}

/** A run and the user's role on its graph, in one query; null when the run is missing or the user has no role. */
export async function runWithRole(db: Database, userId: string, runId: string): Promise<{ run: typeof runs.$inferSelect; role: Role } | null> {
  const [row] = await prepared(db).run.execute({ userId, runId });
  const role = row ? roleFromColumns(row) : null;
  return row && role ? { run: row.run, role } : null;
}

/** The workspace a user acts in: the one they last switched to while still a member, else their first. */
export async function currentWorkspaceOf(db: Database, userId: string): Promise<{ workspaceId: string; role: Role } | null> {
  const memberships = await prepared(db).memberships.execute({ userId });
  const chosen = memberships.find((m) => m.workspaceId === m.current) ?? memberships[0];
  return chosen ? { workspaceId: chosen.workspaceId, role: chosen.role } : null;
}
