// Sharing a graph beyond its workspace: with a person (by email) or a workspace, as viewer or editor;
// read-only links (a secret token, revocable at once); and the "Shared with me" list. Admins and owners
// of the graph's workspace share; a link only ever reads.
import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { and, desc, eq, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { GraphDocument } from '../../graph-nodes';
import { roleIn } from '../auth/rights';
import { graphs, graphShares, graphVersions, shareLinks, users, workspaceMembers, workspaces } from '../db/schema';
import { newId } from '../ids';
import { authedProcedure, graphProcedure, publicProcedure, router } from '../trpc';

const shareRole = z.enum(['editor', 'viewer']);
const token = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'not a share link token');

export const sharesRouter = router({
  /** Who a graph is shared with, and its links. */
  list: graphProcedure('manage').query(async ({ ctx }) => {
    const people = await ctx.db
      .select({ id: graphShares.id, role: graphShares.role, userId: graphShares.userId, name: users.name, email: users.email, workspaceId: graphShares.workspaceId, workspaceName: workspaces.name, createdAt: graphShares.createdAt })
      .from(graphShares)
      .leftJoin(users, eq(users.id, graphShares.userId))
      .leftJoin(workspaces, eq(workspaces.id, graphShares.workspaceId))
      .where(eq(graphShares.graphId, ctx.graph.id));
    const links = await ctx.db.select().from(shareLinks).where(eq(shareLinks.graphId, ctx.graph.id)).orderBy(desc(shareLinks.createdAt));
    return { shares: people, links: links.map((l) => ({ token: l.token, url: `/share/${l.token}`, createdAt: l.createdAt, revokedAt: l.revokedAt })) };
  }),

  /** Shares with a person (email of an existing account) or a workspace the caller belongs to; sharing again changes the role. */
  add: graphProcedure('manage')
    .input(z.object({ email: z.string().trim().toLowerCase().max(254).optional(), workspaceId: z.string().min(1).max(64).optional(), role: shareRole }))
    .mutation(async ({ ctx, input }) => {
      if (!!input.email === !!input.workspaceId) throw new TRPCError({ code: 'BAD_REQUEST', message: 'share with either an email or a workspace' });
      let target: { userId: string } | { workspaceId: string };
      if (input.email) {
        const [person] = await ctx.db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, input.email));
        if (!person) throw new TRPCError({ code: 'NOT_FOUND', message: `no account with the email ${input.email}; they need to sign up first` });
        if (person.id === ctx.user.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'you cannot share a graph with yourself' });
        target = { userId: person.id };
      } else {
        if (input.workspaceId === ctx.graph.workspaceId) throw new TRPCError({ code: 'BAD_REQUEST', message: 'the graph already belongs to that workspace' });
        if (!(await roleIn(ctx.db, ctx.user.id, input.workspaceId!))) throw new TRPCError({ code: 'NOT_FOUND', message: `no workspace '${input.workspaceId}'` });
        target = { workspaceId: input.workspaceId! };
      }
      const where = 'userId' in target ? eq(graphShares.userId, target.userId) : eq(graphShares.workspaceId, target.workspaceId);
      const [existing] = await ctx.db.select({ id: graphShares.id }).from(graphShares).where(and(eq(graphShares.graphId, ctx.graph.id), where));
      if (existing) {
        await ctx.db.update(graphShares).set({ role: input.role }).where(eq(graphShares.id, existing.id));
        return { id: existing.id };
      }
      const id = newId('sh');
      await ctx.db.insert(graphShares).values({ id, graphId: ctx.graph.id, role: input.role, createdBy: ctx.user.id, ...target });
      return { id };
    }),

  remove: graphProcedure('manage')
    .input(z.object({ shareId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const gone = await ctx.db.delete(graphShares).where(and(eq(graphShares.id, input.shareId), eq(graphShares.graphId, ctx.graph.id))).returning({ id: graphShares.id });
      if (!gone.length) throw new TRPCError({ code: 'NOT_FOUND', message: `no share '${input.shareId}' on graph '${ctx.graph.id}'` });
      return { id: input.shareId };
    }),

  /** A new read-only link; the token is the only secret, so it is long and random. */
  createLink: graphProcedure('manage').mutation(async ({ ctx }) => {
    const t = randomBytes(24).toString('base64url');
    await ctx.db.insert(shareLinks).values({ token: t, graphId: ctx.graph.id, createdBy: ctx.user.id });
    return { token: t, url: `/share/${t}` };
  }),

  revokeLink: graphProcedure('manage')
    .input(z.object({ token }))
    .mutation(async ({ ctx, input }) => {
      const done = await ctx.db
        .update(shareLinks)
        .set({ revokedAt: new Date() })
        .where(and(eq(shareLinks.token, input.token), eq(shareLinks.graphId, ctx.graph.id), isNull(shareLinks.revokedAt)))
        .returning({ token: shareLinks.token });
      if (!done.length) throw new TRPCError({ code: 'NOT_FOUND', message: 'no active link with that token on this graph' });
      return { token: input.token };
    }),

  /** What a link shows: the graph's newest version, read-only. No session needed; revoked or unknown links look the same. */
  viewLink: publicProcedure.input(z.object({ token })).query(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .select({ graphId: graphs.id, name: graphs.name, version: graphs.latestVersion, document: graphVersions.document, message: graphVersions.message, savedAt: graphVersions.createdAt })
      .from(shareLinks)
      .innerJoin(graphs, eq(graphs.id, shareLinks.graphId))
      .innerJoin(graphVersions, and(eq(graphVersions.graphId, graphs.id), eq(graphVersions.version, graphs.latestVersion)))
      .where(and(eq(shareLinks.token, input.token), isNull(shareLinks.revokedAt), isNull(graphs.deletedAt)));
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'this link does not exist or was revoked' });
    return { name: row.name, version: row.version, message: row.message, savedAt: row.savedAt, document: row.document as GraphDocument, readOnly: true as const };
  }),

  /** Graphs shared with the caller, or with a workspace they belong to, from workspaces they are not in. */
  sharedWithMe: authedProcedure.query(async ({ ctx }) => {
    const mine = ctx.db.select({ id: workspaceMembers.workspaceId }).from(workspaceMembers).where(eq(workspaceMembers.userId, ctx.user.id));
    const rows = await ctx.db
      .select({ id: graphs.id, name: graphs.name, latestVersion: graphs.latestVersion, updatedAt: graphs.updatedAt, role: graphShares.role, workspaceName: workspaces.name, sharedBy: users.name })
      .from(graphShares)
      .innerJoin(graphs, eq(graphs.id, graphShares.graphId))
      .innerJoin(workspaces, eq(workspaces.id, graphs.workspaceId))
      .leftJoin(users, eq(users.id, graphShares.createdBy))
      .where(and(or(eq(graphShares.userId, ctx.user.id), inArray(graphShares.workspaceId, mine)), notInArray(graphs.workspaceId, mine), isNull(graphs.deletedAt)))
      .orderBy(desc(graphs.updatedAt));
    // A graph shared twice (with me and with my team) shows once, with the stronger role.
    const byId = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!byId.has(r.id) || r.role === 'editor') byId.set(r.id, r);
    return [...byId.values()];
  }),
});
