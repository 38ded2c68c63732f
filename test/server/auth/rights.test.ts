// The one-query rights reads every API call and socket.io join makes (graphWithRole, runWithRole,
// currentWorkspaceOf), on every engine: membership, shares to a person and to a workspace, the
// stronger of the two, strangers who belong to other workspaces, deleted graphs, switched workspaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentWorkspaceOf, graphWithRole, runWithRole } from '../../../server/auth/rights';
import type { OpenDatabase } from '../../../server/db/client';
import { graphs, graphShares, runs, users, workspaceMembers, workspaces } from '../../../server/db/schema';
import { eq } from 'drizzle-orm';
import { dbKinds, openTestDatabase } from '../../helpers/db';

describe.each(dbKinds)('rights in one query (%s)', (kind) => {
  let database: OpenDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.db;
    await db.insert(workspaces).values([{ id: 'w_team', name: 'Team' }, { id: 'w_other', name: 'Other' }, { id: 'w_friends', name: 'Friends' }]);
    await db.insert(users).values(['member', 'stranger', 'sharedUser', 'friend', 'both'].map((n) => ({ id: `u_${n}`, name: n, email: `${n}@example.org` })));
    await db.insert(workspaceMembers).values([
      { workspaceId: 'w_team', userId: 'u_member', role: 'editor' },
      // A stranger to the team, but a member (owner) of a workspace of their own.
      { workspaceId: 'w_other', userId: 'u_stranger', role: 'owner' },
      { workspaceId: 'w_friends', userId: 'u_friend', role: 'viewer' },
      { workspaceId: 'w_team', userId: 'u_both', role: 'viewer' },
      { workspaceId: 'w_other', userId: 'u_both', role: 'editor' },
    ]);
    await db.insert(graphs).values([
      { id: 'g_team', workspaceId: 'w_team', name: 'team graph', latestVersion: 1, createdBy: 'u_member' },
      { id: 'g_gone', workspaceId: 'w_team', name: 'deleted', latestVersion: 1, createdBy: 'u_member', deletedAt: new Date() },
    ]);
    await db.insert(graphShares).values([
      { id: 'sh1', graphId: 'g_team', userId: 'u_sharedUser', role: 'editor' },
      { id: 'sh2', graphId: 'g_team', workspaceId: 'w_friends', role: 'viewer' },
      { id: 'sh3', graphId: 'g_team', userId: 'u_both', role: 'editor' },
    ]);
    await db.insert(runs).values({ id: 'r_team', workspaceId: 'w_team', graphId: 'g_team', document: { schemaVersion: 1, nodes: [], edges: [] }, status: 'done', createdBy: 'u_member' });
  });
  afterAll(() => database.close());

  it('gives each person the stronger of membership and shares, and strangers nothing', async () => {
    const roles: Record<string, string | null> = {};
    for (const who of ['member', 'stranger', 'sharedUser', 'friend', 'both']) roles[who] = (await graphWithRole(database.db, `u_${who}`, 'g_team'))?.role ?? null;
    expect(roles).toEqual({ member: 'editor', stranger: null, sharedUser: 'editor', friend: 'viewer', both: 'editor' });
    expect((await graphWithRole(database.db, 'u_member', 'g_team'))?.graph).toMatchObject({ id: 'g_team', name: 'team graph' });
  });

  it('treats a deleted or missing graph like a foreign one', async () => {
    expect(await graphWithRole(database.db, 'u_member', 'g_gone')).toBeNull();
    expect(await graphWithRole(database.db, 'u_member', 'g_missing')).toBeNull();
  });

  it('gives a run the rights of its graph, with the whole run row', async () => {
    const found = await runWithRole(database.db, 'u_friend', 'r_team');
    expect(found?.role).toBe('viewer');
    expect(found?.run).toMatchObject({ id: 'r_team', status: 'done', document: { schemaVersion: 1 } });
    expect(found?.run.createdAt).toBeInstanceOf(Date);
    expect(await runWithRole(database.db, 'u_stranger', 'r_team')).toBeNull();
  });

  it('acts in the workspace last switched to while still a member, else the first', async () => {
    expect(await currentWorkspaceOf(database.db, 'u_stranger')).toEqual({ workspaceId: 'w_other', role: 'owner' });
    await database.db.update(users).set({ currentWorkspaceId: 'w_other' }).where(eq(users.id, 'u_both'));
    expect(await currentWorkspaceOf(database.db, 'u_both')).toEqual({ workspaceId: 'w_other', role: 'editor' });
    await database.db.update(users).set({ currentWorkspaceId: 'w_friends' }).where(eq(users.id, 'u_both'));
    expect((await currentWorkspaceOf(database.db, 'u_both'))?.workspaceId).not.toBe('w_friends');
    expect(await currentWorkspaceOf(database.db, 'u_nobody')).toBeNull();
  });
});
