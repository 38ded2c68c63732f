// Upgrades saved graphs whose nodes were written by older node-type versions.
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';

/** The document with every known node at its type's current version, and what changed. */
export function migrateGraph(doc: GraphDocument): { document: GraphDocument; notes: string[] } {
  const notes: string[] = [];
  const nodes = doc.nodes.map((node) => {
    const def = getNodeDefinition(node.type);
    if (!def || node.typeVersion >= def.typeVersion) return node;
    let params = { ...node.params };
    for (let v = node.typeVersion; v < def.typeVersion; v++) {
      const step = def.migrate?.[v];
      if (!step) throw new Error(`node "${node.id}": "${node.type}" has no migration from version ${v} to ${v + 1}`);
      params = step(params);
    }
    notes.push(`node "${node.id}" (${node.type}) upgraded from version ${node.typeVersion} to ${def.typeVersion}`);
    return { ...node, typeVersion: def.typeVersion, params };
  });
  return { document: { ...doc, nodes }, notes };
}
