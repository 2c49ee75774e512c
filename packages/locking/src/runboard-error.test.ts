import { describe, expect, it } from 'vitest';
import { RunboardError, RunboardFileError } from './runboard-error.js';

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

  it('RunboardFileError adds the file the error is about', () => {
    class ExampleFileError extends RunboardFileError<'RUNBOARD_EXAMPLE'> {}
    const cause = new Error('underneath');
    const error = new ExampleFileError('RUNBOARD_EXAMPLE', 'runs/a/progress.json', 'bad', {
      cause,
    });
    expect(error).toBeInstanceOf(RunboardError);
    expect(error.file).toBe('runs/a/progress.json');
    expect(error.code).toBe('RUNBOARD_EXAMPLE');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('ExampleFileError: bad');
  });
});
