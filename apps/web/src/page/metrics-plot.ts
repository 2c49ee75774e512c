import { h, svg } from './dom.js';
import { formatDuration, formatNumber } from './format.js';
import type { MetricSeries } from './metrics-history.js';
import { elapsedLabel, niceTicks, paddedRange, thin, timeTicks } from './plot-scale.js';

const WIDTH = 320;
const HEIGHT = 130;
const PAD = { left: 44, right: 10, top: 10, bottom: 20 } as const;
const MAX_POINTS = 600;
const MAX_PLOTS = 8;

/**
 * Small multiples: one line plot per metric, time on the x axis (elapsed since the first
 * point), hand-drawn in SVG so the page needs no plotting library. Hovering shows the nearest
 * point's value.
 */
export function renderMetricPlots(
  container: HTMLElement,
  series: readonly MetricSeries[],
  final = false,
): void {
  container.replaceChildren();
  const shown = series.filter((one) => one.points.length > 0).slice(0, MAX_PLOTS);
  if (shown.length === 0) {
    const note = final ? 'No metrics reported.' : 'No metrics reported yet.';
    container.append(h('p', { class: 'muted empty-note' }, note));
    return;
  }
  shown.forEach((one, index) => container.append(plotOf(one, index)));
}

function plotOf(series: MetricSeries, index: number): HTMLElement {
  const points = thin(series.points, MAX_POINTS);
  const last = points[points.length - 1];
  const t0 = points[0].t;
  const t1 = Math.max(last.t, t0 + 1);
  const [v0, v1] = paddedRange(points.map((point) => point.v));
  const innerWidth = WIDTH - PAD.left - PAD.right;
  const innerHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number): number => PAD.left + ((t - t0) / (t1 - t0)) * innerWidth;
  const y = (v: number): number => PAD.top + (1 - (v - v0) / (v1 - v0)) * innerHeight;

  const grid = svg('g', { class: 'grid' });
  for (const tick of niceTicks(v0, v1, 4)) {
    const ty = y(tick).toFixed(1);
    grid.append(
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: ty, y2: ty }),
      svg('text', { x: PAD.left - 6, y: ty, class: 'tick y' }, formatNumber(tick)),
    );
  }
  const elapsed = (t1 - t0) / 1000;
  for (const tick of timeTicks(elapsed, 4)) {
    const tx = x(t0 + tick * 1000).toFixed(1);
    grid.append(svg('text', { x: tx, y: HEIGHT - 4, class: 'tick x' }, elapsedLabel(tick)));
  }

  const path = points
    .map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.t).toFixed(1)},${y(point.v).toFixed(1)}`)
    .join('');
  const line = svg('path', { d: path, class: 'line' });
  const marker = svg('circle', { r: 3.5, class: 'marker', cx: x(last.t), cy: y(last.v) });
  const plot = svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: `plot series-${index % 6}`,
      role: 'img',
      'aria-label': `${series.name} over time`,
    },
    grid,
    line,
    marker,
  );
  const value = h('span', { class: 'plot-value num' }, formatNumber(last.v));
  const figure = h(
    'figure',
    { class: 'plot-figure', 'data-metric': series.name },
    h('figcaption', null, h('span', { class: 'plot-name' }, series.name), value),
    plot,
  );

  plot.addEventListener('pointermove', (event) => {
    const box = plot.getBoundingClientRect();
    const t =
      t0 + ((((event.clientX - box.left) / box.width) * WIDTH - PAD.left) / innerWidth) * (t1 - t0);
    const nearest = nearestPoint(points, t);
    marker.setAttribute('cx', x(nearest.t).toFixed(1));
    marker.setAttribute('cy', y(nearest.v).toFixed(1));
    value.textContent = `${formatNumber(nearest.v)} @ ${formatDuration((nearest.t - t0) / 1000)}`;
  });
  plot.addEventListener('pointerleave', () => {
    marker.setAttribute('cx', x(last.t).toFixed(1));
    marker.setAttribute('cy', y(last.v).toFixed(1));
    value.textContent = formatNumber(last.v);
  });
  return figure;
}

function nearestPoint<T extends { t: number }>(points: readonly T[], t: number): T {
  let low = 0;
  let high = points.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (points[middle].t < t) low = middle + 1;
    else high = middle;
  }
  const before = points[Math.max(0, low - 1)];
  return Math.abs(before.t - t) < Math.abs(points[low].t - t) ? before : points[low];
}
