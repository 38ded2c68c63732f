// Saved graphs: create, list, open any version, save (a new immutable version each time), rename,
// delete, import and export. Rights come from workspaceProcedure / graphProcedure.
import { TRPCError } from '@trpc/server';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emptyGraph, type GraphDocument } from '../../graph-nodes';
import { validateGraph } from '../../runtime/compile/validate';
import { checkGraph } from '../compile/check-graph';
import type { Database } from '../db/client';
import { graphs, graphVersions } from '../db/schema';
import { checkGraphDocument, GraphFileError, MAX_GRAPH_BYTES, readGraphDocument } from '../../runtime/compile/read-graph';
import { newId } from '../ids';
import { graphProcedure, router, workspaceProcedure } from '../trpc';

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

export const graphsRouter = router({
  list: workspaceProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ id: graphs.id, name: graphs.name, latestVersion: graphs.latestVersion, nodeCount, createdAt: graphs.createdAt, updatedAt: graphs.updatedAt })
      .from(graphs)
      .innerJoin(graphVersions, and(eq(graphVersions.graphId, graphs.id), eq(graphVersions.version, graphs.latestVersion)))
      .where(and(eq(graphs.workspaceId, ctx.workspaceId), isNull(graphs.deletedAt)))
      .orderBy(desc(graphs.updatedAt), desc(graphs.createdAt));
    return rows;
  }),

  create: workspaceProcedure.input(z.object({ name, document: documentInput.optional() })).mutation(async ({ ctx, input }) => {
    if (ctx.role === 'viewer') throw new TRPCError({ code: 'FORBIDDEN', message: 'viewers cannot create graphs' });
    let document = emptyGraph();
    if (input.document !== undefined) {
      try {
        document = checkGraphDocument(input.document, 'document').document;
      } catch (err) {
        asBadRequest(err);
      }
    }
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
        createdAt: ctx.graph.createdAt,
        updatedAt: ctx.graph.updatedAt,
      };
    }),

  versions: graphProcedure('read').query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ version: graphVersions.version, message: graphVersions.message, createdAt: graphVersions.createdAt, nodeCount })
      .from(graphVersions)
      .where(eq(graphVersions.graphId, ctx.graph.id))
      .orderBy(desc(graphVersions.version));
    return rows;
  }),

  save: graphProcedure('write')
    .input(z.object({ document: documentInput, message }))
    .mutation(async ({ ctx, input }) => {
      let document: GraphDocument;
      try {
        ({ document } = checkGraphDocument(input.document, 'document'));
      } catch (err) {
        asBadRequest(err);
      }
      const version = await ctx.db.transaction(async (tx) => {
        // The row lock serialises concurrent saves of one graph, so versions never collide.
        const [locked] = await tx.select({ latest: graphs.latestVersion }).from(graphs).where(eq(graphs.id, ctx.graph.id)).for('update');
        const next = locked.latest + 1;
        await tx.insert(graphVersions).values({ graphId: ctx.graph.id, version: next, document, message: input.message, createdBy: ctx.user.id });
        await tx.update(graphs).set({ latestVersion: next, updatedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
        return next;
      });
      return { version, issues: validateGraph(document) };
    }),

  rename: graphProcedure('write')
    .input(z.object({ name }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.update(graphs).set({ name: input.name, updatedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
      return { id: ctx.graph.id, name: input.name };
    }),

  delete: graphProcedure('write').mutation(async ({ ctx }) => {
    await ctx.db.update(graphs).set({ deletedAt: new Date() }).where(eq(graphs.id, ctx.graph.id));
    return { id: ctx.graph.id };
  }),

  import: workspaceProcedure
    .input(z.object({ json: z.string().max(MAX_GRAPH_BYTES, 'graph file is larger than 5 MB'), name: name.optional(), filename: z.string().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.role === 'viewer') throw new TRPCError({ code: 'FORBIDDEN', message: 'viewers cannot import graphs' });
      let parsed: ReturnType<typeof readGraphDocument>;
      try {
        parsed = readGraphDocument(input.json, input.filename ?? 'graph file');
      } catch (err) {
        asBadRequest(err);
      }
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
