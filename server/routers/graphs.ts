// Saved graphs: create, list, open any version, save (a new immutable version each time, refused when
// someone else saved since the caller's base version), diff, restore, fork, transfer, rename, delete,
// import and export. Rights come from workspaceProcedure / graphProcedure.
import { TRPCError } from '@trpc/server';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emptyGraph, type GraphDocument } from '../../graph-nodes';
import type { CompileIssue, CompileIssueKind } from '../../runtime/compile/issues';
import { validateGraphInSlices } from '../../runtime/compile/validate';
import { checkGraph } from '../compile/check-graph';
import type { Database } from '../db/client';
import { graphs, graphVersions, users, workspaceMembers } from '../db/schema';
import { diffGraphs } from '../../runtime/compile/graph-diff';
import { roleAllows, roleColumns, roleFromColumns, roleIn } from '../auth/rights';
import { checkGraphDocumentInSlices, GraphFileError, MAX_GRAPH_BYTES, readGraphDocumentInSlices } from '../../runtime/compile/read-graph';
import { newId } from '../ids';
import { graphProcedure, router, workspaceAccessProcedure, workspaceProcedure } from '../trpc';

const name = z.string().trim().min(1, 'name is empty').max(120, 'name is longer than 120 characters');
const message = z.string().trim().max(500).default('');
/** A graph document as sent; its structure is checked by checkGraphDocument, its size here so no handler walks a huge object. */
const documentInput = z.unknown().refine((doc) => doc === undefined || (JSON.stringify(doc)?.length ?? 0) <= MAX_GRAPH_BYTES, {
  message: `graph document is larger than ${MAX_GRAPH_BYTES / 1024 / 1024} MB`,
});

function asBadRequest(err: unknown): never {
  if (err instanceof GraphFileError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
  throw err;
}

/** Problems the editor never lets a drawing have (it refuses them as they are drawn): a document
 * with one came from a file or a script, cannot be a work in progress, and is refused, not stored.
 * Unconnected inputs and out-of-range params stay savable drafts. */
const MALFORMED = new Set<CompileIssueKind>(['bad-document', 'duplicate-id', 'dangling-edge', 'duplicate-edge', 'unknown-type', 'unknown-port', 'port-type-mismatch', 'too-many-inputs', 'cycle']);

/** A document from the API checked in full (structure, migration, compile issues) before anything
 * stores it, in slices so a large one never blocks the server; malformed ones are a 400. */
export async function readDocumentInput(input: unknown): Promise<{ document: GraphDocument; issues: CompileIssue[]; notes: string[] }> {
  let checked: { document: GraphDocument; notes: string[] };
  try {
    checked = await checkGraphDocumentInSlices(input, 'document');
  } catch (err) {
    asBadRequest(err);
  }
  return { ...checked, issues: await compileIssuesOrRefuse(checked.document) };
}

/** The compile issues of a checked document; a 400 when one of them makes it malformed. */
async function compileIssuesOrRefuse(document: GraphDocument): Promise<CompileIssue[]> {
  const issues = await validateGraphInSlices(document);
  const malformed = issues.filter((i) => MALFORMED.has(i.kind));
  if (malformed.length > 0) {
    const first = malformed.slice(0, 3).map((i) => (i.nodeId ? `node "${i.nodeId}": ${i.message}` : i.message));
    const more = malformed.length > 3 ? `; and ${malformed.length - 3} more` : '';
    throw new TRPCError({ code: 'BAD_REQUEST', message: `document: ${first.join('; ')}${more}` });
  }
  return issues;
}

/** Default and largest page of graphs.list. */
const LIST_PAGE = 100;
const LIST_MAX = 200;

/** Counted in the database so listings never ship whole documents (up to 5 MB each) to the server. */
const nodeCount = sql<number>`jsonb_array_length(${graphVersions.document}->'nodes')`.mapWith(Number);

async function insertGraph(db: Database, workspaceId: string, userId: string, graphName: string, document: GraphDocument, msg: string) {
  const id = newId('g');
  await db.transaction(async (tx) => {
    await tx.insert(graphs).values({ id, workspaceId, name: graphName, latestVersion: 1, createdBy: userId });
    await tx.insert(graphVersions).values({ graphId: id, version: 1, document, message: msg, createdBy: userId });
  });
  return id;
}

/** The link to the version diff page, shown with a save conflict. */
export const diffUrl = (graphId: string, from: number, to: number) => `/graphs/${graphId}/diff?from=${from}&to=${to}`;

/**
 * Appends a version. With `baseVersion`, refuses (CONFLICT) when the graph moved past it: the row lock
 * serialises concurrent saves, so the check and the insert are one atomic step.
 */
async function appendVersion(db: Database, graphId: string, document: GraphDocument, msg: string, userId: string, baseVersion?: number): Promise<number> {
  return db.transaction(async (tx) => {
    const [locked] = await tx.select({ latest: graphs.latestVersion }).from(graphs).where(eq(graphs.id, graphId)).for('update');
    if (baseVersion !== undefined && locked.latest !== baseVersion) {
      const [by] = await tx
        .select({ name: users.name })
        .from(graphVersions)
        .leftJoin(users, eq(users.id, graphVersions.createdBy))
        .where(and(eq(graphVersions.graphId, graphId), eq(graphVersions.version, locked.latest)));
      throw new TRPCError({
        code: 'CONFLICT',
        message: `not saved: ${by?.name ?? 'someone'} saved version ${locked.latest} after your version ${baseVersion}. See what changed at ${diffUrl(graphId, baseVersion, locked.latest)}, then save again on version ${locked.latest}.`,
      });
    }
    const next = locked.latest + 1;
    await tx.insert(graphVersions).values({ graphId, version: next, document, message: msg, createdBy: userId });
    await tx.update(graphs).set({ latestVersion: next, updatedAt: new Date() }).where(eq(graphs.id, graphId));
    return next;
  });
}

async function versionDocument(db: Database, graphId: string, version: number): Promise<GraphDocument> {
  const [row] = await db.select({ document: graphVersions.document }).from(graphVersions).where(and(eq(graphVersions.graphId, graphId), eq(graphVersions.version, version)));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${graphId}' has no version ${version}` });
  return row.document as GraphDocument;
}

export const graphsRouter = router({
  /** Newest first, a page at a time: `cursor` is the id of the last graph of the previous page. */
  list: workspaceProcedure
    .input(z.object({ limit: z.int().min(1).max(LIST_MAX).default(LIST_PAGE), cursor: z.string().min(1).max(64).optional() }).optional())
    .query(async ({ ctx, input }) => {
      // Keyset paging on (updatedAt, createdAt, id), compared in SQL so timestamps keep their microseconds.
      const after = input?.cursor
        ? sql`(${graphs.updatedAt}, ${graphs.createdAt}, ${graphs.id}) < (select g.updated_at, g.created_at, g.id from graphs g where g.id = ${input.cursor} and g.workspace_id = ${ctx.workspaceId})`
        : undefined;
      const rows = await ctx.db
        .select({ id: graphs.id, name: graphs.name, latestVersion: graphs.latestVersion, nodeCount, createdAt: graphs.createdAt, updatedAt: graphs.updatedAt, ...roleColumns(ctx.user.id, graphs.id, graphs.workspaceId) })
        .from(graphs)
        .innerJoin(graphVersions, and(eq(graphVersions.graphId, graphs.id), eq(graphVersions.version, graphs.latestVersion)))
        .where(and(eq(graphs.workspaceId, ctx.workspaceId), isNull(graphs.deletedAt), after))
        .orderBy(desc(graphs.updatedAt), desc(graphs.createdAt), desc(graphs.id))
        .limit(input?.limit ?? LIST_PAGE);
      // Each row carries the caller's role on that graph (workspace role or a share, the stronger), so the
      // list offers what the graph's own procedures allow: a workspace viewer made editor of one graph can rename it.
      return rows.map(({ memberRole, shareRoles, ...row }) => ({ ...row, role: roleFromColumns({ memberRole, shareRoles }) ?? ctx.role }));
    }),

  create: workspaceAccessProcedure('write').input(z.object({ name, document: documentInput.optional() })).mutation(async ({ ctx, input }) => {
    const document = input.document === undefined ? emptyGraph() : (await readDocumentInput(input.document)).document;
    const id = await insertGraph(ctx.db, ctx.workspaceId, ctx.user.id, input.name, document, 'Created');
    return { id, version: 1 };
  }),

  get: graphProcedure('read')
    .input(z.object({ version: z.int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const version = input.version ?? ctx.graph.latestVersion;
      const [row] = await ctx.db.select().from(graphVersions).where(and(eq(graphVersions.graphId, ctx.graph.id), eq(graphVersions.version, version)));
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${ctx.graph.id}' has no version ${version}` });
      return {
        id: ctx.graph.id,
        name: ctx.graph.name,
        version,
        latestVersion: ctx.graph.latestVersion,
        document: row.document as GraphDocument,
        message: row.message,
        role: ctx.role,
        workspaceId: ctx.graph.workspaceId,
        createdAt: ctx.graph.createdAt,
        updatedAt: ctx.graph.updatedAt,
      };
    }),

  versions: graphProcedure('read').query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ version: graphVersions.version, message: graphVersions.message, createdAt: graphVersions.createdAt, nodeCount, authorId: graphVersions.createdBy, author: users.name })
      .from(graphVersions)
      .leftJoin(users, eq(users.id, graphVersions.createdBy))
      .where(eq(graphVersions.graphId, ctx.graph.id))
      .orderBy(desc(graphVersions.version));
    return rows;
  }),

  save: graphProcedure('write')
    .input(z.object({ document: documentInput, message, baseVersion: z.int().min(1) }))
    .mutation(async ({ ctx, input }) => {
      // Checked in full before the transaction: nothing that fails validation is stored.
      const { document, issues } = await readDocumentInput(input.document);
      const version = await appendVersion(ctx.db, ctx.graph.id, document, input.message, ctx.user.id, input.baseVersion);
      return { version, issues };
    }),

  /** What changed between two versions (either order), with both documents for drawing. */
  diff: graphProcedure('read')
    .input(z.object({ from: z.int().min(1), to: z.int().min(1) }))
    .query(async ({ ctx, input }) => {
      const [before, after] = await Promise.all([versionDocument(ctx.db, ctx.graph.id, input.from), versionDocument(ctx.db, ctx.graph.id, input.to)]);
      return { graphId: ctx.graph.id, name: ctx.graph.name, from: input.from, to: input.to, before, after, diff: diffGraphs(before, after) };
    }),

  /** Saves an old version's document as the newest version; history is kept. */
  restore: graphProcedure('write')
    .input(z.object({ version: z.int().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const document = await versionDocument(ctx.db, ctx.graph.id, input.version);
      const version = await appendVersion(ctx.db, ctx.graph.id, document, `Restored version ${input.version}`, ctx.user.id);
      return { version };
    }),

  /** Copies a graph (any version the caller can read, shared ones included) into the caller's current workspace. */
  fork: graphProcedure('read')
    .input(z.object({ version: z.int().min(1).optional(), name: name.optional() }))
    .mutation(async ({ ctx, input }) => {
      // Into the current workspace when the caller may write there, else their first workspace where they may (a viewer's own).
      const [me] = await ctx.db.select({ current: users.currentWorkspaceId }).from(users).where(eq(users.id, ctx.user.id));
      const writable = (await ctx.db.select().from(workspaceMembers).where(eq(workspaceMembers.userId, ctx.user.id))).filter((m) => roleAllows(m.role, 'write'));
      const target = writable.find((m) => m.workspaceId === me?.current) ?? writable[0];
      if (!target) throw new TRPCError({ code: 'FORBIDDEN', message: 'forking needs a workspace where you are editor, admin or owner' });
      const version = input.version ?? ctx.graph.latestVersion;
      const document = await versionDocument(ctx.db, ctx.graph.id, version);
      const id = await insertGraph(ctx.db, target.workspaceId, ctx.user.id, input.name ?? `${ctx.graph.name} (fork)`.slice(0, 120), document, `Forked from ${ctx.graph.name} v${version}`);
      return { id, version: 1, workspaceId: target.workspaceId };
    }),

  /** Moves a graph (its history and shares) to another workspace; admin or owner on both sides. Its runs,
   * sweeps, artifacts and uploads stay in the workspace they were made in (the cache never crosses
   * workspaces): members there still read those runs; the new workspace runs with its own cache and
   * uploads, and a document that names the old workspace's upload is reported until re-pointed. */
  transfer: graphProcedure('manage')
    .input(z.object({ workspaceId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const role = await roleIn(ctx.db, ctx.user.id, input.workspaceId);
      if (!role || !roleAllows(role, 'manage')) throw new TRPCError({ code: 'FORBIDDEN', message: `transferring needs admin or owner in workspace '${input.workspaceId}'` });
      await ctx.db.update(graphs).set({ workspaceId: input.workspaceId, updatedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
      return { id: ctx.graph.id, workspaceId: input.workspaceId };
    }),

  rename: graphProcedure('write')
    .input(z.object({ name }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.update(graphs).set({ name: input.name, updatedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
      return { id: ctx.graph.id, name: input.name };
    }),

  delete: graphProcedure('manage').mutation(async ({ ctx }) => {
    await ctx.db.update(graphs).set({ deletedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
    return { id: ctx.graph.id };
  }),

  import: workspaceAccessProcedure('write')
    .input(z.object({ json: z.string().max(MAX_GRAPH_BYTES, 'graph file is larger than 5 MB'), name: name.optional(), filename: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      let parsed: { document: GraphDocument; notes: string[] };
      try {
        parsed = await readGraphDocumentInSlices(input.json, input.filename ?? 'graph file');
      } catch (err) {
        asBadRequest(err);
      }
      await compileIssuesOrRefuse(parsed.document);
      const graphName = input.name ?? input.filename?.replace(/\.json$/i, '').slice(0, 120) ?? 'Imported graph';
      const id = await insertGraph(ctx.db, ctx.workspaceId, ctx.user.id, graphName || 'Imported graph', parsed.document, 'Imported');
      return { id, version: 1, notes: parsed.notes };
    }),

  export: graphProcedure('read')
    .input(z.object({ version: z.int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const version = input.version ?? ctx.graph.latestVersion;
      const [row] = await ctx.db.select().from(graphVersions).where(and(eq(graphVersions.graphId, ctx.graph.id), eq(graphVersions.version, version)));
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `graph '${ctx.graph.id}' has no version ${version}` });
      const slug = ctx.graph.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'graph';
      return { filename: `${slug}.v${version}.json`, json: JSON.stringify(row.document, null, 2) + '\n' };
    }),

  /** Issues and the values "auto" params will take. A mutation (POST): the document can be large. */
  check: workspaceProcedure
    .input(z.object({ document: documentInput }))
    .mutation(({ ctx, input }) => checkGraph(ctx.db, ctx.workspaceId, input.document, ctx.runService?.env)),
});
