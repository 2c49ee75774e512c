import { h } from './dom.js';
import { formatAge, formatDuration, formatWaiting } from './format.js';
import { remainingSeconds } from './run-row.js';
import type { RunRow } from './run-row.js';
import { FINAL_STATUSES } from './status.js';

/**
 * The facts of the selected run as `<dl>` items: ETA, update age, attempt, GPUs, host and pid,
 * runtime, exit, command, a pending cancel request, why a queued run waits, and the error (in
 * the plain words the supervisor writes) or the job's message. Re-rendered every second.
 *
 * @example
 * facts.replaceChildren(...runFacts(row, Date.now(), null));
 */
export function runFacts(row: RunRow, nowMs: number, cancelRequestedAt: string | null): Node[] {
  const eta = FINAL_STATUSES.has(row.status) ? null : remainingSeconds(row, nowMs);
  const started = row.startedAtMs;
  const finished = row.finishedAtMs;
  const facts: [string, string, string?][] = [
    ['ETA', eta === null ? '—' : formatDuration(eta)],
    [
      'Updated',
      formatAge(row.updatedAtMs, nowMs),
      row.updatedAtMs ? new Date(row.updatedAtMs).toISOString() : '',
    ],
    [
      'Attempt',
      row.attempt === null
        ? '—'
        : row.maxAttempts
          ? `${row.attempt} of ${row.maxAttempts}`
          : String(row.attempt),
    ],
    ['GPU', row.gpus.length > 0 ? row.gpus.join(', ') : '—'],
    [
      'Host',
      [row.host, row.pid === null ? '' : `pid ${row.pid}`].filter(Boolean).join(' · ') || '—',
    ],
    [
      'Runtime',
      started === null ? '—' : formatDuration(((finished ?? nowMs) - started) / 1000),
      started === null ? '' : new Date(started).toISOString(),
    ],
  ];
  if (row.exitCode !== null || row.signal !== null) {
    const exit = [row.exitCode === null ? '' : `code ${row.exitCode}`, row.signal ?? ''];
    facts.push(['Exit', exit.filter(Boolean).join(' · ')]);
  }
  const items: Node[] = facts.map(([label, value, title]) =>
    h(
      'div',
      { class: 'fact' },
      h('dt', null, label),
      h('dd', { class: 'num', title: title || null }, value),
    ),
  );
  const wide = (className: string, label: string, value: string, title?: string) =>
    h(
      'div',
      { class: `fact wide ${className}`.trim() },
      h('dt', null, label),
      h('dd', { class: className === 'command' ? 'mono' : null, title: title ?? null }, value),
    );
  if (row.command !== null) {
    const text =
      typeof row.command === 'string' ? row.command : row.command.map(shellWord).join(' ');
    items.push(wide('command', 'Command', text, text));
  }
  if (row.waiting !== null) items.push(wide('waiting', 'Waiting', formatWaiting(row.waiting)));
  if (cancelRequestedAt !== null && !FINAL_STATUSES.has(row.status)) {
    const at = Date.parse(cancelRequestedAt);
    items.push(
      wide(
        'warning',
        'Cancel requested',
        Number.isNaN(at) ? cancelRequestedAt : formatAge(at, nowMs),
        cancelRequestedAt,
      ),
    );
  }
  if (row.error) items.push(wide('error', 'Error', row.error));
  else if (row.message) items.push(wide('', 'Message', row.message));
  return items;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
