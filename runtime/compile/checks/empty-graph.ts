// An empty graph is not a pipeline: it would "run" and do nothing.
import type { GraphDocument } from '../../../graph-nodes';
import type { CompileIssue } from '../issues';

export function checkEmptyGraph(doc: Pick<GraphDocument, 'nodes'>): CompileIssue[] {
  return doc.nodes.length === 0 ? [{ kind: 'empty-graph', message: 'The graph is empty: drag a source, a model and a training step from the palette' }] : [];
}
