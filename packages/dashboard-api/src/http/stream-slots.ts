import { API_ERROR_CODES, ApiError } from './api-error.js';

/** What a client that finds every slot taken is told to wait before trying again, seconds. */
const RETRY_AFTER_SECONDS = 10;

/**
 * The live streams one app may hold open at once (`/api/events` and followed logs together):
 * each costs a subscription or a file watch for as long as the client stays.
 *
 * @example
 * const slots = new StreamSlots(100);
 * const release = slots.acquire(); // throws a 503 ApiError when all 100 are taken
 * // … when the stream ends:
 * release();
 */
export class StreamSlots {
  private taken = 0;

  constructor(readonly max: number) {}

  /** Streams open now. */
  get size(): number {
    return this.taken;
  }

  /**
   * Takes a slot; returns the function that gives it back (once, however often it is called).
   *
   * @throws {ApiError} 503 `TOO_MANY_STREAMS`, with `Retry-After`, when every slot is taken.
   */
  acquire(): () => void {
    if (this.taken >= this.max) {
      throw new ApiError(
        503,
        API_ERROR_CODES.tooManyStreams,
        `This dashboard already serves ${this.max} live streams; close a page or try again later`,
        { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } },
      );
    }
    this.taken += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken -= 1;
    };
  }
}
