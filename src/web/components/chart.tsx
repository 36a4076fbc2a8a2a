import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from '../../charts/echarts.js';
import { echarts } from '../../charts/echarts.js';

/**
 * One chart of src/charts on the page: an option from a pure function, drawn by ECharts as SVG
 * (as the CLI draws it), sized by its container and redrawn when the container resizes. The
 * box keeps its height while data loads, so nothing below it moves.
 */
export function Chart({
  option,
  height = 320,
  label,
}: {
  option: EChartsCoreOption | undefined;
  height?: number;
  /** What the chart shows, for screen readers (the figure's accessible name). */
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const instance = echarts.init(element, null, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      instance.resize();
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (option) chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return (
    <figure className="chart" aria-label={label} aria-busy={option === undefined}>
      <div ref={box} style={{ height, width: '100%' }} />
      {option === undefined && <div className="chart-loading">Loading…</div>}
    </figure>
  );
}
