import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
  isLoopbackHost,
  sharedFileSystemOf,
  startDashboardServer,
} from '@runboard/dashboard-api';
import type { DashboardServer } from '@runboard/dashboard-api';
import { WEB_ENTRY_SCRIPT, webAssetsDir } from '@runboard/web';
import { terminalText } from '../terminal/terminal-text.js';
import { exitCodeAction } from './exit-code-action.js';
import { rootOption } from './root-option.js';

interface DashboardFlags {
  root: string;
  host: string;
  port: number;
  token?: string;
  /** The token read from `--token-file`. */
  tokenFile?: string;
  poll?: boolean;
  create?: boolean;
}

/** A shutdown that takes longer than this (a stuck socket) is cut short. */
const CLOSE_TIMEOUT_MS = 5000;
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * `runboard dashboard [--root DIR] [--create] [--host 127.0.0.1] [--port 8787] [--token T | --token-file F] [--poll]`:
 * serves the live dashboard (the web page and its API) over the run folders until Ctrl-C
 * (SIGINT) or SIGTERM, then shuts down cleanly. Prints the page's URL; with a token the URL
 * carries it in the fragment (`#token=…`), which browsers never send to the server. The token
 * can also come from `RUNBOARD_TOKEN` or a file (`--token-file`), which keep it out of the
 * process list (`ps` shows a `--token` argument to every user of the machine).
 * A root that does not exist is refused (a typo should not show an empty dashboard) unless
 * `--create`. A root on a shared file system (NFS, sshfs, Lustre …) is polled, with a warning
 * that says so; `--poll` polls any root. The SSH server pool a launch recorded under the root
 * is sampled over `ssh` while a page is open, with `RUNBOARD_SSH_CONFIG` (an `ssh_config`) as
 * `ssh -F`, as `runboard launch` does. Exit 0 after a signal; 1 when the dashboard cannot start
 * (the root is missing, the port in use); 2 for bad usage.
 *
 * @example
 * runboard dashboard --root logs
 * RUNBOARD_TOKEN=$(openssl rand -hex 16) runboard dashboard --root logs --host 0.0.0.0
 * runboard dashboard --root logs --token-file ~/.config/runboard/token
 */
export function dashboardCommand(): Command {
  return (
    new Command('dashboard')
      // Usage errors reach main(), which exits 2 (addCommand does not inherit this setting).
      .exitOverride()
      .description('Serve the live dashboard over the run folders until Ctrl-C.')
      .addOption(rootOption())
      .option(
        '--host <host>',
        'address to listen on; other than loopback it needs a token',
        DEFAULT_DASHBOARD_HOST,
      )
      .addOption(
        new Option('--port <port>', 'port to listen on (0: any free port)')
          .argParser(parsePort)
          .default(DEFAULT_DASHBOARD_PORT),
      )
      .addOption(
        new Option(
          '--token <token>',
          'enables cancel from the page (and guards reads off loopback)',
        )
          .env('RUNBOARD_TOKEN')
          .argParser(parseToken),
      )
      .addOption(
        new Option('--token-file <file>', 'read the token from a file (its first line)')
          .argParser(readTokenFile)
          .conflicts('token'),
      )
      .option(
        '--poll',
        'poll the file system instead of OS file events (a root on NFS, sshfs, Lustre … is polled anyway)',
      )
      .option('--create', 'create the root when it does not exist (before the first launch)')
      .action(exitCodeAction(serveDashboard))
  );
}

async function serveDashboard(flags: DashboardFlags): Promise<number> {
  const token = flags.token ?? flags.tokenFile;
  if (!existsSync(join(webAssetsDir, WEB_ENTRY_SCRIPT))) {
    process.stderr.write(
      `runboard dashboard: warning: the web page is not built (${join(webAssetsDir, WEB_ENTRY_SCRIPT)} is missing); ` +
        'the API works, the page will not. Run `npm run build`.\n',
    );
  }
  let server: DashboardServer;
  try {
    // A typo in --root must not show an empty dashboard; before the first launch, --create.
    if (!existsSync(flags.root)) {
      if (!flags.create) {
        process.stderr.write(
          `runboard dashboard: --root ${flags.root} does not exist; check the path, ` +
            'or add --create to start with an empty root (before the first launch)\n',
        );
        return 1;
      }
      mkdirSync(flags.root, { recursive: true });
      process.stdout.write(`runboard dashboard: created the empty root ${flags.root}\n`);
    }
    server = await startDashboardServer({
      root: flags.root,
      host: flags.host,
      port: flags.port,
      ...(token ? { token } : {}),
      poll: flags.poll === true,
      // The pool's servers are reached as the launcher reaches them.
      serverPool: {
        sshArgs: process.env.RUNBOARD_SSH_CONFIG ? ['-F', process.env.RUNBOARD_SSH_CONFIG] : [],
      },
      // Serve at once; the page says "indexing N / M" until the index is complete.
      background: true,
      staticDir: webAssetsDir,
      onWarning: (warning) =>
        process.stderr.write(`runboard dashboard: warning: ${terminalText(warning.message)}\n`),
    });
  } catch (error) {
    process.stderr.write(`runboard dashboard: ${startProblem(error, flags)}\n`);
    return 1;
  }

  const pageUrl = token ? `${server.url}#token=${encodeURIComponent(token)}` : server.url;
  const access = !token
    ? 'read-only (start with --token to cancel runs from the page)'
    : isLoopbackHost(flags.host)
      ? 'cancel enabled by the token in the URL'
      : 'every request needs the token in the URL';
  process.stdout.write(
    `runboard dashboard: serving the runs under ${server.index.root}\n` +
      `\n  ${pageUrl}\n\n` +
      `${access}; watching with ${watchedBy(flags, server.index.root)}. Ctrl-C stops it.\n`,
  );
  // The page is served while the first scan goes on (it shows "indexing N / M"); say when it ends.
  const indexStart = performance.now();
  server.index.whenIndexed().then(
    () => {
      const size = server.index.size;
      const seconds = ((performance.now() - indexStart) / 1000).toFixed(1);
      process.stdout.write(
        `runboard dashboard: ${size} run${size === 1 ? '' : 's'} under ${server.index.root} (indexed in ${seconds} s)\n`,
      );
    },
    (error: unknown) =>
      process.stderr.write(
        `runboard dashboard: indexing failed: ${terminalText(error instanceof Error ? error.message : String(error))}\n`,
      ),
  );

  const signal = await waitForShutdownSignal();
  process.stdout.write(`runboard dashboard: ${signal}, stopping\n`);
  const closed = await Promise.race([
    server.close().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS).unref()),
  ]);
  if (!closed) process.stderr.write('runboard dashboard: shutdown took too long; exiting anyway\n');
  return 0;
}

/** How the root is watched: its file system's polling is also explained by a warning. */
function watchedBy(flags: DashboardFlags, root: string): string {
  if (flags.poll) return 'polling (--poll)';
  const shared = sharedFileSystemOf(root);
  return shared ? `polling (${shared.name} file system)` : 'file events';
}

/** Why the server did not start, in words that say what to do. */
function startProblem(error: unknown, flags: DashboardFlags): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return (
      `port ${flags.port} on ${flags.host} is in use (another dashboard?); ` +
      'try --port 0 for any free port, or another --port (PORT=… for npm start)'
    );
  if (code === 'EACCES' && flags.port < 1024)
    return `port ${flags.port} needs privileges; try a port from 1024 up, or --port 0`;
  return error instanceof Error ? error.message : String(error);
}

/** Resolves with the first SIGINT or SIGTERM; a second one during shutdown exits at once. */
function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const name of SHUTDOWN_SIGNALS) process.off(name, onSignal);
      for (const name of SHUTDOWN_SIGNALS) process.once(name, () => process.exit(130));
      resolve(signal);
    };
    for (const name of SHUTDOWN_SIGNALS) process.on(name, onSignal);
  });
}

/** A token travels in `Authorization: Bearer <token>`: one word of printable ASCII. */
function parseToken(value: string): string {
  if (!/^[\x21-\x7e]{1,512}$/.test(value)) {
    throw new InvalidArgumentError(
      'the token must be printable ASCII without spaces (at most 512 characters)',
    );
  }
  return value;
}

/** The token in the first line of `file` (a trailing newline or spaces are not part of it). */
function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(
      `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const line = text.split(/\r?\n/, 1)[0].trim();
  if (line === '') throw new InvalidArgumentError('its first line is empty');
  return parseToken(line);
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return port;
}
