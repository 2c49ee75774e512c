import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { afterEach, expect, vi } from 'vitest';
import { writeRun } from './support/run-folders.js';

const cliBin = join(import.meta.dirname, '..', 'bin', 'runboard.js');

interface Dashboard {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Dashboard[] = [];

afterEach(() => {
  for (const { child } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

const test = testWithTempDir('runboard-dashboard-');

function startDashboard(args: string[], env: NodeJS.ProcessEnv = {}): Dashboard {
  const child = spawn(process.execPath, [cliBin, 'dashboard', ...args], {
    env: { ...process.env, RUNBOARD_TOKEN: undefined, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const dashboard = { child, output: () => output, exited };
  started.push(dashboard);
  return dashboard;
}

/** The page URL the dashboard prints, once it prints it (bounded wait). */
function printedUrl(dashboard: Dashboard, timeoutMs = 15_000): Promise<string> {
  return vi.waitFor(
    () => {
      const match = /^ {2}(http:\/\/\S+)$/m.exec(dashboard.output());
      if (!match) throw new Error(`no URL printed; output:\n${dashboard.output()}`);
      return match[1];
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('serves the API and the page on the port it prints, and stops cleanly on SIGTERM', async ({
  dir: root,
}) => {
  await writeRun(root, 'sweep/lr=0.1', { progress: { current: 3, total: 10 } });
  const dashboard = startDashboard(['--root', root, '--port', '0']);
  const url = await printedUrl(dashboard);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await vi.waitFor(() => expect(dashboard.output()).toContain(`1 run under ${root} (indexed in`), {
    timeout: 5000,
  });
  expect(dashboard.output()).toContain('read-only');

  const health = await fetch(new URL('healthz', url));
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', runs: 1 });
  const page = await fetch(url);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain('<script type="module" src="dist/main.js"></script>');
  const script = await fetch(new URL('dist/main.js', url));
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  const runs = (await (await fetch(new URL('api/runs', url))).json()) as { runs: { id: string }[] };
  expect(runs.runs.map((run) => run.id)).toEqual(['sweep/lr=0.1']);

  // An open event stream must not keep the server from stopping.
  const events = await fetch(new URL('api/events', url));
  const reader = events.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^retry: /);

  dashboard.child.kill('SIGTERM');
  expect(await withTimeout(dashboard.exited, 10_000, 'stopping')).toEqual({
    code: 0,
    signal: null,
  });
  expect(dashboard.output()).toContain('SIGTERM, stopping');
  // The stream ended with the server.
  await withTimeout(
    (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done) {
        // Drain what was sent before the end.
      }
    })(),
    5000,
    'the end of the event stream',
  );
  await expect(fetch(new URL('healthz', url))).rejects.toThrow();
});

test('SIGINT (Ctrl-C) stops it too', async ({ dir: root }) => {
  const dashboard = startDashboard(['--root', root, '--port', '0']);
  await printedUrl(dashboard);
  dashboard.child.kill('SIGINT');
  expect(await withTimeout(dashboard.exited, 10_000, 'stopping')).toEqual({
    code: 0,
    signal: null,
  });
});

test('with a token the URL carries it in the fragment, and cancel works with it', async ({
  dir: root,
}) => {
  await writeRun(root, 'sweep/lr=0.1');
  const dashboard = startDashboard(['--root', root, '--port', '0'], {
    RUNBOARD_TOKEN: 's3cret+token',
  });
  const url = await printedUrl(dashboard);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=s3cret%2Btoken$/);
  expect(dashboard.output()).toContain('cancel enabled');
  const base = url.slice(0, url.indexOf('#'));
  const cancel = (authorization?: string) =>
    fetch(new URL('api/runs/sweep/lr%3D0.1/cancel', base), {
      method: 'POST',
      headers: authorization ? { authorization } : {},
    });
  expect((await cancel()).status).toBe(401);
  expect((await cancel('Bearer wrong')).status).toBe(401);
  expect((await cancel('Bearer s3cret+token')).status).toBe(202);
  dashboard.child.kill('SIGTERM');
  await withTimeout(dashboard.exited, 10_000, 'stopping');
});

test('--token-file reads the token from a file, so that it is not in the process list', async ({
  dir: root,
}) => {
  await writeRun(root, 'sweep/lr=0.1');
  const tokenFile = join(root, 'token');
  await writeFile(tokenFile, 'f1le+token\n', { mode: 0o600 });
  const dashboard = startDashboard(['--root', root, '--port', '0', '--token-file', tokenFile]);
  const url = await printedUrl(dashboard);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=f1le%2Btoken$/);
  const commandLine = await readFile(`/proc/${dashboard.child.pid}/cmdline`, 'utf8');
  expect(commandLine).toContain(tokenFile);
  expect(commandLine).not.toContain('f1le+token');
  const cancel = (authorization: string) =>
    fetch(new URL('api/runs/sweep/lr%3D0.1/cancel', url.slice(0, url.indexOf('#'))), {
      method: 'POST',
      headers: { authorization },
    });
  expect((await cancel('Bearer wrong')).status).toBe(401);
  expect((await cancel('Bearer f1le+token')).status).toBe(202);
  dashboard.child.kill('SIGTERM');
  await withTimeout(dashboard.exited, 10_000, 'stopping');

  const missing = startDashboard([
    '--root',
    root,
    '--port',
    '0',
    '--token-file',
    join(root, 'nope'),
  ]);
  expect((await withTimeout(missing.exited, 15_000, 'refusing')).code).toBe(2);
  expect(missing.output()).toMatch(/--token-file.*cannot read it: ENOENT/);
  const both = startDashboard(['--root', root, '--port', '0', '--token-file', tokenFile], {
    RUNBOARD_TOKEN: 'from-the-environment',
  });
  expect((await withTimeout(both.exited, 15_000, 'refusing')).code).toBe(2);
  expect(both.output()).toMatch(/cannot be used with/);
});

test('refuses bad usage: a network address without a token, a bad port or token, a root that is a file', async ({
  dir: root,
}) => {
  const open = startDashboard(['--root', root, '--host', '0.0.0.0', '--port', '0']);
  expect(await withTimeout(open.exited, 15_000, 'refusing')).toEqual({ code: 1, signal: null });
  expect(open.output()).toMatch(/Refusing to listen on 0\.0\.0\.0/);

  const badPort = startDashboard(['--root', root, '--port', '99999']);
  expect((await withTimeout(badPort.exited, 15_000, 'refusing')).code).toBe(2);
  expect(badPort.output()).toContain('expected a port from 0 to 65535');

  const spaced = startDashboard(['--root', root, '--port', '0', '--token', 'has space']);
  expect((await withTimeout(spaced.exited, 15_000, 'refusing')).code).toBe(2);
  expect(spaced.output()).toContain('the token must be printable ASCII without spaces');

  const file = join(root, 'not-a-folder');
  await writeFile(file, '');
  const notAFolder = startDashboard(['--root', file, '--port', '0']);
  expect((await withTimeout(notAFolder.exited, 15_000, 'refusing')).code).toBe(1);
  expect(notAFolder.output()).toMatch(/not a readable folder/);
});

test('with --create, creates a missing root, so it can start before the first launch', async ({
  dir: root,
}) => {
  const later = join(root, 'runs-of-a-launch-to-come');
  const dashboard = startDashboard(['--root', later, '--port', '0', '--create']);
  const url = await printedUrl(dashboard);
  expect(dashboard.output()).toContain(`created the empty root ${later}`);
  expect((await stat(later)).isDirectory()).toBe(true);
  expect((await fetch(new URL('/api/summary', url))).status).toBe(200);
  dashboard.child.kill('SIGTERM');
  await withTimeout(dashboard.exited, 10_000, 'stopping');
});

test('a root that does not exist is refused without --create (a typo shows no empty dashboard)', async ({
  dir: root,
}) => {
  const typo = join(root, 'lgos');
  const dashboard = startDashboard(['--root', typo, '--port', '0']);
  expect((await withTimeout(dashboard.exited, 15_000, 'refusing')).code).toBe(1);
  expect(dashboard.output()).toBe(
    `runboard dashboard: --root ${typo} does not exist; check the path, ` +
      'or add --create to start with an empty root (before the first launch)\n',
  );
  await expect(stat(typo)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a port in use says so and what to try', async ({ dir: root }) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const dashboard = startDashboard(['--root', root, '--port', String(port)]);
    expect((await withTimeout(dashboard.exited, 15_000, 'refusing')).code).toBe(1);
    expect(dashboard.output()).toContain(
      `runboard dashboard: port ${port} on 127.0.0.1 is in use (another dashboard?); ` +
        'try --port 0 for any free port, or another --port (PORT=… for npm start)\n',
    );
  } finally {
    taken.close();
  }
});
