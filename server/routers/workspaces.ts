// Workspaces and their members: create, rename, switch, list members and invitations, add a member
// by email (an invitation when they have no account yet), change a role, remove. Owner and admins manage;
// nobody changes or removes the owner, and only the owner makes admins.
import { TRPCError } from '@trpc/server';
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { roleIn } from '../auth/rights';
import { users, workspaceInvitations, workspaceMembers, workspaces } from '../db/schema';
import { newId } from '../ids';
import { authedProcedure, router, workspaceAccessProcedure, workspaceProcedure } from '../trpc';

const workspaceName = z.string().trim().min(1, 'name is empty').max(120, 'name is longer than 120 characters');
const email = z.string().trim().toLowerCase().pipe(z.email('not an email address')).pipe(z.string().max(254));
const memberRole = z.enum(['admin', 'editor', 'viewer']);

export const workspacesRouter = router({
  create: authedProcedure.input(z.object({ name: workspaceName })).mutation(async ({ ctx, input }) => {
    const id = newId('w');
    await ctx.db.transaction(async (tx) => {
      await tx.insert(workspaces).values({ id, name: input.name });
      await tx.insert(workspaceMembers).values({ workspaceId: id, userId: ctx.user.id, role: 'owner' });
      await tx.update(users).set({ currentWorkspaceId: id }).where(eq(users.id, ctx.user.id));
    });
    return { id };
  }),

  /** Makes another of the caller's workspaces the one they act in. */
  switch: authedProcedure.input(z.object({ workspaceId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    if (!(await roleIn(ctx.db, ctx.user.id, input.workspaceId))) throw new TRPCError({ code: 'NOT_FOUND', message: `no workspace '${input.workspaceId}'` });
    await ctx.db.update(users).set({ currentWorkspaceId: input.workspaceId }).where(eq(users.id, ctx.user.id));
    return { workspaceId: input.workspaceId };
  }),

  rename: workspaceAccessProcedure('manage').input(z.object({ name: workspaceName })).mutation(async ({ ctx, input }) => {
    await ctx.db.update(workspaces).set({ name: input.name }).where(eq(workspaces.id, ctx.workspaceId));
    return { id: ctx.workspaceId, name: input.name };
  }),

  /** Members of the current workspace and pending invitations (every member may see who else is in). */
  members: workspaceProcedure.query(async ({ ctx }) => {
    const members = await ctx.db
      .select({ userId: users.id, name: users.name, email: users.email, role: workspaceMembers.role, since: workspaceMembers.createdAt })
      .from(workspaceMembers)
      .innerJoin(users, eq(users.id, workspaceMembers.userId))
      .where(eq(workspaceMembers.workspaceId, ctx.workspaceId))
      .orderBy(asc(users.name));
    const invitations = await ctx.db.select({ email: workspaceInvitations.email, role: workspaceInvitations.role }).from(workspaceInvitations).where(eq(workspaceInvitations.workspaceId, ctx.workspaceId));
    return { workspaceId: ctx.workspaceId, myRole: ctx.role, members, invitations };
  }),

  /** Adds a person by email: a member now if they have an account, else an invitation their sign-up redeems. */
  addMember: workspaceAccessProcedure('manage')
    .input(z.object({ email, role: memberRole }))
    .mutation(async ({ ctx, input }) => {
      if (input.role === 'admin' && ctx.role !== 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: 'only the owner makes admins' });
      const [person] = await ctx.db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, input.email));
      if (!person) {
        await ctx.db
          .insert(workspaceInvitations)
          .values({ workspaceId: ctx.workspaceId, email: input.email, role: input.role, createdBy: ctx.user.id })
          .onConflictDoUpdate({ target: [workspaceInvitations.workspaceId, workspaceInvitations.email], set: { role: input.role } });
        return { invited: true as const, email: input.email };
      }
      const existing = await roleIn(ctx.db, person.id, ctx.workspaceId);
      if (existing) throw new TRPCError({ code: 'CONFLICT', message: `${input.email} is already a member (${existing})` });
      await ctx.db.insert(workspaceMembers).values({ workspaceId: ctx.workspaceId, userId: person.id, role: input.role });
      return { invited: false as const, userId: person.id };
    }),

  setRole: workspaceAccessProcedure('manage')
    .input(z.object({ userId: z.string().min(1).max(64), role: memberRole }))
    .mutation(async ({ ctx, input }) => {
      const current = await roleIn(ctx.db, input.userId, ctx.workspaceId);
      if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: `no member '${input.userId}' in this workspace` });
      if (current === 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: "the owner's role cannot be changed" });
      if ((input.role === 'admin' || current === 'admin') && ctx.role !== 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: 'only the owner makes or unmakes admins' });
      await ctx.db.update(workspaceMembers).set({ role: input.role }).where(and(eq(workspaceMembers.workspaceId, ctx.workspaceId), eq(workspaceMembers.userId, input.userId)));
      return { userId: input.userId, role: input.role };
    }),

  removeMember: workspaceAccessProcedure('manage')
    .input(z.object({ userId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const current = await roleIn(ctx.db, input.userId, ctx.workspaceId);
      if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: `no member '${input.userId}' in this workspace` });
      if (current === 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: 'the owner cannot be removed' });
      if (current === 'admin' && ctx.role !== 'owner') throw new TRPCError({ code: 'FORBIDDEN', message: 'only the owner removes admins' });
      await ctx.db.delete(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, ctx.workspaceId), eq(workspaceMembers.userId, input.userId)));
      return { userId: input.userId };
    }),

  cancelInvitation: workspaceAccessProcedure('manage')
    .input(z.object({ email }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.delete(workspaceInvitations).where(and(eq(workspaceInvitations.workspaceId, ctx.workspaceId), eq(workspaceInvitations.email, input.email)));
      return { email: input.email };
    }),
});
