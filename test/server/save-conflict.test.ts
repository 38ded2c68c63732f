// Two editors save on the same base version at the same moment: one wins, the other gets a conflict
// with a link to the diff, and after looking it saves on the new base; both contents are in history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users, workspaceMembers } from '../../server/db/schema';
import type { OpenDatabase } from '../../server/db/client';
import { DEFAULT_WORKSPACE, LOCAL_USER } from '../../server/db/seed';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { dbKinds, openTestDatabase } from '../helpers/db';
import { pipelineGraph } from '../helpers/graph-builder';

describe.each(dbKinds)('saving on a base version on %s', (kind) => {
  let database: OpenDatabase;
  const ed = (id: string) => ({ id, name: id === 'u_ann' ? 'Ann' : 'Ben' });
  const api = async (id: string) => appRouter.createCaller(await createContextInner({ db: database.db, user: ed(id) }));

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.insert(users).values([
      { id: 'u_ann', name: 'Ann', email: 'ann@example.org' },
      { id: 'u_ben', name: 'Ben', email: 'ben@example.org' },
    ]);
    await database.db.insert(workspaceMembers).values([
      { workspaceId: DEFAULT_WORKSPACE.id, userId: 'u_ann', role: 'editor' },
      { workspaceId: DEFAULT_WORKSPACE.id, userId: 'u_ben', role: 'editor' },
    ]);
  });
  afterAll(() => database.close());

  it('two editors on the same base: one wins, the other gets the conflict, and both contents end up in history', async () => {
    const owner = appRouter.createCaller(await createContextInner({ db: database.db, user: LOCAL_USER }));
    const { id: graphId } = await owner.graphs.create({ name: 'Contended', document: pipelineGraph().doc });
    const annDoc = pipelineGraph('a', { ft: { learningRate: 1e-4 } }).doc;
    const benDoc = pipelineGraph('b', { ft: { learningRate: 5e-5 } }).doc;
    const [ann, ben] = [await api('u_ann'), await api('u_ben')];
    const results = await Promise.allSettled([
      ann.graphs.save({ graphId, document: annDoc, message: 'Ann: lr 1e-4', baseVersion: 1 }),
      ben.graphs.save({ graphId, document: benDoc, message: 'Ben: lr 5e-5', baseVersion: 1 }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((won[0] as PromiseFulfilledResult<{ version: number }>).value.version).toBe(2);
    const winner = results[0].status === 'fulfilled' ? 'Ann' : 'Ben';
    const loserApi = winner === 'Ann' ? ben : ann;
    const loserDoc = winner === 'Ann' ? benDoc : annDoc;
    expect(lost[0].reason).toMatchObject({ code: 'CONFLICT' });
    expect(lost[0].reason.message).toBe(`not saved: ${winner} saved version 2 after your version 1. See what changed at /graphs/${graphId}/diff?from=1&to=2, then save again on version 2.`);

    // The loser opens the diff the message links to, then saves on the new base.
    const diff = await loserApi.graphs.diff({ graphId, from: 1, to: 2 });
    expect(diff.diff.same).toBe(false);
    const again = await loserApi.graphs.save({ graphId, document: loserDoc, message: 'after the conflict', baseVersion: 2 });
    expect(again.version).toBe(3);

    const history = await ann.graphs.versions({ graphId });
    expect(history.map((v) => [v.version, v.author])).toEqual([
      [3, winner === 'Ann' ? 'Ben' : 'Ann'],
      [2, winner],
      [1, LOCAL_USER.name],
    ]);
    expect((await ann.graphs.get({ graphId, version: 2 })).document).toEqual(winner === 'Ann' ? annDoc : benDoc);
    expect((await ann.graphs.get({ graphId, version: 3 })).document).toEqual(loserDoc);
  });

  it('many simultaneous saves on one base: exactly one lands', async () => {
    const owner = appRouter.createCaller(await createContextInner({ db: database.db, user: LOCAL_USER }));
    const { id: graphId } = await owner.graphs.create({ name: 'Stampede' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, async (_, i) => (await api(i % 2 ? 'u_ann' : 'u_ben')).graphs.save({ graphId, document: pipelineGraph(`s${i}`).doc, baseVersion: 1 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'CONFLICT')).toBe(true);
    expect((await owner.graphs.get({ graphId })).latestVersion).toBe(2);
  });

  it('restoring an old version appends it as the newest, leaving history as it was', async () => {
    const owner = appRouter.createCaller(await createContextInner({ db: database.db, user: LOCAL_USER }));
    const first = pipelineGraph().doc;
    const { id: graphId } = await owner.graphs.create({ name: 'Restore me', document: first });
    await owner.graphs.save({ graphId, document: pipelineGraph('x', { ft: { epochs: 9 } }).doc, baseVersion: 1 });
    expect(await owner.graphs.restore({ graphId, version: 1 })).toEqual({ version: 3 });
    expect((await owner.graphs.get({ graphId })).document).toEqual(first);
    expect((await owner.graphs.versions({ graphId }))[0]).toMatchObject({ version: 3, message: 'Restored version 1', author: LOCAL_USER.name });
    expect((await owner.graphs.diff({ graphId, from: 1, to: 3 })).diff.same).toBe(true);
  });
});
