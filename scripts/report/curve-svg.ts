// The label-efficiency curve as a standalone SVG next to RESULTS.md (the Results page draws its own
// chart from results.json; this one is for readers of the Markdown report, e.g. on a code host).
export interface SvgSeries {
  name: string;
  points: { labels: number; macroF1: number }[];
}

const W = 640;
const H = 360;
const M = { left: 56, right: 16, top: 16, bottom: 72 };
const COLOURS = ['#2563eb', '#6b7280', '#d97706', '#059669'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Macro-F1 (y) against labelled examples on a log axis (x), one line per series, with a legend below. */
export function labelEfficiencySvg(series: SvgSeries[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const xs = [...new Set(all.map((p) => p.labels))].sort((a, b) => a - b);
  const lo = Math.log(xs[0]);
  const hi = Math.log(xs[xs.length - 1]);
  const yMin = Math.max(0, Math.floor(Math.min(...all.map((p) => p.macroF1)) * 10) / 10);
  const x = (n: number) => M.left + (hi === lo ? 0.5 : (Math.log(n) - lo) / (hi - lo)) * (W - M.left - M.right);
  const y = (v: number) => M.top + (1 - (v - yMin) / (1 - yMin)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (let t = yMin; t <= 1.0001; t += 0.1) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}</text>`);
  }
  for (const n of xs) parts.push(`<text x="${x(n)}" y="${H - M.bottom + 16}" text-anchor="middle">${n}</text>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 34}" text-anchor="middle">labelled training emails (log scale)</text>`);
  parts.push(`<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">macro-F1 (test split)</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.labels - b.labels);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${x(p.labels).toFixed(1)},${y(p.macroF1).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${x(p.labels).toFixed(1)}" cy="${y(p.macroF1).toFixed(1)}" r="3.5" fill="${colour}"><title>${esc(s.name)}: ${p.macroF1.toFixed(3)} at ${p.labels}</title></circle>`);
    const ly = H - 18;
    const lx = M.left + i * ((W - M.left - M.right) / series.length);
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="3" fill="${colour}"/><text x="${lx + 18}" y="${ly - 4}">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" fill="#111827">
<rect width="${W}" height="${H}" fill="#ffffff"/>
${parts.join('\n')}
</svg>
`;
}
