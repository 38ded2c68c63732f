// The commit each Hub-sourced pretrained-load node will read, as cache-key material: a rerun
// recomputes the node (and what depends on it) exactly when the revision now names another commit.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphDocument } from '../../../graph-nodes';
import { cachedCommit, isCommitSha, repoFolder } from './hub-cache';
import { hubEnvFrom, type HubEnv } from './hub-env';
import { fileMetadata } from './hub-http';

interface HubNode {
  id: string;
  hubId: string;
  revision: string;
}

function hubNodes(doc: Pick<GraphDocument, 'nodes'>): HubNode[] {
  return doc.nodes
    .filter((n) => n.type === 'pretrained-load' && n.params?.source === 'hub' && typeof n.params.hubId === 'string')
    .map((n) => ({ id: n.id, hubId: n.params.hubId as string, revision: typeof n.params.revision === 'string' && n.params.revision ? n.params.revision : 'main' }));
}

const material = (n: HubNode, commit: string | null) => `hub:${n.hubId}@${commit ?? `unresolved:${n.revision}`}`;

/** From the local cache only (no network): for showing which nodes are cached. */
export function cachedHubCommits(doc: Pick<GraphDocument, 'nodes'>, env: HubEnv = hubEnvFrom()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of hubNodes(doc)) out[n.id] = material(n, isCommitSha(n.revision) ? n.revision : cachedCommit(repoFolder(env.cacheDir, n.hubId), n.revision));
  return out;
}

/**
 * Asks the Hub which commit each revision names now (HEAD of config.json, a few seconds at most);
 * offline, unreachable or refused, the cache's answer stands (the stage then reports the problem).
 */
export async function resolveHubCommits(doc: Pick<GraphDocument, 'nodes'>, env: HubEnv = hubEnvFrom()): Promise<Record<string, string>> {
  const out = cachedHubCommits(doc, env);
  if (env.offline) return out;
  await Promise.all(
    hubNodes(doc).map(async (n) => {
      if (isCommitSha(n.revision)) return;
      try {
        const meta = await fileMetadata(env, n.hubId, n.revision, 'config.json', AbortSignal.timeout(5000));
        out[n.id] = material(n, meta.commit);
      } catch {
        // Keep the cached commit.
      }
    }),
  );
  return out;
}

/** A file of a Hub model's cached snapshot (e.g. config.json for estimates), or null when not cached. */
export function cachedHubFile(hubId: string, revision: string, file: string, env: HubEnv = hubEnvFrom()): string | null {
  const root = repoFolder(env.cacheDir, hubId);
  const commit = cachedCommit(root, revision || 'main');
  if (!commit) return null;
  const path = join(root, 'snapshots', commit, file);
  return existsSync(path) ? path : null;
}
