import { StringDecoder } from 'node:string_decoder';
import { checkNumberOption } from '@runboard/locking';

/** Longest segment kept for parsing; the rest of a longer one is skipped (run.log keeps it all). */
export const DEFAULT_MAX_SEGMENT_LENGTH = 64 * 1024;

/**
 * Splits a byte stream into the segments a progress parser needs: text between `\n` or `\r`
 * (tqdm redraws its bar after a `\r`). Chunks may end anywhere, also inside a UTF-8 character
 * or a `\r\n` pair: a segment is only emitted once its terminator has arrived, or by `end()`.
 * Empty segments are not emitted. A segment longer than `maxSegmentLength` is cut there and
 * the rest of it up to the next terminator is dropped, so memory stays bounded.
 *
 * @example
 * const splitter = new OutputLineSplitter((segment) => console.log(segment));
 * splitter.push(Buffer.from(' 10%|█ | 1/10 [00:01<00:09]\r 20%|'));
 * splitter.end();
 */
export class OutputLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skippingRest = false;

  constructor(
    private readonly onSegment: (segment: string) => void,
    private readonly maxSegmentLength: number = DEFAULT_MAX_SEGMENT_LENGTH,
  ) {
    checkNumberOption('maxSegmentLength', maxSegmentLength, { integer: true, min: 1 });
  }

  /** Feeds the next chunk of output. */
  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      this.append(text, start, index);
      this.emitPending();
      start = index + 1;
    }
    this.append(text, start, text.length);
  }

  /** Emits the last, unterminated segment. */
  end(): void {
    this.append(this.decoder.end(), 0, undefined);
    this.emitPending();
  }

  private append(text: string, start: number, end: number | undefined): void {
    if (this.skippingRest || start === end) return;
    const room = this.maxSegmentLength - this.pending.length;
    const piece = text.slice(start, end);
    if (piece.length <= room) {
      this.pending += piece;
      return;
    }
    this.pending += piece.slice(0, room);
    this.skippingRest = true;
  }

  private emitPending(): void {
    const segment = this.pending;
    this.pending = '';
    this.skippingRest = false;
    if (segment.length > 0) this.onSegment(segment);
  }
}
