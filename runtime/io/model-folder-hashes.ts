// What a bundled or local-folder pretrained-load node reads, as cache-key material: the node's params
// name a folder, not its contents, so without this a retrained bundled model (same id, new weights)
// or a folder whose files were replaced would keep serving results computed from the old weights.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { resolveInside } from './safe-path';

export interface ModelDirs {
  bundledModelsDir: string;
  modelsDir: string;
}

/** Files that describe a model without changing what it computes. */
const IGNORED = new Set(['training.json', 'README.md']);
/** Above this a folder is fingerprinted by file sizes and modification times instead of contents. */
const CONTENT_HASH_LIMIT = 256 * 1024 * 1024;
const memo = new Map<string, string>();

/** A fingerprint of a model folder's top-level files (the loader reads no deeper), or null when there is no folder. */
export function modelFolderFingerprint(dir: string): string | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((f) => f.isFile() && !IGNORED.has(f.name))
    .map((f) => ({ name: f.name, stat: statSync(join(dir, f.name), { bigint: true }) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const listing = files.map((f) => `${f.name}:${f.stat.size}:${f.stat.mtimeNs}`).join('\n');
  const memoKey = `${dir}\n${listing}`;
  const known = memo.get(memoKey);
  if (known) return known;
  const total = files.reduce((n, f) => n + Number(f.stat.size), 0);
  const h = createHash('sha256');
  if (total > CONTENT_HASH_LIMIT) h.update(`stat\n${listing}`);
  else for (const f of files) h.update(`${f.name}\n${f.stat.size}\n`).update(readFileSync(join(dir, f.name)));
  const digest = h.digest('hex');
  memo.set(memoKey, digest);
  return digest;
}

/** Cache-key material for every bundled or local-folder pretrained-load node of a graph, by node id. */
export function modelFolderHashes(doc: Pick<GraphDocument, 'nodes'>, dirs: ModelDirs): Record<string, string> {
  const out: Record<string, string> = {};
  const def = getNodeDefinition('pretrained-load')!;
  for (const n of doc.nodes) {
    if (n.type !== 'pretrained-load') continue;
    const parsed = def.params.safeParse(n.params ?? {});
    if (!parsed.success) continue; // validation reports it
    const p = parsed.data as { source: string; modelId: string; folderPath: string };
    let dir: string | null = null;
    try {
      if (p.source === 'bundled') dir = resolveInside(dirs.bundledModelsDir, p.modelId);
      else if (p.source === 'local-folder' && p.folderPath) dir = resolveInside(dirs.modelsDir, p.folderPath);
    } catch {
      continue; // a path outside its folder: validation reports it, the stage refuses it
    }
    const fingerprint = dir ? modelFolderFingerprint(dir) : null;
    if (fingerprint) out[n.id] = `folder:${fingerprint}`;
  }
  return out;
}
