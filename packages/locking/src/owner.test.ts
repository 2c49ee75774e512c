import { describe, expect, test } from 'vitest';
import { deadPid } from '../test/support.js';
import { createOwnerRecord, isLocalOwner, isLocalOwnerAlive, parseOwnerRecord } from './owner.js';

describe('owner records', () => {
  test('describe this process, with a fresh token each time', () => {
    const owner = createOwnerRecord();
    expect(owner).toMatchObject({
      pid: process.pid,
      token: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(createOwnerRecord().token).not.toBe(owner.token);
    expect(isLocalOwner(owner)).toBe(true);
    expect(isLocalOwnerAlive(owner)).toBe(true);
    if (process.platform === 'linux') expect(owner.startTime).toMatch(/^\d+$/);
  });

  test('tell a dead process and a reused pid from a live owner', async () => {
    expect(isLocalOwnerAlive({ ...createOwnerRecord(), pid: await deadPid() })).toBe(false);
    if (process.platform === 'linux') {
      expect(isLocalOwnerAlive({ ...createOwnerRecord(), startTime: '1' })).toBe(false);
    }
  });

  test('count another host, boot or pid namespace as not local', () => {
    const owner = createOwnerRecord();
    expect(isLocalOwner({ ...owner, hostname: 'elsewhere' })).toBe(false);
    expect(isLocalOwner({ ...owner, bootId: 'another-boot' })).toBe(false);
    expect(isLocalOwner({ ...owner, pidNamespace: 'pid:[1]' })).toBe(false);
  });

  test('parse only well-formed records', () => {
    const owner = createOwnerRecord();
    expect(parseOwnerRecord(JSON.stringify(owner))).toEqual(owner);
    expect(parseOwnerRecord('{"token": "x"}')).toBeUndefined();
    expect(parseOwnerRecord('{torn')).toBeUndefined();
    expect(parseOwnerRecord('null')).toBeUndefined();
  });
});
