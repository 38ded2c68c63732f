'use client';
// A small streaming line chart (uPlot): created once, fed new data in place.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function LiveChart({ title, xs, ys, color, testId, format }: { title: string; xs: number[]; ys: (number | null)[]; color: string; testId: string; format?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The formatter is read through a ref so a new function each render does not rebuild the chart.
  const formatRef = useRef(format);
  formatRef.current = format;
  const latest = useRef<[number[], (number | null)[]]>([xs, ys]);
  latest.current = [xs, ys];
  useEffect(() => {
    if (!box.current) return;
    const opts: uPlot.Options = {
      width: box.current.clientWidth || 300,
      height: 130,
      legend: { show: false },
      cursor: { show: true },
      scales: { x: { time: false } },
      axes: [
        { stroke: '#737373', grid: { stroke: '#f0f0f0' }, size: 28, font: '10px sans-serif' },
        { stroke: '#737373', grid: { stroke: '#f0f0f0' }, size: 46, font: '10px sans-serif', values: (_u, v) => v.map((x) => (formatRef.current ? formatRef.current(x) : String(+x.toPrecision(3)))) },
      ],
      series: [{}, { stroke: color, width: 1.5, points: { show: false } }],
    };
    plot.current = new uPlot(opts, latest.current as uPlot.AlignedData, box.current);
    const resize = new ResizeObserver(() => box.current && plot.current?.setSize({ width: box.current.clientWidth, height: 130 }));
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [color]);
  useEffect(() => {
    plot.current?.setData([xs, ys] as uPlot.AlignedData);
  }, [xs, ys]);
  return (
    <div className="min-w-0 flex-1 rounded-md border border-neutral-200 bg-white p-2" data-testid={testId} data-points={xs.length}>
      <div className="mb-1 text-[11px] font-medium text-neutral-600">{title}</div>
      <div ref={box} />
    </div>
  );
}
