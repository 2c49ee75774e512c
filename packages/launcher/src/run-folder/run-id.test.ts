import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import {
  assertValidRunId,
  InvalidRunIdError,
  isValidRunId,
  resolveRunDir,
  runIdProblem,
} from './run-id.js';

const test = testWithTempDir('runboard-run-id-');

describe('run ids', () => {
  test.each([
    'a',
    'benchmarks/change_detection/cdd/Changer-s50_run_2',
    'sweep/lr=0.1,seed=2',
    'user@host+x',
    'a.b/c.d',
    'logs/x', // reserved only as the last segment
    'x/log.txt',
    `a/${'x'.repeat(255)}`, // a folder name of 255 bytes: the most file systems allow
  ])('accepts %j', (id) => {
    expect(runIdProblem(id)).toBeUndefined();
    expect(isValidRunId(id)).toBe(true);
  });

  test.each([
    ['', /empty/],
    ['../etc', /"\.\."/],
    ['a/../../etc', /"\.\."/],
    ['a/./b', /"\."/],
    ['..', /"\.\."/],
    ['/abs/path', /absolute/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['/', /absolute/],
    ['.hidden', /starts with a dot/],
    ['a/.git', /starts with a dot/],
    ['a\\b', /backslash/],
    ['..\\..\\windows', /backslash/],
    ['a\0b', /NUL/],
    ['with space', /may only contain/],
    ['tab\there', /may only contain/],
    ['new\nline', /may only contain/],
    ['semi;colon', /may only contain/],
    ['dollar$', /may only contain/],
    ['quote"', /may only contain/],
    ['ünïcode', /may only contain/],
    ['%2e%2e', /may only contain/],
    ['C:/windows', /may only contain/],
    ['run/log', /reserved/],
    ['metrics', /reserved/],
    ['a/cancel', /reserved/],
    ['x'.repeat(1025), /longer than/],
    [
      `a/${'x'.repeat(256)}/b`,
      /^segment "x{32}…" is 256 bytes long; a folder name may have at most 255$/,
    ],
  ])('rejects %j', (id, reason) => {
    expect(runIdProblem(id)).toMatch(reason);
    expect(() => assertValidRunId(id)).toThrow(InvalidRunIdError);
  });

  test('a non-string is refused, not thrown on', () => {
    expect(runIdProblem(42 as unknown as string)).toMatch(/not a string/);
  });

  test('InvalidRunIdError carries a stable code, the id and the reason', () => {
    try {
      assertValidRunId('../x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRunIdError);
      expect(error).toMatchObject({
        name: 'InvalidRunIdError',
        code: 'RUNBOARD_INVALID_RUN_ID',
        runId: '../x',
      });
      expect((error as Error).message).toContain('"../x"');
    }
  });
});

describe('resolveRunDir', () => {
  test('joins the segments under the root, which need not exist yet', ({ dir }) => {
    expect(resolveRunDir(join(dir, 'logs'), 'cdd/run_2')).toBe(join(dir, 'logs', 'cdd', 'run_2'));
  });

  test('refuses a folder that leaves the root through a symbolic link', async ({ dir }) => {
    const root = join(dir, 'logs');
    await mkdir(join(root, 'cdd'), { recursive: true });
    await mkdir(join(dir, 'outside'));
    await symlink(join(dir, 'outside'), join(root, 'cdd', 'escape'));
    expect(() => resolveRunDir(root, 'cdd/escape/run')).toThrow(/outside the root/);
    expect(() => resolveRunDir(root, 'cdd/escape')).toThrow(/outside the root/);
  });

  test('refuses a dangling symbolic link on the way', async ({ dir }) => {
    const root = join(dir, 'logs');
    await mkdir(root, { recursive: true });
    await symlink(join(dir, 'nowhere'), join(root, 'dangling'));
    expect(() => resolveRunDir(root, 'dangling/run')).toThrow(/dangling symbolic link/);
  });

  test('allows a root that is itself reached through a symbolic link, existing or not', async ({
    dir,
  }) => {
    await mkdir(join(dir, 'disk'));
    await symlink(join(dir, 'disk'), join(dir, 'linked'));
    expect(resolveRunDir(join(dir, 'linked', 'logs'), 'a/b')).toBe(
      join(dir, 'linked', 'logs', 'a', 'b'),
    );
    await mkdir(join(dir, 'disk', 'logs'));
    expect(resolveRunDir(join(dir, 'linked', 'logs'), 'a/b')).toBe(
      join(dir, 'linked', 'logs', 'a', 'b'),
    );
  });

  test('a symbolic link inside the root that stays inside is fine', async ({ dir }) => {
    const root = join(dir, 'logs');
    await mkdir(join(root, 'real'), { recursive: true });
    await symlink(join(root, 'real'), join(root, 'alias'));
    expect(resolveRunDir(root, 'alias/run')).toBe(join(root, 'alias', 'run'));
  });

  test('validates the id first', ({ dir }) => {
    expect(() => resolveRunDir(dir, '../../etc/passwd')).toThrow(InvalidRunIdError);
  });
});
