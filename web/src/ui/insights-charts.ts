import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);
Chart.defaults.color = '#b7c0cc';
Chart.defaults.borderColor = 'rgba(255, 255, 255, 0.08)';
Chart.defaults.font.family = 'inherit';

/** One chart.js chart on a canvas, rebuilt when its configuration changes, destroyed on unmount. */
export function ChartCanvas(props: { config: ChartConfiguration; label: string; testId: string }): VNode {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...props.config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...props.config.options },
    });
    return () => chart.destroy();
  }, [props.config]);
  return html`<div class="chart-box">
    <canvas ref=${canvas} role="img" aria-label=${props.label} data-testid=${props.testId}></canvas>
  </div>`;
}

/** Distinct colours for participants, readable on the dark surface. */
export const PALETTE = [
  '#7c9cff',
  '#3ecf8e',
  '#f5a524',
  '#f06595',
  '#22b8cf',
  '#b197fc',
  '#ffd43b',
  '#ff8787',
];
