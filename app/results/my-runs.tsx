'use client';
// The user's own finished runs on the Results page: graph, when, how long it really took, and each
// evaluation's scores (with collapse/chance warnings).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { timeAgo } from '../_lib/format';
import { useTRPC } from '../_lib/trpc';

const duration = (s: number | null) => (s === null ? '—' : s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);
const HEADLINE = ['macroF1', 'accuracy', 'tokenAccuracy', 'perplexity'];

export function MyRuns() {
  const trpc = useTRPC();
  const runs = useQuery(trpc.results.myRuns.queryOptions({ limit: 30 }));
  return (
    <section data-testid="my-runs">
      <h2 className="mb-2 text-lg font-semibold">Your finished runs</h2>
      {runs.isLoading && <p className="text-sm text-neutral-500">Loading…</p>}
      {runs.error && <p className="text-sm text-red-700">{runs.error.message}</p>}
      {runs.data?.length === 0 && <p className="text-sm text-neutral-500">No finished runs yet. Open a graph and press Run; its scores appear here.</p>}
      {runs.data && runs.data.length > 0 && (
        <table className="w-full overflow-hidden rounded-lg border border-neutral-200 bg-white text-sm">
          <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500">
            <tr><th className="px-3 py-2">graph</th><th className="px-3 py-2">finished</th><th className="px-3 py-2">run time</th><th className="px-3 py-2">evaluations</th></tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-testid="my-run" data-run-id={r.id} className="border-t border-neutral-100 align-top">
                <td className="px-3 py-2"><Link href={`/graphs/${r.graphId}`} className="font-medium hover:text-accent">{r.graphName}</Link>{r.graphVersion ? <span className="text-neutral-400"> v{r.graphVersion}</span> : null}</td>
                <td className="px-3 py-2 text-neutral-600">{r.finishedAt ? timeAgo(r.finishedAt) : '—'}</td>
                <td className="px-3 py-2 font-mono text-neutral-700">{duration(r.seconds)}</td>
                <td className="px-3 py-2">
                  {r.scores.length === 0 && <span className="text-neutral-400">no evaluation</span>}
                  {r.scores.map((s) => (
                    <div key={s.nodeId} className="font-mono text-xs">
                      <span className="font-sans font-medium">{s.name}</span>{' '}
                      {HEADLINE.filter((k) => k in s.values).map((k) => <span key={k} className="mr-2"><span className="text-neutral-500">{k}</span> {s.values[k].toFixed(3)}</span>)}
                      {s.flags.map((f, i) => <span key={i} className="ml-1 font-sans text-amber-700" title={f.message}>⚠ {f.code}</span>)}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
