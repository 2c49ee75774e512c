import { describe, expect, it } from 'vitest';
import { commandHash } from './command-hash.js';

const spec = { command: ['python', 'train.py'], env: { A: '1', B: '2' }, cwd: '/work' };

describe('commandHash', () => {
  it('is 16 hex digits, the same for the same command, env (in any order) and cwd', () => {
    expect(commandHash(spec)).toMatch(/^[0-9a-f]{16}$/);
    expect(commandHash({ ...spec, env: { B: '2', A: '1' } })).toBe(commandHash(spec));
  });

  it('changes with the command, an env value and the cwd', () => {
    const hashes = [
      spec,
      { ...spec, command: ['python', 'train.py', '--fix'] },
      { ...spec, command: 'python train.py' },
      { ...spec, env: { A: '1', B: '3' } },
      { ...spec, env: { A: '1' } },
      { ...spec, cwd: '/elsewhere' },
    ].map(commandHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
