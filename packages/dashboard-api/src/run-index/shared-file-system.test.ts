import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { sharedFileSystemOf } from './shared-file-system.js';

const reporting = (type: number | bigint) => () => ({ type: Number(type) });

describe('sharedFileSystemOf', () => {
  test.each([
    [0x6969, 'NFS'],
    [0x65735546, 'FUSE'],
    [0x0bd00bd0, 'Lustre'],
    [0xff534d42, 'CIFS'],
    [0xfe534d42, 'SMB2'],
    [0x01021997, '9p'],
    [0x00c36400, 'CephFS'],
    [0x47504653, 'GPFS'],
  ])('statfs type %i is %s', (type, name) => {
    expect(sharedFileSystemOf('/x', reporting(type))).toEqual({ name, type });
  });

  test('a signed f_type (32-bit kernels) is read as unsigned', () => {
    expect(sharedFileSystemOf('/x', reporting(0xff534d42 | 0))?.name).toBe('CIFS');
  });

  test('local file systems and failures are not shared', () => {
    expect(sharedFileSystemOf('/x', reporting(0xef53))).toBeUndefined(); // ext4
    expect(sharedFileSystemOf('/x', reporting(0x01021994))).toBeUndefined(); // tmpfs
    expect(sharedFileSystemOf(tmpdir())).toBeUndefined();
    expect(sharedFileSystemOf('/no/such/folder/runboard')).toBeUndefined();
  });
});
