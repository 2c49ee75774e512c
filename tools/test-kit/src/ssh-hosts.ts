// The simulated SSH hosts of tools/ci/start-sshd.sh, for tests and benchmarks. A separate entry
// (`@runboard/test-kit/ssh-hosts`) that loads no vitest: benchmarks run outside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where tools/ci/start-sshd.sh keeps the hosts' keys, ssh_config, sshd logs (`RUNBOARD_SSH_CI`). */
export const SSH_CI_DIR = process.env.RUNBOARD_SSH_CI ?? '/tmp/runboard-ssh-ci';
/** The ssh_config that names the hosts (`ssh -F`). */
export const SSH_CONFIG = join(SSH_CI_DIR, 'ssh_config');
/** The ssh client's arguments for the hosts. */
export const SSH_ARGS: readonly string[] = ['-F', SSH_CONFIG];
/** The two hosts tools/ci/start-sshd.sh starts by default (127.0.0.2 and 127.0.0.3, port 2222). */
export const SIMULATED_HOSTS = ['gpu-a', 'gpu-b'] as const;

/**
 * Runs `command` on a simulated host over a fresh connection (no ControlMaster).
 *
 * @example
 * expect(sshRun('gpu-a', 'hostname').stdout.trim()).toBe('gpu-a');
 */
export function sshRun(
  host: string,
  command: string,
  extraArgs: readonly string[] = [],
): { status: number | null; stdout: string } {
  const result = spawnSync('ssh', [...SSH_ARGS, ...extraArgs, host, command], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout ?? '' };
}

/**
 * Why the simulated hosts cannot be used here, or `undefined` when every host of `hosts` answers
 * with its own hostname (tools/ci/start-sshd.sh starts them, as root; CI must).
 *
 * @example
 * const skip = sshSkipReason();
 * describe.skipIf(skip !== undefined)('over SSH', () => { ... });
 */
export function sshSkipReason(hosts: readonly string[] = SIMULATED_HOSTS): string | undefined {
  if (!existsSync(SSH_CONFIG)) return `${SSH_CONFIG} is missing (run tools/ci/start-sshd.sh)`;
  for (const host of hosts) {
    const answer = sshRun(host, 'hostname');
    if (answer.status !== 0 || answer.stdout.trim() !== host)
      return `simulated host ${host} does not answer (run tools/ci/start-sshd.sh)`;
  }
  return undefined;
}

/** A key authorized on every simulated host, made by {@link authorizeSshKey}. */
export interface AuthorizedSshKey {
  /** The private key's path (`ssh -i`). */
  file: string;
  /** `SHA256:…`, as sshd logs it. */
  fingerprint: string;
  /** Its `authorized_keys` line, for {@link revokeSshKey}. */
  line: string;
}

/**
 * Makes a key of the caller's own in `dir` and authorizes it on every simulated host: logins
 * with it are counted by {@link sshHandshakes}, apart from anyone else's.
 *
 * @example
 * const key = authorizeSshKey(dir);
 * sshRun('gpu-a', 'true', ['-i', key.file]);
 * expect(sshHandshakes(['gpu-a'], key.fingerprint)).toBe(1);
 */
export function authorizeSshKey(dir: string, comment = 'runboard-test'): AuthorizedSshKey {
  const file = join(dir, 'id_test');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8');
  appendFileSync(join(SSH_CI_DIR, 'authorized_keys'), line);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' });
  return { file, fingerprint: fingerprint.split(' ')[1], line: line.trim() };
}

/**
 * Takes a key out of `authorized_keys` again (a rename: sshd never reads half a file).
 *
 * @example
 * revokeSshKey(key);
 */
export function revokeSshKey(key: Pick<AuthorizedSshKey, 'line'>): void {
  const file = join(SSH_CI_DIR, 'authorized_keys');
  const kept = readFileSync(file, 'utf8')
    .split('\n')
    .filter((entry) => entry.trim() !== key.line);
  writeFileSync(`${file}.revoking`, kept.join('\n'));
  renameSync(`${file}.revoking`, file);
}

/**
 * Logins (handshakes) with the key `fingerprint` in the hosts' sshd logs so far.
 *
 * @example
 * const before = sshHandshakes(SIMULATED_HOSTS, key.fingerprint);
 */
export function sshHandshakes(hosts: readonly string[], fingerprint: string): number {
  let count = 0;
  for (const host of hosts) {
    const log = join(SSH_CI_DIR, 'hosts', host, 'sshd.log');
    if (!existsSync(log)) continue;
    // sshd -E writes its lines with \r\n.
    for (const line of readFileSync(log, 'utf8').split('\n'))
      if (line.includes('Accepted publickey') && line.trimEnd().endsWith(fingerprint)) count++;
  }
  return count;
}
