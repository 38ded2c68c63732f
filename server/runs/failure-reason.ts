// The one-line reason a failed run gives in its header and in the run list: the node that failed
// first, by name and id, and why ("Fine-tune (ft1) failed: training diverged at step 12 …").
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';

/** Longest reason stored on a run (a node's own error is kept whole in run_nodes.error). */
const MAX_REASON = 1000;

/** `failed`: the run's failed nodes, first to fail first. Undefined when none failed. */
export function runFailureReason(document: Pick<GraphDocument, 'nodes'>, failed: { nodeId: string; error: string | null }[]): string | undefined {
  const [first, ...rest] = failed;
  if (!first) return undefined;
  const node = document.nodes.find((n) => n.id === first.nodeId);
  const name = node?.label?.trim() || (node && getNodeDefinition(node.type)?.title) || 'Node';
  const why = first.error?.trim() || 'no reason was given';
  const more = rest.length > 0 ? ` (and ${rest.length} more node${rest.length > 1 ? 's' : ''} failed)` : '';
  const reason = `${name} (${first.nodeId}) failed: ${why}${more}`;
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}
