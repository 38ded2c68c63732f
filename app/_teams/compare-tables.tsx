'use client';
// The compare view's tables: the runs themselves, param differences per node (differences only,
// or everything), and the metrics of each evaluation and training stage with the best run marked.
import Link from 'next/link';
import type { ParamDiffRow } from '../../runtime/compile/param-diff';
import { formatParamValue } from '../../runtime/compile/param-changes';
import type { CompareRun } from '../../server/compare/run-summaries';
import { StatusChip } from '../_editor/run-panel';
import { runColor, shortRunId, type MetricGroup } from './compare-data';

const seconds = (s: number | null) => (s === null ? '—' : s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function RunHead({ id, index }: { id: string; index: number }) {
  return (
    <span className="inline-flex items-center gap-1 font-mono">
      <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: runColor(index) }} />
      {shortRunId(id)}
    </span>
  );
}

export function RunsTable({ graphId, runs }: { graphId: string; runs: CompareRun[] }) {
  return (
    <table data-testid="compare-runs" className="w-full text-xs">
      <thead className="text-left text-neutral-500">
        <tr>
          <th className="py-1 pr-3 font-medium">Run</th>
          <th className="py-1 pr-3 font-medium">Status</th>
          <th className="py-1 pr-3 font-medium">Version</th>
          <th className="py-1 pr-3 font-medium">Wall time</th>
          <th className="py-1 pr-3 font-medium">By</th>
          <th className="py-1 pr-3 font-medium">Came from</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r, i) => (
          <tr key={r.id} data-testid="compare-run" data-run-id={r.id} className="border-t border-neutral-100 align-top">
            <td className="py-1.5 pr-3" title={r.id}><RunHead id={r.id} index={i} /></td>
            <td className="py-1.5 pr-3">
              <StatusChip status={r.status} />
              {r.error && <div className="mt-0.5 max-w-xs truncate text-red-700" title={r.error}>{r.error}</div>}
            </td>
            <td className="py-1.5 pr-3">
              {r.sameAsVersion ? (
                <Link href={`/graphs/${graphId}/diff?from=${Math.max(1, r.sameAsVersion - 1)}&to=${r.sameAsVersion}`} className="text-accent hover:underline">v{r.sameAsVersion}</Link>
              ) : (
                <span className="text-neutral-400">unsaved edit</span>
              )}
              {!r.graphVersion && r.sameAsVersion && <span className="ml-1 text-neutral-400" title="run from the editor; its document is exactly this saved version">(as saved)</span>}
              {r.sweepId && r.graphVersion && <span className="ml-1 text-neutral-400" title="a sweep runs its base version with each point's values">with this point's values</span>}
              {r.versionMessage && <div className="max-w-sm truncate text-neutral-500" title={r.versionMessage}>{r.versionMessage}</div>}
            </td>
            <td className="py-1.5 pr-3 font-mono">{seconds(r.wallSec)}</td>
            <td className="py-1.5 pr-3">{r.author ?? '—'}</td>
            <td className="py-1.5 pr-3 text-neutral-600">
              {r.parentRunId ? `rerun of ${shortRunId(r.parentRunId)}` : ''}
              {r.sweepId ? `${r.parentRunId ? ', ' : ''}sweep` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ParamDiffTable({ rows, runIds, differencesOnly }: { rows: ParamDiffRow[]; runIds: string[]; differencesOnly: boolean }) {
  const shown = differencesOnly ? rows.filter((r) => r.differs) : rows;
  if (shown.length === 0) return <p data-testid="param-diff-none" className="text-xs text-neutral-500">{differencesOnly ? 'These runs used the same params everywhere.' : 'No params.'}</p>;
  let lastNode = '';
  return (
    <table data-testid="param-diff" className="w-full text-xs">
      <thead className="text-left text-neutral-500">
        <tr>
          <th className="py-1 pr-3 font-medium">Node</th>
          <th className="py-1 pr-3 font-medium">Param</th>
          {runIds.map((id, i) => <th key={id} className="py-1 pr-3 font-medium"><RunHead id={id} index={i} /></th>)}
        </tr>
      </thead>
      <tbody>
        {shown.map((r) => {
          const first = r.nodeId !== lastNode;
          lastNode = r.nodeId;
          return (
            <tr key={`${r.nodeId}.${r.param}`} data-testid="param-diff-row" data-node={r.nodeId} data-param={r.param} data-differs={r.differs} className={first ? 'border-t border-neutral-200' : ''}>
              <td className="py-1 pr-3 font-mono text-neutral-600">{first ? r.label || r.nodeId : ''}</td>
              <td className="py-1 pr-3">{r.param}</td>
              {r.values.map((v, i) => (
                <td key={i} data-testid="param-diff-value" className={`py-1 pr-3 font-mono ${r.differs ? 'bg-amber-50 font-semibold text-amber-900' : 'text-neutral-600'}`}>
                  {r.absent[i] ? <span className="text-neutral-400">no such node</span> : formatParamValue(v)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const metricValue = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Number.isInteger(v) ? String(v) : v.toFixed(4));

export function MetricsTables({ groups, runIds }: { groups: MetricGroup[]; runIds: string[] }) {
  if (groups.length === 0) return <p className="text-xs text-neutral-500">No metrics yet: they appear as evaluation and training nodes finish.</p>;
  return (
    <div className="flex flex-col gap-3">
      {groups.map((g) => (
        <div key={g.nodeId} data-testid={`compare-metrics-${g.nodeId}`} className="rounded-md border border-neutral-200 bg-white p-2">
          <div className="mb-1 text-xs font-semibold">
            {g.name} {g.name !== g.nodeId && <span className="font-mono font-normal text-neutral-400">{g.nodeId}</span>} <span className="font-normal text-neutral-400">{g.kind === 'stage' ? 'training' : g.kind}</span>
          </div>
          <table className="w-full text-xs">
            <thead className="text-left text-neutral-500">
              <tr>
                <th className="py-1 pr-3 font-medium">Metric</th>
                {runIds.map((id, i) => <th key={id} className="py-1 pr-3 font-medium"><RunHead id={id} index={i} /></th>)}
              </tr>
            </thead>
            <tbody>
              {g.rows.map((row) => (
                <tr key={row.metric} className="border-t border-neutral-100">
                  <td className="py-1 pr-3">{row.metric}{row.direction && <span className="ml-1 text-neutral-400" title={row.direction === 'max' ? 'higher is better' : 'lower is better'}>{row.direction === 'max' ? '↑' : '↓'}</span>}</td>
                  {row.values.map((v, i) => {
                    const best = row.best.includes(i);
                    return (
                      <td key={i} data-testid="metric-cell" data-metric={row.metric} data-run-id={runIds[i]} data-best={best} className={`py-1 pr-3 font-mono ${best ? 'font-semibold text-emerald-700' : ''}`}>
                        {v === null ? <span className="text-neutral-300">—</span> : metricValue(v)}
                        {best && <span className="ml-1" title="best of these runs">★</span>}
                      </td>
                    );
                  })}
                </tr>
              ))}
              {g.flags.some((f) => f.length > 0) && (
                <tr className="border-t border-neutral-100">
                  <td className="py-1 pr-3 text-neutral-500">warnings</td>
                  {g.flags.map((flags, i) => (
                    <td key={i} className="py-1 pr-3 align-top">
                      {flags.map((f, k) => (
                        <span key={k} data-testid="compare-flag" data-flag={f.code} title={f.message} className="mr-1 inline-block rounded bg-amber-50 px-1 text-[11px] text-amber-900">⚠ {f.code}</span>
                      ))}
                    </td>
                  ))}
                </tr>
              )}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
