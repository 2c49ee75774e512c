import { h } from './dom.js';
import { formatBytes, formatBytesOf, formatPercent } from './format.js';
import type { Gpu, GpuProcess } from './gpus.js';

/**
 * Rows of a GPU table (index, name, utilization, memory, processes with the run each belongs
 * to: a click on the run calls `onOpenRun`). The resources panel's table of this machine and
 * each server's table share them.
 *
 * @example
 * body.replaceChildren(...gpuRows(gpus, (runId) => openRun(runId)));
 */
export function gpuRows(
  gpus: readonly Gpu[],
  onOpenRun: (runId: string) => void,
): HTMLTableRowElement[] {
  return gpus.map((gpu) => gpuRow(gpu, onOpenRun));
}

/** The head of a GPU table, the same in each. */
export function gpuTableHead(): HTMLTableSectionElement {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', { class: 'num' }, 'GPU'),
      h('th', null, 'Name'),
      h('th', null, 'Utilization'),
      h('th', null, 'Memory'),
      h('th', null, 'Processes'),
    ),
  );
}

function gpuRow(gpu: Gpu, onOpenRun: (runId: string) => void): HTMLTableRowElement {
  const memoryShare =
    gpu.memoryUsedBytes !== null && gpu.memoryTotalBytes
      ? (gpu.memoryUsedBytes / gpu.memoryTotalBytes) * 100
      : null;
  return h(
    'tr',
    { 'data-gpu': gpu.index },
    h('td', { class: 'num' }, gpu.index),
    h('td', { class: 'gpu-name', title: gpu.uuid ?? '' }, gpu.name ?? '—'),
    h('td', { class: 'num' }, meter(gpu.utilizationPercent, formatPercent(gpu.utilizationPercent))),
    h(
      'td',
      { class: 'num' },
      meter(memoryShare, formatBytesOf(gpu.memoryUsedBytes, gpu.memoryTotalBytes), 95),
    ),
    h(
      'td',
      { class: 'gpu-processes' },
      ...(gpu.processes.length === 0
        ? ['—']
        : gpu.processes.map((process) => processItem(process, onOpenRun))),
    ),
  );
}

/** `cdd/run_2  python 4242 · 1.2 GiB`; the run is a button that opens it. */
function processItem(process: GpuProcess, onOpenRun: (runId: string) => void): HTMLElement {
  const { runId, pid, name } = process;
  const memory = process.usedMemoryBytes === null ? '' : formatBytes(process.usedMemoryBytes);
  const detail = `${name ?? 'pid'} ${pid}`;
  return h(
    'span',
    {
      class: 'gpu-process',
      'data-pid': pid,
      title: [
        runId === null ? 'Not a run of this dashboard' : `Run ${runId} (click to open)`,
        `${name ?? 'process'}, pid ${pid}`,
        memory && `${memory} of GPU memory`,
      ]
        .filter(Boolean)
        .join('\n'),
    },
    runId !== null &&
      h(
        'button',
        {
          type: 'button',
          class: 'run-link',
          'data-run-id': runId,
          onclick: () => onOpenRun(runId),
        },
        runId,
      ),
    h('span', { class: 'process-detail' }, memory ? `${detail} · ${memory}` : detail),
  );
}

/** A small bar with a label; `hotAbove` marks a nearly full one (memory), not a busy one. */
export function meter(percent: number | null, label: string, hotAbove = Infinity): HTMLElement {
  const fill = h('span', { class: 'meter-fill' });
  setWidth(fill, percent);
  if ((percent ?? 0) > hotAbove) fill.classList.add('hot');
  return h(
    'span',
    { class: 'meter' },
    h('span', { class: 'meter-track' }, fill),
    h('span', { class: 'meter-label' }, label),
  );
}

/** Sets a bar's width to `percent` (clamped to 0–100; `null` is empty). */
export function setWidth(element: HTMLElement, percent: number | null): void {
  element.style.width = `${Math.min(100, Math.max(0, percent ?? 0)).toFixed(1)}%`;
}
