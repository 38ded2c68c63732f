'use client';
// The label-efficiency curve: score against the number of labelled examples, one line per pipeline
// (SVG, log-scaled x axis since label counts grow geometrically).

export interface CurveSeries {
  name: string;
  points: { labels: number; value: number }[];
}

const COLORS = ['#4f46e5', '#0891b2', '#ea580c', '#16a34a', '#a3a3a3', '#db2777'];

export function EfficiencyCurve({ series, metric }: { series: CurveSeries[]; metric: string }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const width = 720;
  const height = 280;
  const m = { l: 48, r: 160, t: 12, b: 34 };
  const xs = all.map((p) => Math.log10(Math.max(1, p.labels)));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const X = (labels: number) => m.l + ((Math.log10(Math.max(1, labels)) - x0) / (x1 - x0)) * (width - m.l - m.r);
  const Y = (v: number) => m.t + (1 - Math.min(1, Math.max(0, v))) * (height - m.t - m.b);
  const labelTicks = [...new Set(all.map((p) => p.labels))].sort((a, b) => a - b);
  return (
    <svg data-testid="efficiency-curve" viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={`${metric} against labelled examples`}>
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <g key={t}>
          <line x1={m.l} x2={width - m.r} y1={Y(t)} y2={Y(t)} stroke="#e5e5e5" />
          <text x={m.l - 6} y={Y(t) + 3} fontSize={10} textAnchor="end" fill="#737373">{t.toFixed(2)}</text>
        </g>
      ))}
      {labelTicks.map((l) => (
        <text key={l} x={X(l)} y={height - m.b + 14} fontSize={10} textAnchor="middle" fill="#737373">{l.toLocaleString()}</text>
      ))}
      <text x={(m.l + width - m.r) / 2} y={height - 4} fontSize={11} textAnchor="middle" fill="#525252">labelled training examples</text>
      {series.map((s, i) => {
        const pts = [...s.points].sort((a, b) => a.labels - b.labels);
        const color = COLORS[i % COLORS.length];
        return (
          <g key={s.name} data-testid="curve-series" data-name={s.name}>
            <polyline fill="none" stroke={color} strokeWidth={2} points={pts.map((p) => `${X(p.labels)},${Y(p.value)}`).join(' ')} />
            {pts.map((p) => <circle key={p.labels} cx={X(p.labels)} cy={Y(p.value)} r={3} fill={color}><title>{`${s.name}: ${p.value.toFixed(3)} with ${p.labels} labels`}</title></circle>)}
            <text x={width - m.r + 8} y={m.t + 14 + i * 16} fontSize={11} fill={color}>{s.name}</text>
          </g>
        );
      })}
    </svg>
  );
}
