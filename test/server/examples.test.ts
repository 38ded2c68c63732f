import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGraphDocument } from '../../runtime/compile/read-graph';
import { validateGraph } from '../../runtime/compile/validate';
import type { OpenDatabase } from '../../server/db/client';
import { LOCAL_USER, seedDatabase } from '../../server/db/seed';
import { appRouter } from '../../server/routers/_app';
import { createContextInner } from '../../server/trpc';
import { openTestDatabase } from '../helpers/db';

const examplesDir = new URL('../../server/examples/', import.meta.url);
const files = readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort();
const examples = files.map((file) => ({ file, ...(JSON.parse(readFileSync(new URL(file, examplesDir), 'utf8')) as { name: string; document: unknown }) }));

describe('example graphs shipped in server/examples', () => {
  it('include a full fine-tuning pipeline', () => {
    const types = new Set(examples.flatMap((e) => (e.document as { nodes: { type: string }[] }).nodes.map((n) => n.type)));
    for (const type of ['pretrained-load', 'lora', 'head', 'fine-tune', 'dataset-bundled', 'split', 'eval', 'export']) expect(types).toContain(type);
  });

  it.each(examples.map((e) => [e.file, e] as const))('%s is a current, valid graph with no compile issues', (_, example) => {
    expect(example.name.trim().length).toBeGreaterThan(0);
    const { document, notes } = checkGraphDocument(example.document, example.file);
    expect(notes).toEqual([]);
    expect(validateGraph(document)).toEqual([]);
  });
});

describe('seeding on first start', () => {
  let database: OpenDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('pglite', { examples: true });
  });
  afterAll(() => database.close());

  it('seeds every example once, however often the server starts', async () => {
    await seedDatabase(database.db);
    await seedDatabase(database.db);
    const api = appRouter.createCaller(await createContextInner({ db: database.db, user: LOCAL_USER }));
    const names = (await api.graphs.list()).map((g) => g.name).sort();
    expect(names).toEqual(examples.map((e) => e.name).sort());
    const first = (await api.graphs.list()).find((g) => g.name === examples[0].name)!;
    expect((await api.graphs.get({ graphId: first.id })).document).toEqual(examples[0].document);
  });
});
