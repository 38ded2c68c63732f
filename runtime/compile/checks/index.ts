// Checks that look past the wiring at what will exist at run time (splits, labels, uploaded
// columns, what an export can write); each lives in its own file and returns issues pinned to a node, port or param.
import type { GraphDocument } from '../../../graph-nodes';
import { graphFacts, type FactSources, type GraphFacts } from '../graph-facts';
import type { CompileIssue } from '../issues';
import { checkEmptyGraph } from './empty-graph';
import { checkExports } from './exports';
import { checkHeads } from './heads';
import { checkSplits } from './splits';
import { checkUploads } from './uploads';

/** Every data-level problem of a structurally valid document; `sources` adds what needs the disk. */
export function runGraphChecks(doc: Pick<GraphDocument, 'nodes' | 'edges'>, sources: FactSources = {}): CompileIssue[] {
  const empty = checkEmptyGraph(doc);
  if (empty.length > 0) return empty;
  const facts: GraphFacts = graphFacts(doc, sources);
  return [...checkUploads(facts), ...checkSplits(facts), ...checkHeads(facts), ...checkExports(facts)];
}
