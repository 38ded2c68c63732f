'use client';
// The run panel under the canvas: status, live curves of the training node, metrics with a
// confusion-matrix heatmap, logs, and the graph's run history.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { flagsOf, progressText, runFailureReason, type RunView } from '../_lib/run-state';
import { LiveChart } from './live-chart';
import { ExportDownload, type ExportZipView } from './export-download';

const STATUS_COLOR: Record<string, string> = {
  queued: 'bg-neutral-200 text-neutral-700',
  running: 'bg-blue-100 text-blue-800',
  cached: 'bg-violet-100 text-violet-800',
  done: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
  skipped: 'bg-amber-100 text-amber-800',
  cancelled: 'bg-neutral-200 text-neutral-600',
  unknown: 'bg-neutral-100 text-neutral-500',
};

export function StatusChip({ status, testId }: { status: string; testId?: string }) {
  return (
    <span data-testid={testId} data-status={status} className={`rounded px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide ${STATUS_COLOR[status] ?? STATUS_COLOR.unknown}`}>
      {status}
    </span>
  );
}

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4)) : String(v));

function Confusion({ labels, matrix }: { labels: string[]; matrix: number[][] }) {
  const max = Math.max(1, ...matrix.flat());
  return (
    <table className="text-[10px]" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th className="px-1 text-left text-neutral-400">gold \ pred</th>
          {labels.map((l) => <th key={l} className="px-1 font-medium text-neutral-600">{l}</th>)}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => (
          <tr key={i}>
            <th className="px-1 text-left font-medium text-neutral-600">{labels[i]}</th>
            {row.map((v, j) => (
              <td key={j} className="h-7 w-10 text-center font-mono" style={{ background: `rgba(79, 70, 229, ${v / max})`, color: v / max > 0.5 ? 'white' : '#262626' }}>
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The run panel's height, remembered across visits. */
function usePanelHeight(): [number, (h: number) => void] {
  const [height, setHeight] = useState(320);
  useEffect(() => {
    const saved = Number(window.localStorage.getItem('tunegraph.runPanelHeight'));
    if (saved >= 140) setHeight(saved);
  }, []);
  return [
    height,
    (h: number) => {
      setHeight(h);
      window.localStorage.setItem('tunegraph.runPanelHeight', String(h));
    },
  ];
}

export function RunPanel({
  view,
  runId,
  history,
  onPickRun,
  onCancel,
  onClose,
  selectedNodeId,
  downloads = [],
  sweepHref,
  actions,
}: {
  view: RunView;
  runId: string;
  history: { id: string; status: string; createdAt: Date }[];
  onPickRun: (runId: string) => void;
  /** Absent for a viewer, who may watch a run but not cancel it. */
  onCancel?: () => void;
  onClose: () => void;
  selectedNodeId?: string;
  /** Export zips of this run (the trained models to take away). */
  downloads?: ExportZipView[];
  /** The results table of the sweep this run belongs to. */
  sweepHref?: string;
  /** Extra header buttons (rerun with changes, the run list with compare). */
  actions?: ReactNode;
}) {
  const trainingNodes = Object.keys(view.series);
  const [picked, setPicked] = useState<string | null>(null);
  const chartNode = (picked && view.series[picked] ? picked : null) ?? (selectedNodeId && view.series[selectedNodeId] ? selectedNodeId : null) ?? trainingNodes[trainingNodes.length - 1] ?? null;
  const series = chartNode ? view.series[chartNode] : [];
  const data = useMemo(() => {
    const xs = series.map((p, i) => i + 1);
    return { xs, loss: series.map((p) => p.loss ?? null), lr: series.map((p) => p.lr ?? null), tps: series.map((p) => p.tokensPerSec ?? null) };
  }, [series]);
  const evalMetrics = Object.entries(view.metrics).filter(([, m]) => m && typeof m === 'object' && 'values' in m) as [string, { name: string; kind: string; values: Record<string, number>; confusion?: { labels: string[]; matrix: number[][] }; rows?: { name: string; values: Record<string, number> }[] }][];
  const stageMetrics = Object.entries(view.metrics).filter(([, m]) => !('values' in m));
  const active = view.status === 'running' || view.status === 'queued';
  const failure = runFailureReason(view);
  // Nodes doing data work right now (parsing, tokenizing, scoring): they have no curve to watch.
  const dataWork = Object.entries(view.nodes).filter(([, n]) => n.status === 'running' && n.unit && n.totalSteps !== undefined);
  const [height, setHeight] = usePanelHeight();
  const [collapsed, setCollapsed] = useState(false);
  const startResize = (e: React.PointerEvent) => {
    e.preventDefault();
    const startY = e.clientY;
    const startHeight = height;
    const move = (m: PointerEvent) => setHeight(Math.round(Math.min(window.innerHeight - 180, Math.max(140, startHeight + startY - m.clientY))));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return (
    <section data-testid="run-panel" data-collapsed={collapsed} className="relative flex shrink-0 flex-col border-t border-neutral-200 bg-neutral-50" style={{ height: collapsed ? undefined : height }}>
      {!collapsed && (
        <div
          data-testid="run-panel-resize"
          onPointerDown={startResize}
          title="Drag to resize"
          className="absolute -top-1 left-0 right-0 z-10 h-2 cursor-row-resize hover:bg-accent/30"
        />
      )}
      <header className="flex items-center gap-3 border-b border-neutral-200 bg-white px-3 py-1.5 text-xs">
        <button data-testid="run-panel-collapse" onClick={() => setCollapsed((c) => !c)} className="h-6 w-6 rounded text-neutral-500 hover:bg-neutral-100" title={collapsed ? 'Show the run panel' : 'Collapse the run panel'}>
          {collapsed ? '▴' : '▾'}
        </button>
        <span className="font-semibold">Run</span>
        <span className="shrink-0 font-mono text-neutral-500">{runId}</span>
        <StatusChip status={view.status} testId="run-status" />
        {view.device && <span className="min-w-0 max-w-[18rem] truncate whitespace-nowrap text-neutral-500" title={`compute backend: ${view.backend} · ${view.device}`}>{view.backend} · {view.device}</span>}
        <div className="ml-auto flex shrink-0 items-center gap-2">
          {sweepHref && <a data-testid="run-sweep-link" href={sweepHref} className="text-accent hover:underline">Sweep results</a>}
          {actions}
          <select data-testid="run-history" value={runId} onChange={(e) => onPickRun(e.target.value)} className="h-7 w-44 rounded border border-neutral-300 bg-white px-1 text-xs">
            {history.map((r) => (
              <option key={r.id} value={r.id}>{new Date(r.createdAt).toLocaleTimeString()} — {r.status} ({r.id.slice(0, 8)})</option>
            ))}
          </select>
          {active && onCancel && <button data-testid="cancel-run" onClick={onCancel} className="h-7 rounded border border-red-300 px-2 text-red-700 hover:bg-red-50">Cancel</button>}
          <button onClick={onClose} className="h-7 px-2 text-neutral-500 hover:text-neutral-900">✕</button>
        </div>
      </header>
      {/* The reason in full, under the header (also when collapsed): a truncated reason hides the part that helps. */}
      {active && dataWork.length > 0 && (
        <p data-testid="run-data-progress" className="shrink-0 truncate border-b border-blue-100 bg-blue-50 px-3 py-1 text-xs text-blue-900">
          {dataWork.map(([id, n]) => `[${id}] ${progressText(n)}`).join(' · ')}
        </p>
      )}
      {failure && <p data-testid="run-error" className="line-clamp-2 shrink-0 border-b border-red-200 bg-red-50 px-3 py-1 text-xs text-red-800" title={failure}>{failure}</p>}
      {!collapsed && <div className="flex min-h-0 flex-1 gap-3 overflow-hidden p-3">
        <div className="flex min-w-0 flex-[3] flex-col gap-2">
          <div className="flex items-center gap-2 text-[11px] text-neutral-500">
            Curves of
            <select value={chartNode ?? ''} onChange={(e) => setPicked(e.target.value)} className="h-6 rounded border border-neutral-300 bg-white px-1 text-[11px]">
              {trainingNodes.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
            {chartNode && view.nodes[chartNode]?.etaSec !== undefined && view.nodes[chartNode]?.status === 'running' && <span>ETA {Math.round(view.nodes[chartNode].etaSec!)} s</span>}
          </div>
          <div className="flex gap-2">
            <LiveChart title="loss" xs={data.xs} ys={data.loss} color="#4f46e5" testId="loss-chart" />
            <LiveChart title="learning rate" xs={data.xs} ys={data.lr} color="#0891b2" testId="lr-chart" format={(v) => v.toExponential(0)} />
            <LiveChart title="tokens / s" xs={data.xs} ys={data.tps} color="#ea580c" testId="tps-chart" format={(v) => v.toFixed(0)} />
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto rounded-md border border-neutral-200 bg-white p-2 font-mono text-[10px] leading-4" data-testid="run-logs">
            {view.logs.map((l) => (
              <div key={l.seq} className={l.level === 'error' ? 'text-red-700' : l.level === 'warn' ? 'text-amber-700' : 'text-neutral-700'}>
                <span className="text-neutral-400">{new Date(l.at).toLocaleTimeString()}</span> {l.nodeId && <span className="text-indigo-700">[{l.nodeId}]</span>} {l.message.split('\n')[0]}
              </div>
            ))}
          </div>
        </div>
        <div className="flex min-w-0 flex-[2] flex-col gap-2 overflow-y-auto" data-testid="run-metrics">
          {downloads.some((z) => z.bytes !== null) && (
            <div className="flex flex-wrap items-center gap-2 rounded-md border border-emerald-200 bg-white p-2 text-xs" data-testid="run-downloads">
              <span className="font-semibold">Trained models</span>
              {downloads.map((z) => <ExportDownload key={z.nodeId} zip={z} />)}
            </div>
          )}
          {evalMetrics.map(([nodeId, m]) => (
            <div key={nodeId} className="rounded-md border border-neutral-200 bg-white p-2 text-xs" data-testid={`metrics-${nodeId}`}>
              <div className="mb-1 font-semibold">{m.name} <span className="font-normal text-neutral-400">({nodeId})</span></div>
              {flagsOf(m).map((f, i) => (
                <p key={i} data-testid="metric-flag" data-flag={f.code} className="mb-1 rounded bg-amber-50 px-1.5 py-0.5 text-[11px] text-amber-900">⚠ {f.message}</p>
              ))}
              {m.rows ? (
                <table className="w-full text-[11px]">
                  <tbody>
                    {m.rows.map((r) => (
                      <tr key={r.name}><td className="pr-2">{r.name}{flagsOf(r).length > 0 && <span className="ml-1 text-amber-700" title={flagsOf(r).map((f) => f.message).join('\n')} data-testid="metric-flag" data-flag={flagsOf(r)[0].code}>⚠ {flagsOf(r)[0].code}</span>}</td>{Object.entries(r.values).slice(0, 3).map(([k, v]) => <td key={k} className="pr-2 font-mono">{k} {fmt(v)}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <div className="flex flex-wrap gap-x-3 gap-y-0.5 font-mono text-[11px]">
                  {Object.entries(m.values).map(([k, v]) => <span key={k}><span className="text-neutral-500">{k}</span> {fmt(v)}</span>)}
                </div>
              )}
              {m.confusion && <div className="mt-2"><Confusion labels={m.confusion.labels} matrix={m.confusion.matrix} /></div>}
            </div>
          ))}
          {stageMetrics.map(([nodeId, m]) => (
            <div key={nodeId} className="rounded-md border border-neutral-200 bg-white p-2 text-xs">
              <div className="mb-1 font-semibold">{nodeId}</div>
              <div className="flex flex-wrap gap-x-3 font-mono text-[11px]">{Object.entries(m).map(([k, v]) => <span key={k}><span className="text-neutral-500">{k}</span> {fmt(v)}</span>)}</div>
            </div>
          ))}
          {evalMetrics.length + stageMetrics.length === 0 && <p className="text-xs text-neutral-400">Metrics appear here as nodes finish.</p>}
        </div>
      </div>}
    </section>
  );
}
