import { byId, h, setText } from './dom.js';
import { formatBytes, formatBytesOf, formatPercent } from './format.js';
import type { Gpu, GpuProcess, Resources } from './resources.js';

/**
 * The resources panel: CPU load and memory as bars, and the GPU table of the machine the
 * dashboard runs on (index, name, utilization, memory, processes with the run each belongs
 * to; a click on the run opens it). Without GPUs the table gives way to the server's reason
 * (`nvidia-smi not found on PATH`).
 */
export class ResourcesView {
  private readonly cpuBar = byId('cpu-fill');
  private readonly cpuText = byId('cpu-text');
  private readonly memoryBar = byId('memory-fill');
  private readonly memoryText = byId('memory-text');
  private readonly gpuTable = byId<HTMLTableElement>('gpu-table');
  private readonly gpuBody = byId<HTMLTableSectionElement>('gpu-body');
  private readonly gpuNote = byId('gpu-note');
  private readonly host = byId('resources-host');
  private readonly brief = byId('resources-brief');
  private readonly toggle = byId<HTMLButtonElement>('resources-toggle');
  private readonly body = byId('resources-body');

  /**
   * @param onExpand the panel was opened: its numbers are worth refreshing.
   * @param onOpenRun a GPU process's run was clicked.
   */
  constructor(
    private readonly onExpand: () => void,
    private readonly onOpenRun: (runId: string) => void,
  ) {
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
    this.host.title = resources.sampledAtMs
      ? `Sampled ${new Date(resources.sampledAtMs).toLocaleTimeString()}`
      : '';
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
    this.cpuText.title = resources.cpu.model ?? '';
    const { usedBytes, totalBytes } = resources.memory;
    const memoryPercent = usedBytes !== null && totalBytes ? (usedBytes / totalBytes) * 100 : null;
    setWidth(this.memoryBar, memoryPercent);
    setText(this.memoryText, totalBytes === null ? '—' : formatBytesOf(usedBytes, totalBytes));
    this.memoryBar.classList.toggle('hot', (memoryPercent ?? 0) > 90);

    const { gpus, gpuUnavailableReason } = resources;
    const busy = gpus.filter((gpu) => (gpu.utilizationPercent ?? 0) >= 5).length;
    setText(
      this.brief,
      [
        cpuPercent === null ? null : `CPU ${formatPercent(cpuPercent)}`,
        memoryPercent === null ? null : `memory ${formatPercent(memoryPercent)}`,
        gpus.length > 0 ? `${busy} of ${gpus.length} GPUs busy` : 'no GPUs',
      ]
        .filter(Boolean)
        .join(' · '),
    );

    // Without a GPU list the reason takes the table's place.
    this.gpuTable.hidden = gpus.length === 0;
    this.gpuNote.hidden = gpus.length > 0;
    if (gpus.length === 0) {
      this.gpuBody.replaceChildren();
      setText(
        this.gpuNote,
        gpuUnavailableReason === null
          ? 'nvidia-smi lists no GPUs on this machine.'
          : `No GPUs to show: ${gpuUnavailableReason}.`,
      );
      return;
    }
    this.gpuBody.replaceChildren(...gpus.map((gpu) => this.gpuRow(gpu)));
  }

  private gpuRow(gpu: Gpu): HTMLTableRowElement {
    const memoryShare =
      gpu.memoryUsedBytes !== null && gpu.memoryTotalBytes
        ? (gpu.memoryUsedBytes / gpu.memoryTotalBytes) * 100
        : null;
    return h(
      'tr',
      { 'data-gpu': gpu.index },
      h('td', { class: 'num' }, gpu.index),
      h('td', { class: 'gpu-name', title: gpu.uuid ?? '' }, gpu.name ?? '—'),
      h(
        'td',
        { class: 'num' },
        meter(gpu.utilizationPercent, formatPercent(gpu.utilizationPercent)),
      ),
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
          : gpu.processes.map((process) => this.processItem(process))),
      ),
    );
  }

  /** `cdd/run_2  python 4242 · 1.2 GiB`; the run is a button that opens it. */
  private processItem(process: GpuProcess): HTMLElement {
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
            onclick: () => this.onOpenRun(runId),
          },
          runId,
        ),
      h('span', { class: 'process-detail' }, memory ? `${detail} · ${memory}` : detail),
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
