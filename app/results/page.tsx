'use client';
// The Results page: what `npm run report` measured on real data (public/results/results.json and
// RESULTS.md) drawn as charts, the report itself, and the user's own finished runs.
import { useEffect, useState } from 'react';
import { EfficiencyCurve, type CurveSeries } from './efficiency-curve';
import { Markdown } from './markdown';
import { MyRuns } from './my-runs';
import { ScoreBars } from './score-bars';

interface Results {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; backend: string };
  model: string;
  /** Wall time of the report invocation (cached stages are reused, so it can be near zero). */
  minutes: number;
  /** Wall time of computing every stage from a cold cache, when the report recorded it. */
  computeMinutes?: number;
  splits: { trainEmails: number; validationEmails: number; testEmails: number; corpus: string };
  table: { name: string; macroF1?: number; accuracy?: number; trainable?: number; total?: number; seconds?: number }[];
  baseline: { name: string; macroF1: number; accuracy: number; features: number };
  targets: { target: string; reached: boolean; value: string }[];
  /** Score against labelled examples, one series per pipeline (when the report measured it). */
  labelEfficiency?: { name: string; points: { labels: number; macroF1: number }[] }[];
}

const minutesText = (m: number) => (m < 1 ? `${Math.round(m * 60)} s` : `${m.toFixed(1)} min`);

export default function ResultsPage() {
  const [results, setResults] = useState<Results | null | 'missing'>(null);
  const [markdown, setMarkdown] = useState<string | null>(null);
  useEffect(() => {
    fetch('/results/results.json')
      .then((r) => (r.ok ? r.json() : 'missing'))
      .then(setResults, () => setResults('missing'));
    fetch('/results/RESULTS.md')
      .then((r) => (r.ok ? r.text() : null))
      .then(setMarkdown, () => setMarkdown(null));
  }, []);
  if (results === null) return <div className="p-8 text-sm text-neutral-500">Loading…</div>;
  const bars =
    results === 'missing'
      ? []
      : [
          ...results.table.filter((r) => typeof r.macroF1 === 'number').map((r) => ({ name: r.name, value: r.macroF1! })),
          { name: results.baseline.name, value: results.baseline.macroF1, baseline: true },
        ].sort((a, b) => b.value - a.value);
  const curves: CurveSeries[] = results === 'missing' ? [] : (results.labelEfficiency ?? []).map((s) => ({ name: s.name, points: s.points.map((p) => ({ labels: p.labels, value: p.macroF1 })) }));
  return (
    <div className="mx-auto w-full max-w-5xl space-y-8 overflow-y-auto px-6 py-8" data-testid="results">
      {results === 'missing' ? (
        <div className="text-sm text-neutral-600">No report yet. Run <code className="rounded bg-neutral-100 px-1">npm run report</code> to measure the pipelines on real data.</div>
      ) : (
        <>
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">Results{results.quick ? ' (quick mode)' : ''}</h1>
            <p className="mt-1 text-sm text-neutral-500" data-testid="results-run-time">
              {new Date(results.date).toLocaleString()} · {results.machine.cpu}, {results.machine.cores} cores · {results.machine.backend} · model {results.model}.{' '}
              {results.computeMinutes !== undefined
                ? `Computing every stage took ${minutesText(results.computeMinutes)}; the last report run took ${minutesText(results.minutes)}.`
                : `The last report run took ${minutesText(results.minutes)}${results.minutes < 1 ? ' (its stages came from the cache; a cold run takes about 20 minutes on this machine)' : ''}.`}
            </p>
          </div>
          <section>
            <h2 className="mb-1 text-lg font-semibold">Email spam: macro-F1 on the test split</h2>
            <p className="mb-2 text-xs text-neutral-500">{results.splits.trainEmails} labelled training emails, {results.splits.testEmails} test emails ({results.splits.corpus}). Grey: the classical baseline.</p>
            <div className="rounded-lg border border-neutral-200 bg-white p-3"><ScoreBars bars={bars} metric="macro-F1" testId="score-chart" /></div>
          </section>
          {curves.length > 0 && (
            <section>
              <h2 className="mb-2 text-lg font-semibold">Label efficiency: macro-F1 against labelled examples</h2>
              <div className="rounded-lg border border-neutral-200 bg-white p-3"><EfficiencyCurve series={curves} metric="macro-F1" /></div>
            </section>
          )}
        </>
      )}
      <MyRuns />
      {markdown && (
        <section className="rounded-lg border border-neutral-200 bg-white p-5">
          <Markdown source={markdown} />
        </section>
      )}
    </div>
  );
}
