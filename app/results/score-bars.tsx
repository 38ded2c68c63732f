'use client';
// Horizontal bars of one score per pipeline (SVG, no chart library): the report's headline chart.

export interface Bar {
  name: string;
  value: number;
  /** Drawn in the baseline colour (the classical reference). */
  baseline?: boolean;
}

export function ScoreBars({ bars, metric, testId }: { bars: Bar[]; metric: string; testId: string }) {
  const rowH = 26;
  const labelW = 250;
  const width = 720;
  const barW = width - labelW - 60;
  const height = bars.length * rowH + 24;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <svg data-testid={testId} viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={`${metric} per pipeline`}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={labelW + t * barW} x2={labelW + t * barW} y1={0} y2={height - 18} stroke="#e5e5e5" />
          <text x={labelW + t * barW} y={height - 4} fontSize={10} textAnchor="middle" fill="#737373">{t.toFixed(2)}</text>
        </g>
      ))}
      {bars.map((b, i) => (
        <g key={b.name} data-testid="score-bar" data-name={b.name} data-value={b.value}>
          <text x={labelW - 8} y={i * rowH + 17} fontSize={12} textAnchor="end" fill="#262626">{b.name.length > 38 ? `${b.name.slice(0, 37)}…` : b.name}</text>
          <rect x={labelW} y={i * rowH + 5} width={Math.max(1, Math.min(1, b.value) * barW)} height={rowH - 10} rx={3} fill={b.baseline ? '#a3a3a3' : '#4f46e5'} />
          <text x={labelW + Math.min(1, b.value) * barW + 6} y={i * rowH + 17} fontSize={11} fill="#404040" fontFamily="monospace">{b.value.toFixed(3)}</text>
        </g>
      ))}
    </svg>
  );
}
