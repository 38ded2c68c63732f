// The graph document: one JSON shape in the browser, the database, files and the API.
import { z } from 'zod';

/** The document format version this build writes. */
export const GRAPH_SCHEMA_VERSION = 1;

export const graphNodeSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.string().min(1).max(128),
  typeVersion: z.int().min(1),
  params: z.record(z.string(), z.unknown()),
  position: z.object({ x: z.number(), y: z.number() }),
  label: z.string().max(200).optional(),
});

export const graphEdgeSchema = z.object({
  id: z.string().min(1).max(256),
  source: z.string().min(1),
  sourcePort: z.string().min(1),
  target: z.string().min(1),
  targetPort: z.string().min(1),
});

/** Structural schema only; semantic checks (types, ports, cycles) live in runtime/compile. */
export const graphDocumentSchema = z.object({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION),
  nodes: z.array(graphNodeSchema).max(5000),
  edges: z.array(graphEdgeSchema).max(20000),
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphDocument = z.infer<typeof graphDocumentSchema>;

/** An empty document. */
export function emptyGraph(): GraphDocument {
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [], edges: [] };
}
