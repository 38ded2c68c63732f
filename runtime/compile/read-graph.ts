// Reading a graph document from text a user gave us (import in the browser or the API), with errors that say what and where.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { migrateGraph } from './migrate';
import { runSteps, runStepsInSlices, type Steps } from './slices';
import { parseDocumentSteps } from './structure';

/** Largest graph file accepted, in bytes. */
export const MAX_GRAPH_BYTES = 5 * 1024 * 1024;

/** A problem with a graph file; the message is meant for the person who picked the file. */
export class GraphFileError extends Error {}

/** Parses, checks the structure, migrates old node versions; throws GraphFileError naming the problem. */
export function readGraphDocument(text: string, source = 'graph file'): { document: GraphDocument; notes: string[] } {
  return checkGraphDocument(parseGraphText(text, source), source);
}

/** readGraphDocument for the server, checking in slices; rejects with GraphFileError. */
export async function readGraphDocumentInSlices(text: string, source = 'graph file'): Promise<{ document: GraphDocument; notes: string[] }> {
  return checkGraphDocumentInSlices(parseGraphText(text, source), source);
}

function parseGraphText(text: string, source: string): unknown {
  if (new TextEncoder().encode(text).length > MAX_GRAPH_BYTES) throw new GraphFileError(`${source} is larger than ${MAX_GRAPH_BYTES / 1024 / 1024} MB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GraphFileError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  return json;
}

/** Structure, known node types and migration of an already-parsed document. */
export function checkGraphDocument(json: unknown, source = 'graph'): { document: GraphDocument; notes: string[] } {
  return runSteps(checkSteps(json, source));
}

/** checkGraphDocument for the server, in slices that never hold the event loop long; rejects with GraphFileError. */
export function checkGraphDocumentInSlices(json: unknown, source = 'graph'): Promise<{ document: GraphDocument; notes: string[] }> {
  return runStepsInSlices(checkSteps(json, source));
}

function* checkSteps(json: unknown, source: string): Steps<{ document: GraphDocument; notes: string[] }> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GraphFileError(`${source}: expected a JSON object with schemaVersion, nodes and edges`);
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (version !== 1) throw new GraphFileError(`${source}: schemaVersion ${String(JSON.stringify(version)).slice(0, 40)} is not supported (this Tunegraph reads version 1)`);
  const parsed = yield* parseDocumentSteps(json);
  if (!parsed.document) {
    const first = parsed.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new GraphFileError(`${source}: ${first.join('; ')}`);
  }
  for (const node of parsed.document.nodes) {
    const def = getNodeDefinition(node.type);
    if (!def) throw new GraphFileError(`${source}: node "${node.id}" has unknown type "${node.type}"`);
    if (node.typeVersion > def.typeVersion) {
      throw new GraphFileError(`${source}: node "${node.id}" is "${node.type}" version ${node.typeVersion}, newer than this Tunegraph (${def.typeVersion})`);
    }
  }
  try {
    return migrateGraph(parsed.document);
  } catch (err) {
    throw new GraphFileError(`${source}: ${(err as Error).message}`);
  }
}
