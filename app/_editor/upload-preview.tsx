'use client';
// Uploading a data file like a data tool: the file is parsed on the server, and the inspector shows
// its first rows, the row count and the label distribution, with the text and label columns picked
// from the columns the file really has.
import { useQuery } from '@tanstack/react-query';
import type { UploadPreview } from '../../runtime/data/upload-preview';
import { formatBytes } from '../_lib/format';
import { useTRPCClient } from '../_lib/trpc';

/** What uploads.preview answers: the server's preview of the file, with its upload id and size. */
export type UploadPreviewView = UploadPreview & { id: string; bytes: number };

/** The server's preview of an upload, for a label column (null: the suggested one). */
export function useUploadPreview(fileId: string, labelColumn: string | null) {
  const client = useTRPCClient();
  const preview = client as unknown as { uploads: { preview: { query(input: { fileId: string; labelColumn?: string }): Promise<UploadPreviewView> } } };
  return useQuery({
    queryKey: ['uploads.preview', fileId, labelColumn],
    queryFn: () => preview.uploads.preview.query({ fileId, ...(labelColumn ? { labelColumn } : {}) }),
    enabled: !!fileId,
    staleTime: 60_000,
    placeholderData: (prev) => prev,
    retry: false,
  });
}

function ColumnSelect({ label, value, columns, onChange, testId }: { label: string; value: string; columns: string[]; onChange: (c: string) => void; testId: string }) {
  const known = columns.includes(value);
  return (
    <label className="flex items-center gap-2">
      <span className="w-20 shrink-0 text-neutral-600">{label}</span>
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} className={`h-7 min-w-0 flex-1 rounded-md border bg-white px-1 text-xs ${known ? 'border-neutral-300' : 'border-red-400 text-red-700'}`}>
        {!known && <option value={value}>{value} (not in the file)</option>}
        {columns.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </label>
  );
}

/** Preview and column pickers for an uploaded dataset (`corpus` mode shows rows only). */
export function UploadPreview({ fileId, params, onParam, corpus }: { fileId: string; params: Record<string, unknown>; onParam: (param: string, value: unknown) => void; corpus?: boolean }) {
  const textColumn = String(params.textColumn ?? 'text');
  const labelColumn = String(params.labelColumn ?? 'label');
  const preview = useUploadPreview(fileId, corpus ? null : labelColumn);
  if (!fileId) return null;
  // A server without the preview procedure (older build) simply shows no preview.
  if (preview.error) return /procedure/i.test(preview.error.message) ? null : <p className="px-4 py-2 text-xs text-red-700" data-testid="upload-preview-error">{preview.error.message}</p>;
  const p = preview.data;
  if (!p) return <p className="px-4 py-2 text-xs text-neutral-500">Reading the file…</p>;
  const shownColumns = corpus || p.columns.length === 0 ? Object.keys(p.sample[0] ?? {}) : [textColumn, labelColumn].filter((c) => p.columns.includes(c));
  const max = Math.max(1, ...(p.labels?.counts.map((c) => c.count) ?? []));
  return (
    <section className="space-y-2 border-b border-neutral-100 px-4 py-3 text-xs" data-testid="upload-preview">
      <div className="text-neutral-600">
        <span className="font-medium text-neutral-900">{p.filename}</span> · <span data-testid="upload-rows">{p.rows.toLocaleString()}</span> rows · {p.kind.toUpperCase()} · {formatBytes(p.bytes)}
      </div>
      {!corpus && p.columns.length > 0 && (
        <div className="space-y-1">
          <ColumnSelect label="Text column" value={textColumn} columns={p.columns} onChange={(c) => onParam('textColumn', c)} testId="upload-text-column" />
          <ColumnSelect label="Label column" value={labelColumn} columns={p.columns} onChange={(c) => onParam('labelColumn', c)} testId="upload-label-column" />
        </div>
      )}
      {!corpus && p.labels && p.labels.column === labelColumn && (
        <div data-testid="upload-labels">
          <div className="mb-0.5 text-[11px] font-medium text-neutral-500">Labels in “{p.labels.column}” ({p.labels.counts.length})</div>
          <ul className="space-y-0.5">
            {p.labels.counts.slice(0, 12).map((c) => (
              <li key={c.label} className="flex items-center gap-2" data-testid="upload-label" data-label={c.label} data-count={c.count}>
                <span className="w-20 truncate" title={c.label}>{c.label}</span>
                <span className="h-1.5 flex-1 rounded bg-neutral-100"><span className="block h-1.5 rounded bg-emerald-500" style={{ width: `${(100 * c.count) / max}%` }} /></span>
                <span className="w-10 text-right font-mono text-neutral-600">{c.count}</span>
              </li>
            ))}
          </ul>
          {p.labels.counts.length > 12 && <p className="text-neutral-500">and {p.labels.counts.length - 12} more</p>}
        </div>
      )}
      {p.sample.length > 0 && shownColumns.length > 0 && (
        <div className="max-h-40 overflow-auto rounded border border-neutral-200">
          <table className="w-full text-[11px]" data-testid="upload-sample">
            <thead className="sticky top-0 bg-neutral-50 text-left text-neutral-500"><tr>{shownColumns.map((c) => <th key={c} className="px-1.5 py-1 font-medium">{c}</th>)}</tr></thead>
            <tbody>
              {p.sample.slice(0, 5).map((row, i) => (
                <tr key={i} className="border-t border-neutral-100 align-top">
                  {shownColumns.map((c) => <td key={c} className="max-w-[10rem] truncate px-1.5 py-1" title={row[c]}>{row[c]}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.problems.length > 0 && (
        <ul className="text-amber-800" data-testid="upload-problems">
          {p.problems.slice(0, 5).map((m) => <li key={m}>⚠ {m}</li>)}
        </ul>
      )}
    </section>
  );
}
