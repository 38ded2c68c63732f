// What a new account gets: the first one claims the default workspace (owner set-up), every other one
// an empty workspace of its own; pending invitations for its email become memberships.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../db/seed';
import { users, workspaceInvitations, workspaceMembers, workspaces } from '../db/schema';
import { newId } from '../ids';

/** Sets up a just-created user's workspaces; returns the workspace they start in. */
export async function provisionNewUser(db: Database, user: { id: string; name: string; email: string }): Promise<{ workspaceId: string; claimedDefault: boolean }> {
  return db.transaction(async (tx) => {
    // The default workspace (with the examples) belongs to the pre-accounts local user until the
    // first person signs up. Locking its owner row makes two simultaneous first sign-ups queue; the
    // one-owner-per-workspace index makes the loser's insert a no-op.
    const [owner] = await tx.select({ userId: workspaceMembers.userId }).from(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, DEFAULT_WORKSPACE.id), eq(workspaceMembers.role, 'owner'))).for('update');
    let claimedDefault = false;
    const [defaultWs] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, DEFAULT_WORKSPACE.id));
    if (defaultWs && (!owner || owner.userId === LOCAL_USER.id)) {
      await tx.delete(workspaceMembers).where(and(eq(workspaceMembers.workspaceId, DEFAULT_WORKSPACE.id), eq(workspaceMembers.userId, LOCAL_USER.id)));
      const inserted = await tx
        .insert(workspaceMembers)
        .values({ workspaceId: DEFAULT_WORKSPACE.id, userId: user.id, role: 'owner' })
        .onConflictDoNothing()
        .returning({ userId: workspaceMembers.userId });
      claimedDefault = inserted.length > 0;
    }
    let workspaceId = DEFAULT_WORKSPACE.id;
    if (!claimedDefault) {
      workspaceId = newId('w');
      await tx.insert(workspaces).values({ id: workspaceId, name: `${user.name.slice(0, 80)}'s workspace` });
      await tx.insert(workspaceMembers).values({ workspaceId, userId: user.id, role: 'owner' });
    }
    const invitations = await tx.select().from(workspaceInvitations).where(eq(sql`lower(${workspaceInvitations.email})`, user.email.toLowerCase()));
    for (const inv of invitations) {
      await tx.insert(workspaceMembers).values({ workspaceId: inv.workspaceId, userId: user.id, role: inv.role }).onConflictDoNothing();
    }
    if (invitations.length) await tx.delete(workspaceInvitations).where(eq(sql`lower(${workspaceInvitations.email})`, user.email.toLowerCase()));
    await tx.update(users).set({ currentWorkspaceId: workspaceId }).where(eq(users.id, user.id));
    return { workspaceId, claimedDefault };
  });
}
