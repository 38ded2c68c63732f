// Who am I and where: the signed-in user, their workspaces and roles, the current one; and the
// owner set-up state the login page needs before anyone has signed in.
import { asc, eq } from 'drizzle-orm';
import { hasOwner } from '../auth/auth';
import { currentWorkspaceOf } from '../auth/rights';
import { users, workspaceMembers, workspaces } from '../db/schema';
import { authedProcedure, publicProcedure, router } from '../trpc';

export const accountRouter = router({
  /** Before the first account exists the login page shows the owner set-up instead of sign-in. */
  setupState: publicProcedure.query(async ({ ctx }) => ({
    needsOwner: !(await hasOwner(ctx.db)),
    signup: process.env.TUNEGRAPH_SIGNUP === 'invite' ? ('invite' as const) : ('open' as const),
    signedIn: !!ctx.user,
  })),

  me: authedProcedure.query(async ({ ctx }) => {
    const [me] = await ctx.db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, ctx.user.id));
    const memberships = await ctx.db
      .select({ id: workspaces.id, name: workspaces.name, role: workspaceMembers.role })
      .from(workspaceMembers)
      .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
      .where(eq(workspaceMembers.userId, ctx.user.id))
      .orderBy(asc(workspaces.name));
    const current = await currentWorkspaceOf(ctx.db, ctx.user.id);
    return { user: me ?? { id: ctx.user.id, name: ctx.user.name, email: ctx.user.email ?? '' }, workspaces: memberships, currentWorkspaceId: current?.workspaceId ?? null };
  }),
});
