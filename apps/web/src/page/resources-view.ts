import { byId, setText } from './dom.js';
import { formatBytesOf, formatPercent } from './format.js';
import { gpuRows, setWidth } from './gpu-table.js';
import type { Resources } from './resources.js';
import { ServerPoolView } from './server-pool-view.js';

/**
 * The resources panel: CPU load and memory as bars, and the GPU table of the machine the
 * dashboard runs on (index, name, utilization, memory, processes with the run each belongs
 * to; a click on the run opens it), then one such table per server of the SSH pool (see
 * {@link ServerPoolView}). Without GPUs the table gives way to the server's reason
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
  private readonly pool: ServerPoolView;

  /**
   * @param onExpand the panel was opened: its numbers are worth refreshing.
   * @param onOpenRun a GPU process's run was clicked.
   */
  constructor(
    private readonly onExpand: () => void,
    private readonly onOpenRun: (runId: string) => void,
  ) {
    this.pool = new ServerPoolView(byId('server-pool'), onOpenRun);
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

    const { gpus, gpuUnavailableReason, servers } = resources;
    this.pool.render(servers, resources.serversError);
    // The brief counts the GPUs of the pool too.
    const allGpus = [...gpus, ...servers.flatMap((server) => server.gpus)];
    const busy = allGpus.filter((gpu) => (gpu.utilizationPercent ?? 0) >= 5).length;
    const unreachable = servers.filter((server) => !server.reachable && !server.pending).length;
    setText(
      this.brief,
      [
        cpuPercent === null ? null : `CPU ${formatPercent(cpuPercent)}`,
        memoryPercent === null ? null : `memory ${formatPercent(memoryPercent)}`,
        allGpus.length > 0 ? `${busy} of ${allGpus.length} GPUs busy` : 'no GPUs',
        servers.length > 0 ? `${servers.length} server${servers.length === 1 ? '' : 's'}` : null,
        unreachable > 0 ? `${unreachable} unreachable` : null,
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
    this.gpuBody.replaceChildren(...gpuRows(gpus, this.onOpenRun));
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
