// Where a run keeps a node's trained model and its export zip, found from the run's own document
// and cache keys, with a plain-words reason when there is nothing there yet.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { ArtifactStore, artifactsRootFor } from '../../runtime/exec/artifact-store';

/** Why a node has no model to try or no zip to download; the message is shown to the user as is. */
export class NoArtifact extends Error {}

interface RunLike {
  id: string;
  document: unknown;
}
type NodeKeys = { nodeId: string; cacheKey: string; status: string }[];

const labelOf = (doc: GraphDocument, id: string) => {
  const n = doc.nodes.find((x) => x.id === id);
  return n?.label ? `"${n.label}" (${id})` : `"${id}"`;
};

/**
 * The model folder behind `nodeId` in a run: the node's own Model output (head, fine-tune, LoRA …)
 * or, for a node that takes a model (Eval, Export), the model wired into it.
 */
export function modelFolderOf(run: RunLike, nodes: NodeKeys, nodeId: string, dataDir: string): string {
  const doc = run.document as GraphDocument;
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) throw new NoArtifact(`run '${run.id}' has no node '${nodeId}'`);
  const def = getNodeDefinition(node.type);
  let source = nodeId;
  let port = def ? Object.entries(def.outputs).find(([, p]) => p.type === 'Model')?.[0] : undefined;
  if (!port && def) {
    const input = Object.entries(def.inputs).find(([, p]) => p.type === 'Model')?.[0];
    const edge = input ? doc.edges.find((e) => e.target === nodeId && e.targetPort === input) : undefined;
    if (edge) [source, port] = [edge.source, edge.sourcePort];
  }
  if (!port) throw new NoArtifact(`node ${labelOf(doc, nodeId)} (${def?.title ?? node.type}) has no model to try`);
  const row = nodes.find((n) => n.nodeId === source);
  if (!row) throw new NoArtifact(`node ${labelOf(doc, source)} was not part of this run; run the graph first`);
  const artifact = new ArtifactStore(artifactsRootFor(dataDir)).get(row.cacheKey);
  if (!artifact || !existsSync(join(artifact, port, 'config.json'))) {
    const why = row.status === 'failed' ? 'it failed' : row.status === 'skipped' ? 'it was skipped' : row.status === 'queued' || row.status === 'running' ? 'it has not finished yet' : 'no result is stored';
    throw new NoArtifact(`node ${labelOf(doc, source)} has no trained model yet (${why}); run the graph, then try again`);
  }
  return join(artifact, port);
}

/** One Export node of a run and its zip. */
export interface ExportZip {
  nodeId: string;
  name: string;
  /** Bytes of the zip, or null when the node has not produced it (yet). */
  bytes: number | null;
  url: string;
}

/** The export zips of a run, one per Export node it planned (the download route serves them). */
export function exportZipsOf(run: RunLike, nodes: NodeKeys, dataDir: string): ExportZip[] {
  const doc = run.document as GraphDocument;
  const out: ExportZip[] = [];
  for (const n of doc.nodes) {
    if (n.type !== 'export') continue;
    const row = nodes.find((r) => r.nodeId === n.id);
    if (!row) continue;
    const name = String(n.params.name ?? 'model').replace(/[^\w.-]/g, '_');
    const file = join(artifactsRootFor(dataDir), row.cacheKey, 'export', `${name}.zip`);
    out.push({ nodeId: n.id, name, bytes: existsSync(file) ? statSync(file).size : null, url: `/api/files/runs/${run.id}/nodes/${encodeURIComponent(n.id)}/export.zip` });
  }
  return out;
}
