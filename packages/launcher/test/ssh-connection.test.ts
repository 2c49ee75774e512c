import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeOrSkip } from '@runboard/test-kit';
import { authorizeSshKey, sshHandshakes } from '@runboard/test-kit/ssh-hosts';
import { expect } from 'vitest';
import { loadPlan } from '../src/index.js';
import { SshConnection, SshHostCheckError } from '../src/launch/executors/ssh/index.js';
import {
  server,
  SSH_ARGS,
  sshExecutor,
  sshRun,
  sshSkipReason,
  sshTest as test,
  writeSshPlan,
} from './ssh-helpers.js';

const describeOnHosts = describeOrSkip(sshSkipReason(), 'SSH tests');

describeOnHosts('SSH connections', () => {
  test(
    '100 commands on one server cost one handshake (ControlMaster)',
    { timeout: 240_000 },
    async ({ dir }) => {
      const file = await writeSshPlan(dir, { runs: [{ id: 'a', command: ['true'] }] });
      const plan = await loadPlan(file);
      // Our own key: other tests' logins to gpu-a (files run in parallel) are not counted.
      const key = authorizeSshKey(dir);
      const count = () => sshHandshakes(['gpu-a'], key.fingerprint);
      const controlDir = join(dir, 'control');
      await mkdir(controlDir, { mode: 0o700 });
      const connection = new SshConnection(
        { ...plan.servers![0], identityFile: key.file },
        {
          controlDir,
          sshArgs: SSH_ARGS,
          timeoutMs: 60_000,
        },
      );
      const outputs: string[] = [];
      let started = performance.now();
      // Ten in flight at a time, from the first: the first command opens the master alone.
      for (let batch = 0; batch < 10; batch++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, index) => connection.run(`echo ${batch * 10 + index}`)),
        );
        outputs.push(...results.map((result) => result.stdout.trim()));
      }
      const pooledMs = (performance.now() - started) / 100;
      expect(outputs).toEqual(Array.from({ length: 100 }, (_, index) => String(index)));
      await expect.poll(count).toBe(1);
      expect(connection.commands).toBe(100);
      // A remote command's own failure is its status; one with no answer in time is an error
      // that says it timed out (it may have run there: a start is then not "unreached").
      expect(await connection.run('exit 3')).toMatchObject({ code: 3 });
      await expect(connection.run('sleep 5', { timeoutMs: 300 })).rejects.toMatchObject({
        name: 'SshCommandError',
        timedOut: true,
        message: expect.stringContaining('no answer in 300 ms'),
      });
      await connection.close();
      started = performance.now();
      for (let index = 0; index < 5; index++)
        expect(sshRun('gpu-a', 'true', ['-i', key.file]).status).toBe(0);
      const freshMs = (performance.now() - started) / 5;
      await expect.poll(count).toBe(6);
      console.log(
        `ssh commands: ${pooledMs.toFixed(0)} ms each over one ControlMaster (10 in flight), ${freshMs.toFixed(0)} ms each with a fresh connection`,
      );
    },
  );

  test(
    'a server without the shared root is refused before any run is claimed, naming it',
    { timeout: 60_000 },
    async ({ dir }) => {
      const root = join(dir, 'logs');
      await mkdir(root, { recursive: true });
      // In gpu-b's own mount namespace only, an empty tmpfs hides the root: not mounted there.
      expect(sshRun('gpu-b', `mount -t tmpfs tmpfs ${root}`).status).toBe(0);
      try {
        const file = await writeSshPlan(dir, { runs: [{ id: 'a', command: ['true'] }] });
        const error = await sshExecutor(file).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(SshHostCheckError);
        expect((error as SshHostCheckError).code).toBe('RUNBOARD_SSH_HOST_CHECK');
        expect((error as SshHostCheckError).server).toBe('gpu-b');
        expect((error as Error).message).toMatch(
          /^server gpu-b: the run root .* is not the shared one there/,
        );
        expect(spawnSync('ls', ['-A', root], { encoding: 'utf8' }).stdout.trim()).toBe('.runboard');
      } finally {
        sshRun('gpu-b', `umount ${root}`);
      }
    },
  );

  test(
    'a server without runboard, or with another version, is refused naming it',
    { timeout: 60_000 },
    async ({ dir }) => {
      const missing = await writeSshPlan(dir, {
        servers: [
          await server(dir, 'gpu-a'),
          await server(dir, 'gpu-b', { runboard: '/nonexistent/runboard' }),
        ],
        runs: [{ id: 'a', command: ['true'] }],
      });
      await expect(sshExecutor(missing)).rejects.toThrow(
        'server gpu-b: runboard (/nonexistent/runboard) is not installed there',
      );
      const other = await writeSshPlan(dir, { runs: [{ id: 'a', command: ['true'] }] });
      await expect(sshExecutor(other, { version: '9.9.9' })).rejects.toThrow(
        /^server gpu-a: runboard there is "runboard-test", not version 9\.9\.9$/,
      );
      const executor = await sshExecutor(other, { version: 'runboard-test' });
      expect(executor.servers?.usable('gpu-a')).toBe(true);
      expect(executor.monitor.probes().get('gpu-b')?.hostname).toBe('gpu-b');
      await executor.shutdown();
    },
  );
});
