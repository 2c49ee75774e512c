import { expect, test } from 'vitest';
import { tokenFromFragment } from './token.js';

test('the token is read from the URL fragment only', () => {
  expect(tokenFromFragment('#token=s3cret')).toBe('s3cret');
  expect(tokenFromFragment('#view=runs&token=a%2Bb')).toBe('a+b');
  expect(tokenFromFragment('#token=')).toBeNull();
  expect(tokenFromFragment('')).toBeNull();
  expect(tokenFromFragment('#other=1')).toBeNull();
});
