import { describe, expect, it } from 'vitest';
import { RunboardError } from './runboard-error.js';

describe('RunboardError', () => {
  it('takes the name of the class thrown, a stable code and the cause', () => {
    class ExampleError extends RunboardError<'RUNBOARD_EXAMPLE'> {
      constructor(options?: ErrorOptions) {
        super('RUNBOARD_EXAMPLE', 'an example went wrong', options);
      }
    }
    const cause = new Error('underneath');
    const error = new ExampleError({ cause });
    expect(error).toBeInstanceOf(RunboardError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'ExampleError',
      code: 'RUNBOARD_EXAMPLE',
      message: 'an example went wrong',
      cause,
    });
    expect(String(error)).toBe('ExampleError: an example went wrong');
  });
});
