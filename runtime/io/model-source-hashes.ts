// What every pretrained-load node of a graph reads, as cache-key material, in one place for every
// caller that computes keys (run service, CLI, report): a Hub model names the commit its revision
// resolves to, a bundled or local-folder model a fingerprint of its files.
import type { GraphDocument } from '../../graph-nodes';
import { cachedHubCommits, resolveHubCommits } from './hub/hub-revision';
import type { HubEnv } from './hub/hub-env';
import { modelFolderHashes, type ModelDirs } from './model-folder-hashes';

/** From local state only (the Hub cache, the folders): for showing which nodes are cached. */
export function cachedModelSourceHashes(doc: Pick<GraphDocument, 'nodes'>, dirs: ModelDirs, hubEnv?: HubEnv): Record<string, string> {
  return { ...cachedHubCommits(doc, hubEnv), ...modelFolderHashes(doc, dirs) };
}

/** As a run will read them: the Hub is asked which commit each revision names now (offline, the cache's answer stands). */
export async function resolveModelSourceHashes(doc: Pick<GraphDocument, 'nodes'>, dirs: ModelDirs, hubEnv?: HubEnv): Promise<Record<string, string>> {
  return { ...(await resolveHubCommits(doc, hubEnv)), ...modelFolderHashes(doc, dirs) };
}
