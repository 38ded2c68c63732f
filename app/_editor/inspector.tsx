'use client';
// The right-hand panel: the selected node's description, label, params and problems.
import { getNodeDefinition, type GraphNode, type NodeDefinition } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { CATEGORY_COLOR } from './category-style';
import { ParamForm, type ResolvedValue } from './param-form';
import { useState, type ReactNode } from 'react';
import type { NodeRunState } from '../_lib/run-state';
import { TryItPanel } from './try-it-panel';
import { UploadPreview, type UploadPreviewView } from './upload-preview';
import { uploadParams } from './upload-params';
import { useTRPCClient } from '../_lib/trpc';

/** Uploads a data file (the server checks type and size) and puts its id into the node's fileId. */
function UploadControl({ fileId, onUploaded }: { fileId: string; onUploaded: (id: string, preview: UploadPreviewView | null) => void }) {
  const client = useTRPCClient();
  const [state, setState] = useState<{ busy: boolean; message?: string; error?: boolean }>({ busy: false });
  async function upload(file: File | undefined) {
    if (!file) return;
    setState({ busy: true });
    const res = await fetch(`/api/files/uploads?filename=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
    const body = await res.json().catch(() => ({ error: `upload failed (${res.status})` }));
    if (!res.ok) return setState({ busy: false, error: true, message: body.error });
    // Parsed at once, so the node starts with the file's real format and columns.
    const previewer = client as unknown as { uploads: { preview: { query(input: { fileId: string }): Promise<UploadPreviewView> } } };
    const preview = await previewer.uploads.preview.query({ fileId: body.id }).catch(() => null);
    onUploaded(body.id, preview);
    setState({ busy: false, message: `${body.filename}: ${(body.bytes / 1024).toFixed(1)} KB uploaded` });
  }
  return (
    <div className="border-b border-neutral-100 px-4 py-3 text-xs">
      <label className="flex cursor-pointer items-center justify-between rounded-md border border-dashed border-neutral-300 px-3 py-2 hover:bg-neutral-50">
        <span>{state.busy ? 'Uploading…' : fileId ? 'Replace file' : 'Upload CSV / JSONL / TXT'}</span>
        <span className="font-mono text-neutral-400">{fileId || 'no file'}</span>
        <input data-testid="upload-file" type="file" accept=".csv,.tsv,.jsonl,.txt" className="hidden" onChange={(e) => void upload(e.target.files?.[0])} />
      </label>
      {state.message && <p className={`mt-1 ${state.error ? 'text-red-600' : 'text-neutral-500'}`} data-testid="upload-message">{state.message}</p>}
    </div>
  );
}

/** Nodes that make or take a model can be tried (Eval and Export try the model wired into them). */
function hasModelPort(def: NodeDefinition): boolean {
  return [...Object.values(def.outputs), ...Object.values(def.inputs)].some((p) => p.type === 'Model');
}

export function Inspector({
  node,
  issues,
  selectedCount,
  onParam,
  onParams,
  onLabel,
  onRunTo,
  onRerunFrom,
  canRun,
  runId,
  runState,
  resolved,
  actions,
}: {
  node: GraphNode | undefined;
  issues: CompileIssue[];
  selectedCount: number;
  onParam: (param: string, value: unknown) => void;
  /** Several params in one undo step. */
  onParams: (values: Record<string, unknown>) => void;
  onLabel: (label: string) => void;
  onRunTo: (nodeId: string) => void;
  onRerunFrom: (nodeId: string) => void;
  canRun: boolean;
  /** The run on screen, and the selected node's state in it (for "Try it"). */
  runId?: string | null;
  runState?: NodeRunState;
  /** What the node's "auto" params resolve to. */
  resolved?: Record<string, ResolvedValue>;
  /** More node actions beside the run buttons (the sweep button). */
  actions?: ReactNode;
}) {
  if (!node) {
    return (
      <aside className="w-80 shrink-0 overflow-y-auto border-l border-neutral-200 bg-white p-4 text-sm text-neutral-500">
        {selectedCount > 1 ? `${selectedCount} nodes selected.` : 'Select a node to edit its parameters.'}
        <p className="mt-3 text-xs">Drag stages from the palette, connect outputs to inputs of the same colour, and press ⌘S / Ctrl+S to save a version.</p>
      </aside>
    );
  }
  const def = getNodeDefinition(node.type);
  const nodeIssues = issues.filter((i) => i.nodeId === node.id);
  return (
    <aside data-testid="inspector" className="w-80 shrink-0 overflow-y-auto border-l border-neutral-200 bg-white">
      <div className="border-b border-neutral-100 p-4">
        <div className="flex items-center gap-2 text-[11px] font-medium uppercase tracking-wide" style={{ color: def ? CATEGORY_COLOR[def.category] : '#b91c1c' }}>
          {def?.category ?? 'Unknown'} · <span className="font-mono normal-case text-neutral-400">{node.id}</span>
        </div>
        <h2 className="mt-1 text-base font-semibold">{def?.title ?? node.type}</h2>
        {def && <p className="mt-1 text-xs leading-relaxed text-neutral-600">{def.description}</p>}
        <input
          data-testid="node-label"
          value={node.label ?? ''}
          onChange={(e) => onLabel(e.target.value)}
          placeholder="Label (optional)"
          className="mt-3 h-8 w-full rounded-md border border-neutral-300 px-2 text-sm outline-none focus:border-accent"
        />
        <div className="mt-2 flex gap-2">
          <button data-testid="run-to-here" disabled={!canRun} onClick={() => onRunTo(node.id)} className="h-7 flex-1 rounded-md border border-neutral-300 text-xs hover:bg-neutral-50 disabled:opacity-40" title="Run this node and what it needs">Run to here</button>
          <button data-testid="rerun-from-here" disabled={!canRun} onClick={() => onRerunFrom(node.id)} className="h-7 flex-1 rounded-md border border-neutral-300 text-xs hover:bg-neutral-50 disabled:opacity-40" title="Recompute this node and everything after it">Rerun from here</button>
        </div>
        {actions && <div className="mt-2 flex gap-2">{actions}</div>}
      </div>
      {nodeIssues.filter((i) => !i.param).length > 0 && (
        <ul className="space-y-1 border-b border-red-100 bg-red-50 px-4 py-3 text-xs text-red-700">
          {nodeIssues.filter((i) => !i.param).map((i, n) => <li key={n}>{i.message}</li>)}
        </ul>
      )}
      {(node.type === 'dataset-upload' || node.type === 'corpus-upload') && (
        <>
          <UploadControl fileId={String(node.params.fileId ?? '')} onUploaded={(id, preview) => onParams(uploadParams(node, id, preview))} />
          <UploadPreview fileId={String(node.params.fileId ?? '')} params={node.params} onParam={onParam} corpus={node.type === 'corpus-upload'} />
        </>
      )}
      {def && runId && hasModelPort(def) && <TryItPanel key={`${runId}:${node.id}`} runId={runId} nodeId={node.id} ready={runState?.status === 'done' || runState?.status === 'cached'} />}
      <div className="p-4">{def && <ParamForm def={def} params={node.params} issues={nodeIssues} onChange={onParam} resolved={resolved} />}</div>
    </aside>
  );
}
