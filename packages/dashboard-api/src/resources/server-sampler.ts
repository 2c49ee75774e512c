import { SshConnection } from '@runboard/launcher';
import type { ResolvedServer, SshConnectionOptions } from '@runboard/launcher';
import { parseServerAnswer, serverQueryCommand } from './server-query.js';
import type { ServerAnswer } from './server-query.js';

/** What the dashboard knows of one server now. */
export type ServerState =
  /** No query has ended yet. */
  | { kind: 'pending' }
  | { kind: 'answered'; answer: ServerAnswer; at: number }
  | { kind: 'unreachable'; error: string; at: number };

export interface ServerSamplerOptions extends SshConnectionOptions {
  /** Least time between the starts of two queries. */
  minIntervalMs: number;
}

/**
 * One server of the pool, sampled over its own ControlMaster connection: at most one query in
 * flight and at most one started per `minIntervalMs`, however often it is asked.
 *
 * @example
 * const sampler = new ServerSampler(server, { controlDir, minIntervalMs: 2000 });
 * await sampler.refresh(Date.now());
 * sampler.state; // { kind: 'answered', answer: { hostname: 'gpu-a', gpus: [...] }, at }
 */
export class ServerSampler {
  private readonly connection: SshConnection;
  private current: ServerState = { kind: 'pending' };
  private inFlight: Promise<void> | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private isClosed = false;

  constructor(
    readonly server: ResolvedServer,
    private readonly options: ServerSamplerOptions,
  ) {
    this.connection = new SshConnection(server, options);
  }

  get state(): ServerState {
    return this.current;
  }

  /**
   * Starts a query when none is in flight and the last one started `minIntervalMs` ago or
   * more; resolves when the query in flight (if any) has ended. Never rejects.
   */
  refresh(now: number): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    if (!this.inFlight && now - this.lastStart >= this.options.minIntervalMs) {
      this.lastStart = now;
      this.inFlight = this.query().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight ?? Promise.resolve();
  }

  /** Ends the master connection (`ssh -O exit`); a later `refresh` opens a new one. */
  async close(): Promise<void> {
    await this.inFlight;
    await this.connection.close();
  }

  /** Closes for good: no query starts after this. */
  async dispose(): Promise<void> {
    this.isClosed = true;
    await this.close();
  }

  private async query(): Promise<void> {
    try {
      const result = await this.connection.run(serverQueryCommand(this.server.env));
      const answer = parseServerAnswer(result.stdout);
      if (answer.hostname === '')
        throw new Error(
          `no answer to the query (exit ${result.code}): ${firstLine(result.stderr)}`,
        );
      this.current = { kind: 'answered', answer, at: Date.now() };
    } catch (error) {
      this.current = { kind: 'unreachable', error: describe(error), at: Date.now() };
    }
  }
}

function describe(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  if (typeof stderr === 'string' && stderr.trim() !== '') return lastLines(stderr);
  return error instanceof Error ? error.message : String(error);
}

/** ssh's last words (`ssh: connect to host … port 2222: Connection refused`). */
function lastLines(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-2).join('; ');
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
