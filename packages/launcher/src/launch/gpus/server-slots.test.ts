import { describe, expect, test } from 'vitest';
import type { ResolvedServer } from '../../plan/resolve-servers.js';
import { ServerSlots } from './server-slots.js';

const server = (name: string, gpus: number[], maxRuns: number): ResolvedServer => ({
  name,
  host: name,
  local: false,
  gpus,
  env: {},
  maxRuns,
});

describe('ServerSlots', () => {
  test('places on the server with the most free run slots, within maxRuns and its GPUs', () => {
    const slots = new ServerSlots([server('a', [0, 1], 2), server('b', [0], 1)], 1);
    expect(slots.allocate({ gpuCount: 1 })).toEqual({ server: 'a', gpus: [0] });
    expect(slots.allocate({ gpuCount: 1 })).toEqual({ server: 'a', gpus: [1] }); // tie: plan order
    expect(slots.allocate({ gpuCount: 1 })).toEqual({ server: 'b', gpus: [0] });
    expect(slots.allocate({ gpuCount: 1 })).toBeUndefined();
    slots.release('a', [1]);
    expect(slots.allocate({ gpuCount: 1, servers: ['b'] })).toBeUndefined();
    expect(slots.allocate({ gpuCount: 1, pinnedGpus: [1], servers: ['a'] })).toEqual({
      server: 'a',
      gpus: [1],
    });
    expect(slots.usage()).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  test('CPU runs up to maxRuns; unusable servers, policy and other launchers are respected', () => {
    const slots = new ServerSlots([server('a', [], 2), server('b', [0, 1], 4)], 1);
    const cpu = { gpuCount: 0 };
    expect(slots.allocate(cpu, { usable: (name) => name === 'a' })).toEqual({
      server: 'a',
      gpus: [],
    });
    expect(slots.allocate(cpu, { usable: (name) => name === 'a' })).toEqual({
      server: 'a',
      gpus: [],
    });
    expect(slots.allocate(cpu, { usable: (name) => name === 'a' })).toBeUndefined();
    expect(slots.allocate({ gpuCount: 1 }, { allowed: () => new Set([1]) })).toEqual({
      server: 'b',
      gpus: [1],
    });
    const busy = new Map([['b', { runs: 1, gpus: new Map([[0, 1]]) }]]);
    expect(slots.allocate({ gpuCount: 1 }, { busy })).toBeUndefined();
    slots.take('b', [0]); // adopted past capacity
    expect(slots.usage().get('b')).toBe(2);
  });
});
