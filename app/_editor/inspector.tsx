'use client';
// The right-hand panel: the selected node's description, label, params and problems.
import { getNodeDefinition, type GraphNode } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { CATEGORY_COLOR } from './category-style';
import { ParamForm } from './param-form';

export function Inspector({
  node,
  issues,
  selectedCount,
  onParam,
  onLabel,
  onRunTo,
  onRerunFrom,
  canRun,
}: {
  node: GraphNode | undefined;
  issues: CompileIssue[];
  selectedCount: number;
  onParam: (param: string, value: unknown) => void;
  onLabel: (label: string) => void;
  onRunTo: (nodeId: string) => void;
  onRerunFrom: (nodeId: string) => void;
  canRun: boolean;
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
      </div>
      {nodeIssues.filter((i) => !i.param).length > 0 && (
        <ul className="space-y-1 border-b border-red-100 bg-red-50 px-4 py-3 text-xs text-red-700">
          {nodeIssues.filter((i) => !i.param).map((i, n) => <li key={n}>{i.message}</li>)}
        </ul>
      )}
      <div className="p-4">{def && <ParamForm def={def} params={node.params} issues={nodeIssues} onChange={onParam} />}</div>
    </aside>
  );
}
