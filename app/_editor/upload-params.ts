// What an upload node's params become once a file is uploaded: the file id, its real format and
// delimiter, and text/label columns the file actually has (kept when they already match).
import type { GraphNode } from '../../graph-nodes';
import type { UploadPreviewView } from './upload-preview';

/** An upload node's params after a new file: the file id, its format, and columns it really has. */
export function uploadParams(node: GraphNode, fileId: string, p: UploadPreviewView | null): Record<string, unknown> {
  const out: Record<string, unknown> = { fileId };
  if (!p) return out;
  if (node.type === 'corpus-upload') {
    out.format = p.kind === 'jsonl' ? 'jsonl' : 'txt';
    if (p.kind === 'jsonl' && p.columns.length && !p.columns.includes(String(node.params.textField ?? 'text'))) out.textField = p.suggested.textColumn ?? p.columns[0];
    return out;
  }
  out.format = p.kind === 'jsonl' ? 'jsonl' : 'csv';
  if (p.delimiter) out.delimiter = p.delimiter;
  if (!p.columns.includes(String(node.params.textColumn ?? 'text')) && p.suggested.textColumn) out.textColumn = p.suggested.textColumn;
  if (!p.columns.includes(String(node.params.labelColumn ?? 'label')) && p.suggested.labelColumn) out.labelColumn = p.suggested.labelColumn;
  return out;
}

