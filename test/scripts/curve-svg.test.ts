import { describe, expect, it } from 'vitest';
import { labelEfficiencySvg } from '../../scripts/report/curve-svg';

const series = [
  { name: 'full fine-tuning', points: [{ labels: 50, macroF1: 0.61 }, { labels: 200, macroF1: 0.82 }, { labels: 4232, macroF1: 0.95 }] },
  { name: 'TF-IDF <1–2-grams>', points: [{ labels: 50, macroF1: 0.7 }, { labels: 200, macroF1: 0.9 }, { labels: 4232, macroF1: 0.97 }] },
];

describe('label-efficiency SVG', () => {
  it('draws one line and one dot per point for each series, on a log axis, names escaped', () => {
    const svg = labelEfficiencySvg(series);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(6);
    expect(svg).toContain('TF-IDF &lt;1–2-grams&gt;');
    const xOf = (n: number) => Number(new RegExp(`<circle cx="([\\d.]+)"[^>]*><title>full fine-tuning: [\\d.]+ at ${n}<`).exec(svg)![1]);
    // log scale: 50 → 200 is a smaller step than 200 → 4232 but far more than linear would give
    const a = xOf(50), b = xOf(200), c = xOf(4232);
    expect((b - a) / (c - a)).toBeCloseTo(Math.log(4) / Math.log(4232 / 50), 2);
  });

  it('puts a higher score higher on the chart', () => {
    const svg = labelEfficiencySvg(series);
    const yOf = (name: string, n: number) => Number(new RegExp(`cy="([\\d.]+)"[^>]*><title>${name}: [\\d.]+ at ${n}<`).exec(svg)![1]);
    expect(yOf('full fine-tuning', 4232)).toBeLessThan(yOf('full fine-tuning', 50));
  });
});
