'use client';
// Parallel coordinates: one vertical axis per param that differs and per metric, one line per run
// (SVG). Lines take their run's colour; hovering a line names the run.
import type { ParallelAxis } from './compare-data';
import { runColor, shortRunId } from './compare-data';

export function ParallelCoordinates({ axes, runIds }: { axes: ParallelAxis[]; runIds: string[] }) {
  if (axes.length < 2) return <p className="text-xs text-neutral-500">Needs at least two things that differ (params or metrics) to draw.</p>;
  const width = Math.max(520, 200 + (axes.length - 1) * 170);
  const height = 260;
  const m = { l: 100, r: 100, t: 34, b: 26 };
  const X = (i: number) => m.l + (axes.length === 1 ? 0 : (i / (axes.length - 1)) * (width - m.l - m.r));
  const Y = (p: number) => m.t + (1 - p) * (height - m.t - m.b);
  return (
    <svg data-testid="parallel-coordinates" viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label="parallel coordinates of the runs' params and metrics">
      {runIds.map((id, r) => {
        // A run without a value on an axis breaks its line there.
        const segments: string[][] = [[]];
        axes.forEach((a, i) => {
          const p = a.positions[r];
          if (p === null || p === undefined) segments.push([]);
          else segments[segments.length - 1].push(`${X(i).toFixed(1)},${Y(p).toFixed(1)}`);
        });
        return (
          <g key={id} data-testid="parallel-line" data-run-id={id}>
            {segments.filter((s) => s.length > 0).map((s, k) => (
              <polyline key={k} points={s.join(' ')} fill="none" stroke={runColor(r)} strokeWidth={2} strokeOpacity={0.85}>
                <title>{shortRunId(id)}</title>
              </polyline>
            ))}
            {axes.map((a, i) => (a.positions[r] === null ? null : <circle key={a.id} cx={X(i)} cy={Y(a.positions[r]!)} r={3} fill={runColor(r)} />))}
          </g>
        );
      })}
      {axes.map((a, i) => (
        <g key={a.id} data-testid="parallel-axis" data-axis={a.id} data-kind={a.kind}>
          <line x1={X(i)} x2={X(i)} y1={Y(0)} y2={Y(1)} stroke="#404040" strokeWidth={1} />
          <text x={X(i)} y={14} fontSize={10.5} textAnchor="middle" fill={a.kind === 'metric' ? '#047857' : '#262626'} fontWeight={600}>{a.label.length > 26 ? `${a.label.slice(0, 25)}…` : a.label}</text>
          <text x={X(i)} y={26} fontSize={9} textAnchor="middle" fill="#a3a3a3">{a.kind === 'metric' ? 'metric' : a.scale === 'log' ? 'param · log' : 'param'}</text>
          {a.ticks.map((t) => (
            <text key={`${t.at}-${t.label}`} x={X(i) + 5} y={Y(t.at) + (t.at === 0 ? -3 : t.at === 1 ? 10 : 3)} fontSize={9.5} fill="#525252">{t.label}</text>
          ))}
        </g>
      ))}
    </svg>
  );
}
