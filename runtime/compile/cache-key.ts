// Cache keys: a node's key changes exactly when its result could change.
// Hash of type, typeVersion, stage code version, resolved params (seed included), upstream keys
// by input port, and the content hash of data it reads — never ids, labels or positions, so an
// identical stage in another graph of the same workspace reuses the same artifact.
import { createHash } from 'node:crypto';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { canonicalJson } from './canonical-json';
import { indexGraph } from './graph-index';
import { resolveNodeParams } from './params';
import { planRun } from './plan';
import { AUTO_RULES_VERSION } from './resolve-defaults';

export interface CacheKeyOptions {
  /** Version of each stage's implementation, by node type; bump it when a stage's math changes. */
  stageVersions?: Record<string, string>;
  /** Content hash of the data a node reads (uploaded file, bundled dataset), by node id. */
  dataHashes?: Record<string, string>;
  /** Whose cache this is (the workspace id): keys of one scope never match another's artifacts. */
  scope?: string;
}

/** The cache key of every node of a validated graph, by node id (a prototype-free record, so an id
 * like `__proto__` or `constructor` is an ordinary key). */
export function cacheKeysFor(doc: Pick<GraphDocument, 'nodes' | 'edges'>, opts: CacheKeyOptions = {}): Record<string, string> {
  const index = indexGraph(doc);
  const keys = new Map<string, string>();
  for (const id of planRun(doc)) {
    const node = index.nodes.get(id)!;
    const def = getNodeDefinition(node.type);
    if (!def) throw new Error(`cacheKeysFor: node "${id}" has unknown type "${node.type}"`);
    const { params } = resolveNodeParams(def, id, node.params);
    if (!params) throw new Error(`cacheKeysFor: node "${id}" has invalid params`);
    const inputs = new Map<string, string[]>();
    for (const e of index.incoming.get(id)!) {
      const list = inputs.get(e.targetPort) ?? [];
      list.push(`${keys.get(e.source)}:${e.sourcePort}`);
      inputs.set(e.targetPort, list);
    }
    for (const list of inputs.values()) list.sort();
    const material = canonicalJson({
      type: node.type,
      typeVersion: node.typeVersion,
      code: (opts.stageVersions && Object.hasOwn(opts.stageVersions, node.type) ? opts.stageVersions[node.type] : undefined) ?? '1',
      params,
      inputs: Object.fromEntries(inputs),
      data: (opts.dataHashes && Object.hasOwn(opts.dataHashes, id) ? opts.dataHashes[id] : null) ?? null,
      // "auto" params resolve from upstream facts (in the upstream keys) by a rule with a version.
      auto: Object.values(params).includes('auto') ? AUTO_RULES_VERSION : undefined,
      scope: opts.scope,
    });
    keys.set(id, createHash('sha256').update(material).digest('hex'));
  }
  return Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(keys));
}
