import { h, setText } from './dom.js';
import { listOf, text, wire } from './api-types.js';
import type { ApiNotice, ApiNotices } from './api-types.js';

/** What the page says about the dashboard itself, from the SSE `notices` event. */
export interface Notices {
  /** The notices' messages, oldest first. */
  messages: string[];
}

/**
 * Normalises the `notices` event (and `GET /api/notices`).
 *
 * @example
 * toNotices({ watchMode: 'poll', notices: [{ code: 'RUNBOARD_DASHBOARD_POLLING', message: '/logs is on NFS …' }] });
 * // { messages: ['/logs is on NFS …'] }
 */
export function toNotices(body: unknown): Notices {
  const root = wire<ApiNotices>(body);
  return {
    messages: listOf(root.notices, (notice) => text(wire<ApiNotice>(notice).message)),
  };
}

/**
 * Shows the notices in `element` (one line each, e.g. that the root is polled because it is on
 * a shared file system), hidden when there is none.
 *
 * @example
 * renderNotices(byId('notices'), toNotices(data));
 */
export function renderNotices(element: HTMLElement, notices: Notices): void {
  element.hidden = notices.messages.length === 0;
  const shown = [...element.children].map((child) => child.textContent).join('\n');
  if (shown === notices.messages.join('\n')) return;
  element.replaceChildren(
    ...notices.messages.map((message) => {
      const line = h('span', { class: 'notice' });
      setText(line, message);
      return line;
    }),
  );
}
