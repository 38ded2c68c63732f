// Uploaded files checked against their node before anything runs: the file exists and is readable,
// its kind fits (a CSV is not a corpus), and the chosen columns or fields are in it.
import type { GraphFacts, UploadFacts } from '../graph-facts';
import type { CompileIssue } from '../issues';

const list = (cols: string[]) => (cols.length ? cols.map((c) => `"${c}"`).join(', ') : 'none');

export function checkUploads(facts: GraphFacts): CompileIssue[] {
  const issues: CompileIssue[] = [];
  for (const [nodeId, p] of facts.params) {
    const type = facts.index.nodes.get(nodeId)!.type;
    if (type !== 'dataset-upload' && type !== 'corpus-upload') continue;
    const fileId = String(p.fileId);
    const found = fileId ? facts.sources.upload?.(fileId) : undefined;
    if (!found) continue;
    if ('error' in found) {
      issues.push({ kind: 'bad-upload', nodeId, param: 'fileId', message: `The uploaded file cannot be read: ${found.error}` });
      continue;
    }
    const push = (param: string, message: string) => issues.push({ kind: 'bad-upload', nodeId, param, message });
    if (type === 'corpus-upload') checkCorpus(found, p, push);
    else checkDataset(found, p, push);
  }
  return issues;
}

function checkCorpus(file: UploadFacts, p: Record<string, unknown>, push: (param: string, message: string) => void) {
  if (file.kind === 'csv' || file.kind === 'tsv') {
    push('fileId', `${file.filename} is a ${file.kind.toUpperCase()} file with columns ${list(file.columns)}; a corpus reads plain text (TXT) or JSONL. For labelled rows use an Uploaded dataset node`);
    return;
  }
  if (p.format === 'txt' && file.kind === 'jsonl') push('format', `${file.filename} is JSONL; set Format to jsonl`);
  if (p.format === 'jsonl' && file.kind === 'txt') push('format', `${file.filename} is plain text; set Format to txt`);
  if (p.format === 'jsonl' && file.kind === 'jsonl' && !file.columns.includes(String(p.textField))) {
    push('textField', `${file.filename} has no field "${p.textField}"; its fields are ${list(file.columns)}`);
  }
  if (file.rows === 0) push('fileId', `${file.filename} holds no text`);
}

function checkDataset(file: UploadFacts, p: Record<string, unknown>, push: (param: string, message: string) => void) {
  if (file.kind === 'txt') {
    push('fileId', `${file.filename} is plain text; a labelled dataset needs CSV or JSONL with a text column and a label column (unlabelled text goes into an Uploaded corpus node)`);
    return;
  }
  const isCsv = file.kind === 'csv' || file.kind === 'tsv';
  if (p.format === 'jsonl' && isCsv) push('format', `${file.filename} is a ${file.kind.toUpperCase()} file; set Format to csv`);
  if (p.format === 'csv' && file.kind === 'jsonl') push('format', `${file.filename} is JSONL; set Format to jsonl`);
  if (file.rows === 0) {
    push('fileId', `${file.filename} has no data rows`);
    return;
  }
  const what = isCsv ? 'column' : 'field';
  for (const param of ['textColumn', 'labelColumn'] as const) {
    const col = String(p[param]);
    if (!file.columns.includes(col)) push(param, `${file.filename} has no ${what} "${col}"; its ${what}s are ${list(file.columns)}`);
  }
  const labelCol = String(p.labelColumn);
  if (p.task === 'sequence' && file.columns.includes(labelCol)) {
    const distinct = file.distinct?.[labelCol];
    if (distinct === undefined) push('labelColumn', `${what} "${labelCol}" of ${file.filename} has more than 1,000 different values; it does not look like a label ${what}`);
    else if (distinct < 2) push('labelColumn', `${what} "${labelCol}" of ${file.filename} has only one label; classification needs at least two`);
  }
}
