// The editor page for one graph.
import { GraphEditor } from '../../_editor/editor';

export default async function GraphPage({ params }: { params: Promise<{ graphId: string }> }) {
  const { graphId } = await params;
  return <GraphEditor graphId={graphId} />;
}
