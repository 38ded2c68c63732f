'use client';
// A sweep's results table: one row per grid point (its values, status, each metric with the best per
// metric marked and any warning flags, wall time), refreshed until every run has finished.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { cellOf } from '../../server/sweeps/results-table';
import { useTRPC } from '../_lib/trpc';

const FINISHED = new Set(['done', 'failed', 'cancelled']);
const STATUS_COLOR: Record<string, string> = { done: 'text-emerald-700', failed: 'text-red-700', cancelled: 'text-neutral-500', running: 'text-blue-700', queued: 'text-neutral-500' };

function formatValue(v: unknown): string {
  return typeof v === 'number' ? (Math.abs(v) < 1e-2 && v !== 0 ? v.toExponential(0) : String(v)) : String(v);
}

function formatMetric(v: number | null): string {
  return v === null ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

function formatSeconds(s: number | null): string {
  if (s === null) return '—';
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function SweepTable({ graphId, sweepId }: { graphId: string; sweepId: string }) {
  const trpc = useTRPC();
  const sweep = useQuery({
    ...trpc.sweeps.get.queryOptions({ graphId, sweepId }),
    refetchInterval: (q) => (q.state.data && q.state.data.rows.length > 0 && q.state.data.rows.every((r) => FINISHED.has(r.status)) ? false : 2000),
  });
  if (sweep.error) return <p role="alert" className="p-6 text-red-700">{sweep.error.message}</p>;
  if (!sweep.data) return <p className="p-6 text-neutral-500">Loading the sweep…</p>;
  const { sweep: s, rows, columns } = sweep.data;
  const finished = rows.filter((r) => FINISHED.has(r.status)).length;
  return (
    <div className="p-6 text-sm">
      <Link href={`/graphs/${graphId}`} className="text-accent hover:underline">← editor</Link>
      <Link href={`/graphs/${graphId}/sweeps`} className="ml-4 text-accent hover:underline">all sweeps</Link>
      <h1 className="mt-2 text-lg font-semibold">
        Sweep of {s.nodeLabel || s.nodeType || s.nodeId} <span className="font-mono text-sm text-neutral-500">{s.nodeId}</span>
      </h1>
      <p className="mt-1 text-neutral-600">
        {s.params.map((p) => `${p.name} ∈ {${p.values.map(formatValue).join(', ')}}`).join(' × ')} on version {s.graphVersion} ·{' '}
        <span data-testid="sweep-progress">{finished} of {rows.length} runs finished</span>
      </p>
      <div className="mt-4 overflow-x-auto">
        <table data-testid="sweep-table" className="min-w-full border-collapse text-xs">
          <thead>
            <tr className="border-b border-neutral-300 text-left text-neutral-600">
              <th className="px-2 py-1.5">#</th>
              {s.params.map((p) => (
                <th key={p.name} className="px-2 py-1.5 font-mono">{p.name}</th>
              ))}
              <th className="px-2 py-1.5">status</th>
              {columns.map((c) => (
                <th key={c.key} className="px-2 py-1.5" title={c.lowerIsBetter ? 'lower is better' : 'higher is better'}>
                  {c.key} {c.lowerIsBetter ? '↓' : '↑'}
                </th>
              ))}
              <th className="px-2 py-1.5">wall time</th>
              <th className="px-2 py-1.5">run</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const flags = row.scores.flatMap((sc) => sc.flags);
              return (
                <tr key={row.runId} data-testid="sweep-row" data-status={row.status} className="border-b border-neutral-100">
                  <td className="px-2 py-1.5 text-neutral-400">{i + 1}</td>
                  {s.params.map((p) => (
                    <td key={p.name} className="px-2 py-1.5 font-mono">{formatValue(row.values[p.name])}</td>
                  ))}
                  <td className={`px-2 py-1.5 ${STATUS_COLOR[row.status] ?? ''}`} title={row.error ?? undefined}>
                    {row.status}
                    {flags.length > 0 && (
                      <span data-testid="sweep-flag" className="ml-1 text-amber-600" title={flags.map((f) => f.message).join('\n')}>⚠ {flags.map((f) => f.code).join(', ')}</span>
                    )}
                  </td>
                  {columns.map((c) => {
                    const best = c.best.includes(row.runId);
                    return (
                      <td key={c.key} data-testid={best ? 'sweep-best' : 'sweep-metric'} className={`px-2 py-1.5 tabular-nums ${best ? 'font-semibold text-emerald-700' : ''}`} title={best ? `best ${c.key} of this sweep` : undefined}>
                        {formatMetric(cellOf(row, c))}
                        {best && ' ★'}
                      </td>
                    );
                  })}
                  <td className="px-2 py-1.5 tabular-nums">{formatSeconds(row.seconds)}</td>
                  <td className="px-2 py-1.5 font-mono text-neutral-500">{row.runId}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.some((r) => r.error) && (
        <ul className="mt-3 space-y-1 text-xs text-red-700">
          {rows.filter((r) => r.error).map((r) => (
            <li key={r.runId}>{r.runId}: {r.error}</li>
          ))}
        </ul>
      )}
      <p className="mt-4 text-xs text-neutral-500">★ best value of each metric among finished runs (↑ higher is better, ↓ lower).</p>
      <p data-testid="sweep-stages" className="mt-2 text-xs text-neutral-600">
        Stage executions:{' '}
        {sweep.data.stages.map((st, i) => (
          <span key={st.nodeId}>
            {i > 0 && ' · '}
            {st.title} computed {st.computed}×{st.reused > 0 ? `, reused ${st.reused}×` : ''}
          </span>
        ))}
      </p>
      <Link data-testid="sweep-compare" href={`/graphs/${graphId}/compare?sweep=${sweepId}`} className="mt-3 inline-block rounded-md border border-neutral-300 px-3 py-1.5 text-xs hover:bg-neutral-50">
        Compare these runs →
      </Link>
    </div>
  );
}

/** The graph's sweeps, newest first, each linking to its table. */
export function SweepList({ graphId }: { graphId: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.sweeps.list.queryOptions({ graphId }));
  if (list.error) return <p role="alert" className="p-6 text-red-700">{list.error.message}</p>;
  return (
    <div className="p-6 text-sm">
      <Link href={`/graphs/${graphId}`} className="text-accent hover:underline">← editor</Link>
      <h1 className="mt-2 text-lg font-semibold">Sweeps</h1>
      {list.data?.length === 0 && <p className="mt-2 text-neutral-500">No sweeps yet. Select a node in the editor and press “Sweep…”.</p>}
      <ul data-testid="sweep-list" className="mt-3 space-y-2">
        {list.data?.map((s) => (
          <li key={s.id}>
            <Link href={`/graphs/${graphId}/sweeps/${s.id}`} className="text-accent hover:underline">
              {s.nodeId}: {s.spec.params.map((p) => `${p.name} × ${p.values.length}`).join(', ')}
            </Link>{' '}
            <span className="text-neutral-500">
              v{s.graphVersion} · {s.finished}/{s.runs} runs finished · {new Date(s.createdAt).toLocaleString()}{s.createdBy ? ` · ${s.createdBy}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
