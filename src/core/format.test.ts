import { describe, expect, it } from 'vitest';
import { csvLine, grouped } from './format.js';

describe('grouped', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1234, '1,234'],
    [1234567.6, '1,234,568'],
    [-1234567, '-1,234,567'],
  ])('groups the number %d as %s', (value, text) => {
    expect(grouped(value)).toBe(text);
  });

  it.each([
    [0n, '0'],
    [1000n, '1,000'],
    [-123_456_789_012_345_678n, '-123,456,789,012,345,678'],
  ])('groups the bigint %s exactly as %s', (value, text) => {
    expect(grouped(value)).toBe(text);
  });
});

describe('csvLine', () => {
  it('quotes only the cells that need it', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 1.5])).toBe(
      'a,"b,c","say ""hi""","two\nlines",1.5',
    );
  });
});
