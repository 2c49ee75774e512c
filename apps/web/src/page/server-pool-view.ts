import { h } from './dom.js';
import { formatBytesOf, formatPercent } from './format.js';
import { gpuRows, gpuTableHead, meter } from './gpu-table.js';
import type { ServerResources } from './server-resources.js';

/**
 * The SSH server pool in the resources panel: for each server a heading (name, the hostname
 * it reports, CPU load and RAM) and its GPU table, like the machine's own. A server that does
 * not answer is marked unreachable with ssh's reason; one whose first answer is on its way
 * says so.
 *
 * @example
 * const pool = new ServerPoolView(byId('server-pool'), (runId) => openRun(runId));
 * pool.render(resources.servers, resources.serversError);
 */
export class ServerPoolView {
  constructor(
    private readonly container: HTMLElement,
    private readonly onOpenRun: (runId: string) => void,
  ) {}

  render(servers: readonly ServerResources[], error: string | null): void {
    this.container.hidden = servers.length === 0 && error === null;
    this.container.replaceChildren(
      ...(error === null
        ? []
        : [h('p', { class: 'gpu-note server-pool-error' }, `Server pool: ${error}`)]),
      ...servers.map((server) => this.serverSection(server)),
    );
  }

  private serverSection(server: ServerResources): HTMLElement {
    const state = server.reachable ? 'reachable' : server.pending ? 'pending' : 'unreachable';
    return h(
      'section',
      { class: 'server', 'data-server': server.name, 'data-state': state },
      h(
        'div',
        { class: 'server-head' },
        h('h3', { class: 'server-name' }, server.name),
        server.hostname !== null &&
          server.hostname !== server.name &&
          h('span', { class: 'server-hostname muted mono' }, server.hostname),
        state !== 'reachable' &&
          h(
            'span',
            { class: 'server-state', title: server.error ?? '' },
            state === 'pending' ? 'connecting…' : 'unreachable',
          ),
        server.reachable && this.gauges(server),
      ),
      this.body(server),
    );
  }

  private gauges(server: ServerResources): HTMLElement {
    const { cpu, memory } = server;
    const memoryPercent =
      memory.usedBytes !== null && memory.totalBytes
        ? (memory.usedBytes / memory.totalBytes) * 100
        : null;
    const cpuLabel = [
      cpu.percent === null ? null : `CPU ${formatPercent(cpu.percent)}`,
      cpu.load1 === null ? null : `load ${cpu.load1.toFixed(2)}`,
      cpu.cores === null ? null : `${cpu.cores} cores`,
    ]
      .filter(Boolean)
      .join(' · ');
    return h(
      'span',
      { class: 'server-gauges' },
      h('span', { class: 'server-cpu' }, meter(cpu.percent, cpuLabel || 'CPU —')),
      h(
        'span',
        { class: 'server-ram' },
        meter(memoryPercent, `RAM ${formatBytesOf(memory.usedBytes, memory.totalBytes)}`, 90),
      ),
    );
  }

  private body(server: ServerResources): HTMLElement {
    if (!server.reachable)
      return h(
        'p',
        { class: 'gpu-note server-note' },
        server.pending
          ? 'Waiting for its first answer over ssh…'
          : `Unreachable${server.error ? `: ${server.error}` : ' over ssh'}.`,
      );
    if (server.gpus.length === 0)
      return h(
        'p',
        { class: 'gpu-note server-note muted' },
        server.gpuUnavailableReason === null
          ? 'nvidia-smi lists no GPUs there.'
          : `No GPUs to show: ${server.gpuUnavailableReason}.`,
      );
    return h(
      'div',
      { class: 'gpus' },
      h(
        'table',
        { class: 'gpu-table server-gpus' },
        gpuTableHead(),
        h('tbody', null, ...gpuRows(server.gpus, this.onOpenRun)),
      ),
    );
  }
}
