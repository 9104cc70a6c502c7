import { html, svg, type TemplateResult } from 'lit-html';
import type { SeriesView } from '../src/dashboard-snapshot.js';

const WIDTH = 300;
const HEIGHT = 64;

/**
 * One series over time as an SVG polyline, scaled to its own maximum, with the figures written
 * out (the last bucket, the maximum and the total over the window) for who cannot read a chart.
 */
export function seriesChart(title: string, series: SeriesView, unit: string): TemplateResult {
  const values = series.values;
  const max = Math.max(1, ...values);
  const total = values.reduce((sum, v) => sum + v, 0);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : WIDTH;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(HEIGHT - 2 - (v / max) * (HEIGHT - 4)).toFixed(1)}`)
    .join(' ');
  const seconds = Math.round((values.length * series.bucketMs) / 1000);
  return html`<figure class="chart">
    <figcaption>
      ${title}: <strong>${format(total)}</strong> ${unit} in ${seconds} s (max ${format(max)} per
      ${series.bucketMs / 1000} s)
    </figcaption>
    <svg
      width=${WIDTH}
      height=${HEIGHT}
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      role="img"
      aria-label="${title} over the last ${seconds} seconds"
    >
      ${svg`<line class="axis" x1="0" y1=${HEIGHT - 1} x2=${WIDTH} y2=${HEIGHT - 1}></line>`}
      ${svg`<polyline class="series" points=${points}></polyline>`}
    </svg>
  </figure>`;
}

function format(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n));
}
