'use client';
// Loss curves of several runs drawn over each other for one training node (SVG; one colour per run).
import type { CompareCurve } from '../../server/compare/run-summaries';
import { runColor, shortRunId } from './compare-data';

export function LossOverlay({ nodeId, runs }: { nodeId: string; runs: { id: string; index: number; curve?: CompareCurve }[] }) {
  const drawn = runs.filter((r) => r.curve && r.curve.points.length > 0);
  const all = drawn.flatMap((r) => r.curve!.points);
  if (all.length === 0) return null;
  const width = 560;
  const height = 220;
  const m = { l: 52, r: 12, t: 10, b: 30 };
  const xs = all.map(([s]) => s);
  const ys = all.map(([, l]) => l);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const X = (s: number) => m.l + (x1 === x0 ? 0.5 : (s - x0) / (x1 - x0)) * (width - m.l - m.r);
  const Y = (l: number) => m.t + (1 - (y1 === y0 ? 0.5 : (l - y0) / (y1 - y0))) * (height - m.t - m.b);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((t) => y0 + t * (y1 - y0));
  const fmt = (v: number) => String(+v.toPrecision(3));
  return (
    <figure data-testid={`loss-overlay-${nodeId}`} className="rounded-md border border-neutral-200 bg-white p-3">
      <figcaption className="mb-1 text-xs font-medium text-neutral-700">
        Loss of <span className="font-mono">{nodeId}</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={`training loss of ${nodeId}, one line per run`}>
        {yTicks.map((v, i) => (
          <g key={i}>
            <line x1={m.l} x2={width - m.r} y1={Y(v)} y2={Y(v)} stroke="#eeeeee" />
            <text x={m.l - 6} y={Y(v) + 3} fontSize={10} textAnchor="end" fill="#737373">{fmt(v)}</text>
          </g>
        ))}
        <text x={m.l} y={height - 8} fontSize={10} fill="#737373">step {fmt(x0)}</text>
        <text x={width - m.r} y={height - 8} fontSize={10} textAnchor="end" fill="#737373">step {fmt(x1)}</text>
        {drawn.map((r) => (
          <polyline
            key={r.id}
            data-testid="curve-line"
            data-run-id={r.id}
            data-points={r.curve!.points.length}
            fill="none"
            stroke={runColor(r.index)}
            strokeWidth={1.75}
            strokeDasharray={r.curve!.fromRunId ? '5 3' : undefined}
            points={r.curve!.points.map(([s, l]) => `${X(s).toFixed(1)},${Y(l).toFixed(1)}`).join(' ')}
          >
            <title>{`${shortRunId(r.id)}${r.curve!.fromRunId ? ` (cached: trained in ${shortRunId(r.curve!.fromRunId)})` : ''}`}</title>
          </polyline>
        ))}
      </svg>
      <div className="mt-1 flex flex-wrap gap-3 text-[11px]">
        {drawn.map((r) => (
          <span key={r.id} className="flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: runColor(r.index) }} />
            <span className="font-mono">{shortRunId(r.id)}</span>
            {r.curve!.fromRunId && <span className="text-neutral-400">cached, from {shortRunId(r.curve!.fromRunId)}</span>}
          </span>
        ))}
      </div>
    </figure>
  );
}
