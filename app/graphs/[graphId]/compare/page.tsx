'use client';
// Compare runs: /graphs/<id>/compare?runs=a,b,c or ?sweep=<sweepId>. The runs side by side: which
// they are, the graph difference, param differences (differences only by default), metrics with the
// best marked and evaluation warnings, loss curves overlaid, and parallel coordinates for sweeps and 3+ runs.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, use, useMemo, useState } from 'react';
import type { GraphDocument } from '../../../../graph-nodes';
import { useTRPC } from '../../../_lib/trpc';
import { metricGroups, parallelCoordinates, runColor, shortRunId } from '../../../_teams/compare-data';
import { MetricsTables, ParamDiffTable, RunsTable } from '../../../_teams/compare-tables';
import { LossOverlay } from '../../../_teams/loss-overlay';
import { ParallelCoordinates } from '../../../_teams/parallel-coordinates';
import { RunGraphDiff } from '../../../_teams/run-graph-diff';

function Section({ title, children, testId, extra }: { title: string; children: React.ReactNode; testId?: string; extra?: React.ReactNode }) {
  return (
    <section data-testid={testId} className="rounded-lg border border-neutral-200 bg-white p-4">
      <div className="mb-3 flex items-center gap-3">
        <h2 className="text-sm font-semibold">{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}

function CompareBody({ graphId }: { graphId: string }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const sweepId = params.get('sweep') || undefined;
  const runIds = (params.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const input = sweepId ? { graphId, sweepId } : { graphId, runIds };
  const compare = useQuery({ ...trpc.compare.runs.queryOptions(input), enabled: !!sweepId || runIds.length > 0, refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === 'queued' || r.status === 'running') ? 3000 : false) });
  const [differencesOnly, setDifferencesOnly] = useState(true);
  const [pair, setPair] = useState<[number, number]>([0, 1]);
  const data = compare.data;
  const ids = useMemo(() => data?.runs.map((r) => r.id) ?? [], [data]);
  const nodeOrder = useMemo(() => (data?.runs[0]?.document as GraphDocument | undefined)?.nodes.map((n) => n.id) ?? [], [data]);
  const groups = useMemo(() => (data ? metricGroups(data.runs, nodeOrder) : []), [data, nodeOrder]);
  const axes = useMemo(() => (data ? parallelCoordinates(data.runs.length, data.paramDiff, groups) : []), [data, groups]);
  const curveNodes = useMemo(() => {
    const out: string[] = [];
    for (const id of nodeOrder) if (data?.runs.some((r) => r.curves[id])) out.push(id);
    for (const r of data?.runs ?? []) for (const id of Object.keys(r.curves)) if (!out.includes(id)) out.push(id);
    return out;
  }, [data, nodeOrder]);

  if (!sweepId && runIds.length === 0) {
    return <p className="p-8 text-sm text-neutral-600">Pick runs to compare in the editor's run list (tick two or more, then Compare).</p>;
  }
  if (compare.error) {
    return (
      <div className="p-8 text-sm">
        <p role="alert" className="text-red-700">{compare.error.message}</p>
        <Link href={`/graphs/${graphId}`} className="mt-2 inline-block text-accent">Back to the graph</Link>
      </div>
    );
  }
  if (!data) return <p className="p-8 text-sm text-neutral-500">Loading runs…</p>;
  const [a, b] = [Math.min(pair[0], data.runs.length - 1), Math.min(pair[1], data.runs.length - 1)];
  const showParallel = !!data.sweepId || data.runs.length >= 3;
  const pickRun = (value: number, onPick: (i: number) => void, testId: string) => (
    <select data-testid={testId} value={value} onChange={(e) => onPick(Number(e.target.value))} className="h-7 rounded border border-neutral-300 bg-white px-1 text-xs">
      {data.runs.map((r, i) => <option key={r.id} value={i}>{shortRunId(r.id)}{r.sameAsVersion ? ` (v${r.sameAsVersion})` : ''}</option>)}
    </select>
  );
  return (
    <div className="min-h-0 flex-1 overflow-y-auto bg-neutral-50">
    <div data-testid="compare-page" className="mx-auto flex w-full max-w-[1400px] flex-col gap-4 p-6">
      <header className="flex flex-wrap items-baseline gap-3">
        <Link href={`/graphs/${graphId}`} className="text-sm text-accent hover:underline">← {data.graph.name}</Link>
        <h1 className="text-lg font-semibold">{data.sweepId ? `Sweep: ${data.runs.length} runs` : `Compare ${data.runs.length} runs`}</h1>
        <span className="flex gap-2 text-xs">
          {data.runs.map((r, i) => (
            <span key={r.id} className="flex items-center gap-1 font-mono"><span className="h-2.5 w-2.5 rounded-full" style={{ background: runColor(i) }} />{shortRunId(r.id)}</span>
          ))}
        </span>
        {data.omitted > 0 && <span className="text-xs text-amber-700">{data.omitted} more runs of this sweep are not shown (at most {data.runs.length}).</span>}
      </header>

      <Section title="Runs" testId="compare-runs-section">
        <RunsTable graphId={graphId} runs={data.runs} />
      </Section>

      <Section
        title="Params"
        testId="compare-params"
        extra={
          <label className="flex items-center gap-1.5 text-xs text-neutral-600">
            <input type="checkbox" data-testid="differences-only" checked={differencesOnly} onChange={(e) => setDifferencesOnly(e.target.checked)} />
            Differences only
          </label>
        }
      >
        <ParamDiffTable rows={data.paramDiff} runIds={ids} differencesOnly={differencesOnly} />
      </Section>

      <Section title="Metrics" testId="compare-metrics">
        <MetricsTables groups={groups} runIds={ids} />
      </Section>

      <Section title="Loss curves" testId="compare-curves">
        {curveNodes.length === 0 ? (
          <p className="text-xs text-neutral-500">No training curves in these runs.</p>
        ) : (
          <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
            {curveNodes.map((nodeId) => <LossOverlay key={nodeId} nodeId={nodeId} runs={data.runs.map((r, i) => ({ id: r.id, index: i, curve: r.curves[nodeId] }))} />)}
          </div>
        )}
        <p className="mt-2 text-[11px] text-neutral-400">A dashed line is a cached stage: its curve is from the run that trained it.</p>
      </Section>

      {showParallel && (
        <Section title="Parallel coordinates" testId="compare-parallel">
          <ParallelCoordinates axes={axes} runIds={ids} />
        </Section>
      )}

      {data.runs.length >= 2 && (
        <Section
          title="Graph difference"
          testId="compare-graph-diff"
          extra={
            <span className="flex items-center gap-1.5 text-xs text-neutral-600">
              {pickRun(a, (i) => setPair([i, b]), 'diff-run-from')} → {pickRun(b, (i) => setPair([a, i]), 'diff-run-to')}
            </span>
          }
        >
          <RunGraphDiff graphId={graphId} before={data.runs[a].document as GraphDocument} after={data.runs[b].document as GraphDocument} fromVersion={data.runs[a].sameAsVersion} toVersion={data.runs[b].sameAsVersion} />
        </Section>
      )}
    </div>
    </div>
  );
}

export default function ComparePage({ params }: { params: Promise<{ graphId: string }> }) {
  const { graphId } = use(params);
  return (
    <Suspense>
      <CompareBody graphId={graphId} />
    </Suspense>
  );
}
