'use client';
// The Workers page: which hosts compute (backend, device, labels, memory, the stage each is on), how
// much waits in each queue, and this workspace's recent stage jobs. Refreshes every few seconds.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { timeAgo } from '../_lib/format';
import { useTRPC } from '../_lib/trpc';

const gb = (n: number | null | undefined) => (n ? `${(n / 2 ** 30).toFixed(1)} GB` : '—');

export default function WorkersPage() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.compute.workers.queryOptions(), refetchInterval: 3000 });
  if (q.error) return <div className="p-8 text-sm text-red-700">Could not load workers: {q.error.message}</div>;
  if (!q.data) return <div className="p-8 text-sm text-neutral-500">Loading…</div>;
  const d = q.data;
  return (
    <div className="mx-auto w-full max-w-6xl space-y-6 px-6 py-8" data-testid="workers">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Workers</h1>
        <p className="mt-1 text-sm text-neutral-500">
          {d.mode === 'queue'
            ? `Queue mode: stages run on worker hosts (npm run worker) through BullMQ on Redis.${d.startLatencyP95Ms !== null ? ` Stage ready → start, p95 ${d.startLatencyP95Ms} ms.` : ''}`
            : 'Embedded mode: stages run in a worker process on this server. Set REDIS_URL and start npm run worker on other machines to add hosts.'}
        </p>
      </div>

      <section>
        <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-neutral-500">Connected ({d.workers.length})</h2>
        {d.workers.length === 0 ? (
          <p className="rounded-lg border border-dashed border-neutral-300 p-4 text-sm text-neutral-600" data-testid="no-workers">No worker is connected; queued stages wait until one starts.</p>
        ) : (
          <table className="w-full overflow-hidden rounded-lg border border-neutral-200 bg-white text-sm">
            <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500">
              <tr><th className="px-3 py-2">worker</th><th className="px-3 py-2">backend · device</th><th className="px-3 py-2">labels</th><th className="px-3 py-2">memory (free / total, GPU)</th><th className="px-3 py-2">slots</th><th className="px-3 py-2">current stage</th></tr>
            </thead>
            <tbody>
              {d.workers.map((w) => (
                <tr key={w.id} className="border-t border-neutral-100 align-top" data-testid={`worker-${w.id}`}>
                  <td className="px-3 py-2 font-mono">{w.id}<div className="text-xs text-neutral-500">{w.hostname} · pid {w.pid}</div></td>
                  <td className="px-3 py-2">{w.backend ?? 'chosen per run'}<div className="text-xs text-neutral-500">{w.device ?? ''}</div></td>
                  <td className="px-3 py-2">{w.labels.length ? w.labels.map((l) => <span key={l} className="mr-1 rounded bg-neutral-100 px-1.5 py-0.5 text-xs">{l}</span>) : <span className="text-neutral-400">none</span>}</td>
                  <td className="px-3 py-2 font-mono text-xs">{gb(w.freeMemoryBytes)} / {gb(w.memoryBytes)}{w.gpuMemoryBytes ? `, GPU ${gb(w.gpuMemoryBytes)}` : ''}</td>
                  <td className="px-3 py-2">{w.currentJobs.length} / {w.concurrency}</td>
                  <td className="px-3 py-2">
                    {w.currentJobs.length === 0 ? <span className="text-neutral-400">idle</span> : w.currentJobs.map((j, i) => (
                      <div key={i}>{j.runId ? <span className="font-mono">{j.nodeId}</span> : 'a stage of another workspace'} <span className="text-xs text-neutral-500">since {timeAgo(new Date(j.startedAt))}</span></div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {d.goneWorkers.length > 0 && (
          <p className="mt-2 text-xs text-neutral-500">Gone: {d.goneWorkers.map((w) => `${w.id} (last seen ${timeAgo(new Date(w.lastSeenAt))})`).join(', ')}</p>
        )}
      </section>

      <section>
        <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-neutral-500">Queues</h2>
        <table className="w-full rounded-lg border border-neutral-200 bg-white text-sm" data-testid="queues">
          <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500"><tr><th className="px-3 py-2">queue</th><th className="px-3 py-2">waiting</th><th className="px-3 py-2">running</th><th className="px-3 py-2">failed (kept 7 days)</th></tr></thead>
          <tbody>
            {d.queues.map((qu) => (
              <tr key={qu.name} className="border-t border-neutral-100"><td className="px-3 py-2 font-mono">{qu.name}</td><td className="px-3 py-2">{qu.waiting}</td><td className="px-3 py-2">{qu.active}</td><td className="px-3 py-2">{qu.failed}</td></tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-neutral-500">Recent stage jobs in this workspace</h2>
        {d.recentJobs.length === 0 ? (
          <p className="text-sm text-neutral-500">None yet{d.mode === 'embedded' ? ' (stage jobs are recorded in queue mode)' : ''}.</p>
        ) : (
          <table className="w-full rounded-lg border border-neutral-200 bg-white text-sm">
            <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500"><tr><th className="px-3 py-2">stage</th><th className="px-3 py-2">status</th><th className="px-3 py-2">worker</th><th className="px-3 py-2">attempts</th><th className="px-3 py-2">started</th><th className="px-3 py-2">took</th></tr></thead>
            <tbody>
              {d.recentJobs.map((j) => (
                <tr key={`${j.runId}-${j.nodeId}`} className="border-t border-neutral-100 align-top">
                  <td className="px-3 py-2"><Link className="font-mono text-accent hover:underline" href={`/graphs/${j.graphId}`}>{j.nodeId}</Link><div className="text-xs text-neutral-500">{j.runId}</div></td>
                  <td className="px-3 py-2">{j.status}{j.error && <div className="max-w-xs text-xs text-red-700">{j.error}</div>}</td>
                  <td className="px-3 py-2 font-mono">{j.workerId}<div className="text-xs text-neutral-500">{j.backend}</div></td>
                  <td className="px-3 py-2">{j.attempts}</td>
                  <td className="px-3 py-2 text-xs">{j.startedAt ? timeAgo(j.startedAt) : '—'}</td>
                  <td className="px-3 py-2 text-xs">{j.startedAt && j.finishedAt ? `${((j.finishedAt.getTime() - j.startedAt.getTime()) / 1000).toFixed(1)} s` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
