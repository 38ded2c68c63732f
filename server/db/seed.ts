// First-start data: the local user, the default workspace, and the example graphs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { Database } from './client';
import { graphs, graphVersions, users, workspaceMembers, workspaces } from './schema';
import { newId } from '../ids';

/** Until accounts arrive, every request acts as this user in this workspace. */
export const LOCAL_USER = { id: 'u_local', name: 'Local user', email: 'local@tunegraph.invalid' };
export const DEFAULT_WORKSPACE = { id: 'w_default', name: 'My workspace' };

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

/** Creates the local user and default workspace once; seeds example graphs when the workspace is new. */
export async function seedDatabase(db: Database, opts: { examples?: boolean } = {}): Promise<void> {
  const existing = await db.select().from(workspaces).where(eq(workspaces.id, DEFAULT_WORKSPACE.id));
  if (existing.length > 0) return;
  await db.transaction(async (tx) => {
    await tx.insert(users).values(LOCAL_USER).onConflictDoNothing();
    await tx.insert(workspaces).values(DEFAULT_WORKSPACE);
    await tx.insert(workspaceMembers).values({ workspaceId: DEFAULT_WORKSPACE.id, userId: LOCAL_USER.id, role: 'owner' });
    if (opts.examples === false) return;
    for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort()) {
      const { name, document } = JSON.parse(readFileSync(join(examplesDir, file), 'utf8'));
      const id = newId('g');
      await tx.insert(graphs).values({ id, workspaceId: DEFAULT_WORKSPACE.id, name, latestVersion: 1, createdBy: LOCAL_USER.id });
      await tx.insert(graphVersions).values({ graphId: id, version: 1, document, message: 'Example shipped with Tunegraph', createdBy: LOCAL_USER.id });
    }
  });
}
