'use client';
// The Results page: what `npm run report` measured on real data (public/results/results.json).
import { useEffect, useState } from 'react';

interface Results {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; backend: string };
  model: string;
  minutes: number;
  splits: { trainEmails: number; validationEmails: number; testEmails: number; corpus: string };
  table: { name: string; macroF1?: number; accuracy?: number; trainable?: number; total?: number }[];
  baseline: { name: string; macroF1: number; accuracy: number; features: number };
  targets: { target: string; reached: boolean; value: string }[];
}

export default function ResultsPage() {
  const [results, setResults] = useState<Results | null | 'missing'>(null);
  useEffect(() => {
    fetch('/results/results.json')
      .then((r) => (r.ok ? r.json() : 'missing'))
      .then(setResults, () => setResults('missing'));
  }, []);
  if (results === null) return <div className="p-8 text-sm text-neutral-500">Loading…</div>;
  if (results === 'missing') return <div className="p-8 text-sm text-neutral-600">No report yet. Run <code className="rounded bg-neutral-100 px-1">npm run report</code> to measure the pipelines on real data.</div>;
  return (
    <div className="mx-auto w-full max-w-5xl space-y-6 px-6 py-8" data-testid="results">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Results{results.quick ? ' (quick mode)' : ''}</h1>
        <p className="mt-1 text-sm text-neutral-500">
          {new Date(results.date).toLocaleString()} · {results.machine.cpu}, {results.machine.cores} cores · {results.machine.backend} · model {results.model} · {results.minutes.toFixed(1)} min.
          Email spam: {results.splits.trainEmails} training emails, test = {results.splits.testEmails} ({results.splits.corpus}).
        </p>
      </div>
      <table className="w-full overflow-hidden rounded-lg border border-neutral-200 bg-white text-sm">
        <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500">
          <tr><th className="px-4 py-2">pipeline</th><th className="px-4 py-2">macro-F1</th><th className="px-4 py-2">accuracy</th><th className="px-4 py-2">trainable / total</th></tr>
        </thead>
        <tbody>
          {results.table.map((r) => (
            <tr key={r.name} className="border-t border-neutral-100">
              <td className="px-4 py-2">{r.name}</td>
              <td className="px-4 py-2 font-mono">{r.macroF1?.toFixed(3)}</td>
              <td className="px-4 py-2 font-mono">{r.accuracy?.toFixed(3)}</td>
              <td className="px-4 py-2 font-mono text-neutral-600">{r.trainable?.toLocaleString()} / {r.total?.toLocaleString()}</td>
            </tr>
          ))}
          <tr className="border-t border-neutral-100 bg-neutral-50">
            <td className="px-4 py-2">{results.baseline.name}</td>
            <td className="px-4 py-2 font-mono">{results.baseline.macroF1.toFixed(3)}</td>
            <td className="px-4 py-2 font-mono">{results.baseline.accuracy.toFixed(3)}</td>
            <td className="px-4 py-2 font-mono text-neutral-600">{results.baseline.features.toLocaleString()} features</td>
          </tr>
        </tbody>
      </table>
      <table className="w-full rounded-lg border border-neutral-200 bg-white text-sm">
        <thead className="bg-neutral-50 text-left text-xs uppercase tracking-wide text-neutral-500"><tr><th className="px-4 py-2">target</th><th className="px-4 py-2">reached</th><th className="px-4 py-2">value</th></tr></thead>
        <tbody>
          {results.targets.map((t) => (
            <tr key={t.target} className="border-t border-neutral-100">
              <td className="px-4 py-2">{t.target}</td>
              <td className={`px-4 py-2 font-medium ${t.reached ? 'text-emerald-700' : 'text-amber-700'}`}>{t.reached ? 'yes' : 'no'}</td>
              <td className="px-4 py-2 font-mono text-xs">{t.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
