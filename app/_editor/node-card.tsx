'use client';
// The card drawn for every node on the canvas, from its type's declaration: title, typed handles,
// key params and validation problems.
import { Handle, Position, useStore, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { PORT_TYPE_COLOR, type GraphNode, type NodeDefinition } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { CATEGORY_COLOR } from './category-style';
import { progressText, type NodeRunState } from '../_lib/run-state';
import { StatusChip } from './run-panel';
import { ExportDownload, type ExportZipView } from './export-download';
import { overviewFontFor, overviewTitleSize } from './readable-fit';

/** Card width in flow units (Tailwind w-56) and the overview face's side padding. */
const CARD_WIDTH = 224;
const OVERVIEW_PADDING = 8;

export type StageNodeData = {
  node: GraphNode;
  def: NodeDefinition | undefined;
  issues: CompileIssue[];
  /** This node's state in the run on screen. */
  run?: NodeRunState;
  /** The node's current settings have no finished result yet (edited since the last run). */
  stale?: boolean;
  /** Export nodes: the zip the run on screen wrote. */
  download?: ExportZipView;
  /** What the node's "auto" params resolve to. */
  resolved?: Record<string, { value: number; reason: string }>;
};
export type StageFlowNode = Node<StageNodeData, 'stage'>;

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ') || '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '').replace(/\.?0+e/, 'e');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v === '' || v === undefined || v === null) return '—';
  return String(v);
}

/** A card param: "auto" shows what it resolves to. */
function cardValue(v: unknown, resolved: { value: number } | undefined): string {
  if (v === 'auto') return resolved ? `auto · ${formatValue(resolved.value)}` : 'auto';
  return formatValue(v);
}

/** The executor's `upstream node "x" failed` in plain words. */
function plainSkipReason(error: string): string {
  const m = /^upstream node "([^"]+)" (failed|skipped)$/.exec(error);
  if (!m) return error;
  return m[2] === 'failed' ? `Not run: upstream node ${m[1]} failed` : `Not run: upstream node ${m[1]} was skipped`;
}

/** The card zoomed out too far to read: its title drawn large over it (same size, so layout and edges
 * stay put), with its run status, problem count and first warning; clicks pass through to the card. */
function OverviewFace({ title, color, status, problems, flag, px }: { title: string; color: string; status?: string; problems: number; flag?: string; px: number }) {
  const tone = problems > 0 || status === 'failed' ? '#b91c1c' : status === 'done' || status === 'cached' ? '#047857' : status === 'running' ? '#1d4ed8' : '#525252';
  const stripe = Math.round(px / 4);
  const size = overviewFontFor(title, px, CARD_WIDTH - stripe - 2 * OVERVIEW_PADDING - 2);
  return (
    <div data-testid="node-overview" className="pointer-events-none absolute inset-0 z-10 flex flex-col justify-center overflow-hidden rounded-lg bg-white" style={{ borderLeft: `${stripe}px solid ${color}`, padding: `0 ${OVERVIEW_PADDING}px` }}>
      <div data-testid="node-overview-title" className="line-clamp-3 break-words font-semibold leading-tight text-neutral-900" style={{ fontSize: size }}>{title}</div>
      {(status || problems > 0) && (
        <div className="mt-1 font-semibold uppercase leading-tight" style={{ fontSize: Math.round(size * 0.8), color: tone }}>
          {problems > 0 ? `${problems} problem${problems > 1 ? 's' : ''}` : status}
        </div>
      )}
      {flag && <div data-testid="node-overview-flag" className="font-semibold leading-tight text-amber-700" style={{ fontSize: Math.round(size * 0.8) }}>⚠ {flag}</div>}
    </div>
  );
}

function StageCard({ data, selected }: NodeProps<StageFlowNode>) {
  const { node, def, issues, run, stale, download, resolved } = data;
  if (!def) {
    return (
      <div className="stage-card w-56 rounded-lg border-2 border-red-400 bg-white p-3 text-sm">
        Unknown node type <code>{node.type}</code>
      </div>
    );
  }
  const inputs = Object.entries(def.inputs);
  const outputs = Object.entries(def.outputs);
  const rows = Math.max(inputs.length, outputs.length);
  const color = CATEGORY_COLOR[def.category];
  // Changes only when the zoom crosses a whole font size, so zooming redraws cards sparingly.
  const overviewPx = useStore((s) => overviewTitleSize(s.transform[2]));
  return (
    <div
      className={`stage-card relative w-56 rounded-lg border bg-white text-xs shadow-sm ${issues.length ? 'border-red-400 ring-2 ring-red-200' : 'border-neutral-200'} ${selected ? 'shadow-md' : ''}`}
      data-testid={`node-card-${node.id}`}
      data-has-errors={issues.length > 0}
      title={issues.map((i) => i.message).join('\n')}
    >
      <div className="flex items-center gap-2 rounded-t-lg border-b border-neutral-100 px-3 py-2" style={{ background: `${color}10` }}>
        <span className="h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: color }} />
        <div className="min-w-0 flex-1">
          <div className="truncate text-[13px] font-semibold text-neutral-900">{node.label || def.title}</div>
          {node.label && <div className="truncate text-[10px] text-neutral-500">{def.title}</div>}
        </div>
        {issues.length > 0 && (
          <span data-testid="node-issue-badge" className="rounded-full bg-red-500 px-1.5 text-[10px] font-semibold text-white">{issues.length}</span>
        )}
        {run ? <StatusChip status={run.status} testId={`node-status-${node.id}`} /> : stale ? <span data-testid={`node-stale-${node.id}`} title="Changed since the last run: its result will be recomputed" className="rounded bg-amber-50 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-700">stale</span> : null}
      </div>
      {run?.status === 'running' && run.totalSteps ? (
        <div className="h-1 bg-blue-100" title={progressText(run)}>
          <div className="h-1 bg-blue-500 transition-all" style={{ width: `${Math.min(100, (100 * (run.step ?? 0)) / run.totalSteps)}%` }} />
        </div>
      ) : null}
      {/* Data work has no loss curve: say what is being counted, so a long parse is not a silent node. */}
      {run?.status === 'running' && run.unit && run.totalSteps ? (
        <div className="truncate border-b border-blue-100 px-3 py-0.5 text-[10px] text-blue-800" data-testid={`node-progress-${node.id}`}>{progressText(run)}</div>
      ) : null}
      {run?.status === 'failed' && (
        <div className="whitespace-pre-wrap break-words border-b border-red-100 bg-red-50 px-3 py-1 text-[10px] leading-snug text-red-700" data-testid={`node-error-${node.id}`}>
          {run.error ?? 'failed (no reason given)'}
        </div>
      )}
      {run?.flags && run.flags.length > 0 && (
        <ul className="border-b border-amber-100 bg-amber-50 px-3 py-1 text-[10px] leading-snug text-amber-900" data-testid={`node-flags-${node.id}`}>
          {run.flags.map((f, i) => <li key={i} data-flag={f.code}>⚠ {f.message}</li>)}
        </ul>
      )}
      {(run?.status === 'skipped' || run?.status === 'cancelled') && run.error && (
        <div className="border-b border-amber-100 bg-amber-50 px-3 py-1 text-[10px] leading-snug text-amber-800" data-testid={`node-skip-reason-${node.id}`}>
          {plainSkipReason(run.error)}
        </div>
      )}
      <div className="relative py-1.5">
        {Array.from({ length: rows }, (_, i) => {
          const input = inputs[i];
          const output = outputs[i];
          return (
            <div key={i} className="relative flex h-6 items-center justify-between px-3 text-[11px] text-neutral-600">
              <span>
                {input && (
                  <>
                    <Handle
                      type="target"
                      position={Position.Left}
                      id={input[0]}
                      style={{ background: PORT_TYPE_COLOR[input[1].type], top: '50%' }}
                      title={`${input[0]}: ${input[1].type}${input[1].optional ? ' (optional)' : ''}`}
                    />
                    {input[1].label ?? input[0]}
                    {input[1].optional && <span className="text-neutral-400"> ?</span>}
                  </>
                )}
              </span>
              <span>
                {output && (
                  <>
                    {output[1].label ?? output[0]}
                    <Handle type="source" position={Position.Right} id={output[0]} style={{ background: PORT_TYPE_COLOR[output[1].type], top: '50%' }} title={`${output[0]}: ${output[1].type}`} />
                  </>
                )}
              </span>
            </div>
          );
        })}
      </div>
      {(def.cardParams?.length ?? 0) > 0 && (
        <dl className="space-y-0.5 border-t border-neutral-100 px-3 py-2">
          {def.cardParams!.map((key) => (
            <div key={key} className="flex justify-between gap-2">
              <dt className="text-neutral-500">{key}</dt>
              <dd className="truncate font-mono text-neutral-800" data-testid={`card-param-${key}`}>
                {cardValue(node.params[key] ?? (def.params.shape[key] as { _zod?: { def?: { defaultValue?: unknown } } })?._zod?.def?.defaultValue, resolved?.[key])}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {download && (run?.status === 'done' || run?.status === 'cached') && (
        <div className="border-t border-neutral-100 px-3 py-2">
          <ExportDownload zip={download} compact />
        </div>
      )}
      {overviewPx > 0 && <OverviewFace title={node.label || def.title} color={color} status={run?.status ?? (stale ? 'stale' : undefined)} problems={issues.length} flag={run?.flags?.[0]?.code} px={overviewPx} />}
    </div>
  );
}

export const nodeTypes = { stage: memo(StageCard) };
