import { h, setText } from './dom.js';
import { STATUS_HINTS, statusClass } from './status.js';
import type { KnownDisplayStatus } from './status.js';

/** A coloured status label: a dot and the status name. */
export function createStatusBadge(): HTMLSpanElement {
  return h(
    'span',
    { class: 'badge' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span'),
  );
}

export function updateStatusBadge(
  badge: HTMLElement,
  status: string,
  storedStatus: string | null,
): void {
  const className = `badge ${statusClass(status)}`;
  if (badge.className !== className) badge.className = className;
  setText(badge.lastElementChild as HTMLElement, status);
  const hint = STATUS_HINTS[status as KnownDisplayStatus] ?? status;
  badge.title = storedStatus ? `${hint} (stored status: ${storedStatus})` : hint;
}
