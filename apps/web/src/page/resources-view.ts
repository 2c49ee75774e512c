import { byId, h, setText } from './dom.js';
import { formatBytes, formatPercent } from './format.js';
import type { Resources } from './resources.js';

/**
 * The resources panel: CPU load and memory as bars, and the GPU table of the machine the
 * dashboard runs on (index, name, utilization, memory, processes).
 */
export class ResourcesView {
  private readonly cpuBar = byId('cpu-fill');
  private readonly cpuText = byId('cpu-text');
  private readonly memoryBar = byId('memory-fill');
  private readonly memoryText = byId('memory-text');
  private readonly gpuBody = byId<HTMLTableSectionElement>('gpu-body');
  private readonly gpuNote = byId('gpu-note');
  private readonly host = byId('resources-host');
  private readonly brief = byId('resources-brief');
  private readonly toggle = byId<HTMLButtonElement>('resources-toggle');
  private readonly body = byId('resources-body');

  constructor(private readonly onExpand: () => void) {
    this.setExpanded(readExpanded());
    this.toggle.addEventListener('click', () => {
      const expanded = this.toggle.getAttribute('aria-expanded') !== 'true';
      this.setExpanded(expanded);
      if (expanded) this.onExpand();
      try {
        localStorage.setItem(EXPANDED_KEY, String(expanded));
      } catch {
        // Storage can be disabled; the choice then lasts until the page reloads.
      }
    });
  }

  /** Whether the panel is open (its numbers are worth refreshing). */
  get expanded(): boolean {
    return !this.body.hidden;
  }

  private setExpanded(expanded: boolean): void {
    this.toggle.setAttribute('aria-expanded', String(expanded));
    this.body.hidden = !expanded;
    this.brief.hidden = expanded;
  }

  render(resources: Resources): void {
    setText(this.host, resources.host ?? '');
    const cpuPercent = resources.cpu.percent;
    setWidth(this.cpuBar, cpuPercent);
    const load = resources.cpu.load1 === null ? '' : `load ${resources.cpu.load1.toFixed(2)}`;
    const cores = resources.cpu.cores === null ? '' : `${resources.cpu.cores} cores`;
    setText(
      this.cpuText,
      [cpuPercent === null ? '' : formatPercent(cpuPercent), load, cores]
        .filter(Boolean)
        .join(' · ') || '—',
    );
    const { usedBytes, totalBytes } = resources.memory;
    const memoryPercent = usedBytes !== null && totalBytes ? (usedBytes / totalBytes) * 100 : null;
    setWidth(this.memoryBar, memoryPercent);
    setText(
      this.memoryText,
      totalBytes === null ? '—' : `${formatBytes(usedBytes)} / ${formatBytes(totalBytes)}`,
    );
    this.memoryBar.classList.toggle('hot', (memoryPercent ?? 0) > 90);

    const busy = resources.gpus.filter((gpu) => (gpu.utilizationPercent ?? 0) >= 5).length;
    setText(
      this.brief,
      [
        cpuPercent === null ? null : `CPU ${formatPercent(cpuPercent)}`,
        memoryPercent === null ? null : `memory ${formatPercent(memoryPercent)}`,
        resources.gpus.length === 0 ? 'no GPUs' : `${busy} of ${resources.gpus.length} GPUs busy`,
      ]
        .filter(Boolean)
        .join(' · '),
    );

    if (resources.gpus.length === 0) {
      this.gpuBody.replaceChildren();
      setText(
        this.gpuNote,
        resources.gpuError ?? 'No GPUs found (nvidia-smi is not available on this machine).',
      );
      this.gpuNote.hidden = false;
      return;
    }
    this.gpuNote.hidden = true;
    this.gpuBody.replaceChildren(
      ...resources.gpus.map((gpu) => {
        const memoryShare =
          gpu.memoryUsedBytes !== null && gpu.memoryTotalBytes
            ? (gpu.memoryUsedBytes / gpu.memoryTotalBytes) * 100
            : null;
        const processes =
          gpu.processes.length === 0
            ? '—'
            : gpu.processes.map((process) => process.label).join(', ');
        return h(
          'tr',
          null,
          h('td', { class: 'num' }, gpu.index),
          h(
            'td',
            { class: 'gpu-name', title: gpu.name ?? '' },
            gpu.name ?? '—',
            gpu.temperatureC === null
              ? null
              : h('span', { class: 'muted temp num' }, ` ${gpu.temperatureC}°C`),
          ),
          h(
            'td',
            { class: 'num' },
            meter(gpu.utilizationPercent, formatPercent(gpu.utilizationPercent)),
          ),
          h(
            'td',
            { class: 'num' },
            meter(
              memoryShare,
              gpu.memoryTotalBytes === null
                ? formatBytes(gpu.memoryUsedBytes)
                : `${formatBytes(gpu.memoryUsedBytes)} / ${formatBytes(gpu.memoryTotalBytes)}`,
              95,
            ),
          ),
          h('td', { class: 'gpu-processes', title: processes }, processes),
        );
      }),
    );
  }
}

const EXPANDED_KEY = 'runboard.resources.expanded';

function readExpanded(): boolean {
  try {
    return localStorage.getItem(EXPANDED_KEY) !== 'false';
  } catch {
    return true;
  }
}

/** A small bar with a label; `hotAbove` marks a nearly full one (memory), not a busy one. */
function meter(percent: number | null, label: string, hotAbove = Infinity): HTMLElement {
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

function setWidth(element: HTMLElement, percent: number | null): void {
  element.style.width = `${Math.min(100, Math.max(0, percent ?? 0)).toFixed(1)}%`;
}
