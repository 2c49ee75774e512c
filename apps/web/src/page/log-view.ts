import { toLogPiece } from './api-client.js';
import type { ApiClient, LogPiece } from './api-client.js';
import { byId, h, setText } from './dom.js';
import { connectEvents } from './event-stream.js';
import type { ConnectionState } from './event-stream.js';
import { splitLogMarkers } from './log-markers.js';
import { terminalText } from './log-text.js';

const LOG_TAIL_LINES = 400;
/** The log text kept for display; older text is dropped at a line start. */
const MAX_LOG_CHARS = 400_000;

/**
 * The selected run's log: its own stream (`GET /api/runs/<id>/log?follow=1`), so new lines
 * show as they are written; the view scrolls with them while it is at the bottom. Progress
 * marker lines (`##runboard {…}`) show as compact metrics lines (the raw line in their
 * tooltip); the `raw` box shows the log exactly as written.
 */
export class LogView {
  private readonly log = byId<HTMLPreElement>('detail-log');
  private readonly follow = byId<HTMLInputElement>('detail-follow');
  private readonly raw = byId<HTMLInputElement>('detail-raw');
  private runId: string | null = null;
  private text = '';
  private exists = false;
  private stream: { close: () => void; reconnect: () => void } | null = null;

  constructor(private readonly api: ApiClient) {
    this.log.addEventListener('scroll', () => {
      const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
      if (this.follow.checked !== atBottom) this.follow.checked = atBottom;
    });
    this.follow.addEventListener('change', () => {
      if (this.follow.checked) this.scrollToEnd();
    });
    this.raw.addEventListener('change', () => this.render());
  }

  /** Shows the log of run `id` from a fresh tail, following it. */
  open(id: string): void {
    this.close();
    this.runId = id;
    this.text = '';
    this.log.textContent = 'Loading…';
    this.follow.checked = true;
    this.stream = connectEvents({
      url: this.api.logStreamUrl(id, LOG_TAIL_LINES),
      headers: () => this.api.authHeaders(),
      handlers: {
        log: (data) => {
          const piece = toLogPiece(data);
          if (piece && id === this.runId) this.append(piece);
        },
      },
      // Each connection starts with a fresh tail (`reset`), so nothing to reload here.
      onOpen: () => {},
      onState: (state: ConnectionState) => {
        if (state === 'live' || id !== this.runId || this.text !== '') return;
        setText(
          this.log,
          state === 'unauthorized' ? 'No log: the dashboard needs its token.' : 'Loading…',
        );
      },
    });
  }

  close(): void {
    this.runId = null;
    this.stream?.close();
    this.stream = null;
  }

  /** The token changed: reconnect with it. */
  reconnect(): void {
    this.stream?.reconnect();
  }

  private append(piece: LogPiece): void {
    this.text = piece.reset ? piece.text : this.text + piece.text;
    this.exists = piece.exists;
    if (this.text.length > MAX_LOG_CHARS) {
      const cut = this.text.indexOf('\n', this.text.length - MAX_LOG_CHARS);
      this.text = this.text.slice(cut < 0 ? this.text.length - MAX_LOG_CHARS : cut + 1);
    }
    this.render();
  }

  private render(): void {
    const text = terminalText(this.text).replace(/\n$/, '');
    this.log.classList.toggle('muted', text === '');
    if (text === '') {
      setText(this.log, this.exists ? '(the log is empty)' : '(no log yet)');
    } else if (this.raw.checked || !text.includes('##runboard')) {
      setText(this.log, text);
    } else {
      this.log.replaceChildren(
        ...splitLogMarkers(text).map((segment) =>
          segment.kind === 'text'
            ? segment.text
            : h(
                'span',
                {
                  class: segment.summary === null ? 'log-marker invalid' : 'log-marker',
                  title: segment.raw,
                },
                segment.summary ?? segment.raw,
              ),
        ),
      );
    }
    if (this.follow.checked) this.scrollToEnd();
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
