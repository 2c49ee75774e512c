import { describe, expect, test } from 'vitest';
import { describeExit } from './exit-description.js';

describe('describeExit', () => {
  test('exit codes, with 126 and 127 in plain words', () => {
    expect(describeExit({ exitCode: 3, signal: null })).toBe('exited with code 3');
    expect(describeExit({ exitCode: 0, signal: null })).toBe('exited with code 0');
    expect(describeExit({ exitCode: 127, signal: null })).toBe(
      'exited with code 127 (command not found)',
    );
    expect(describeExit({ exitCode: 126, signal: null })).toBe(
      'exited with code 126 (command found but not executable)',
    );
    expect(describeExit({ exitCode: 137, signal: null })).toBe('exited with code 137');
  });

  test('signals by name and number, given either way', () => {
    expect(describeExit({ exitCode: null, signal: 'SIGKILL' })).toBe(
      'killed by SIGKILL (signal 9)',
    );
    expect(describeExit({ exitCode: null, signal: 'SIGTERM' })).toBe(
      'killed by SIGTERM (signal 15)',
    );
    expect(describeExit({ exitCode: null, signal: 11 })).toBe('killed by SIGSEGV (signal 11)');
    expect(describeExit({ exitCode: null, signal: 'SIGNOPE' })).toBe('killed by SIGNOPE');
    expect(describeExit({ exitCode: null, signal: 250 })).toBe('killed by signal 250');
  });

  test('neither an exit code nor a signal', () => {
    expect(describeExit({ exitCode: null, signal: null })).toBe(
      'ended without an exit code or signal',
    );
  });
});
