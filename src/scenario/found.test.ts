import { describe, expect, it } from 'vitest';
import { withFound } from './validate.js';

describe('withFound', () => {
  it('quotes the value a rule refused, after the rule', () => {
    expect(withFound('expected YYYY-MM', '2027-13')).toBe('expected YYYY-MM, got "2027-13"');
    expect(withFound('expected at least 0 GPUs', -5)).toBe('expected at least 0 GPUs, got -5');
    expect(withFound('expected a boolean', null)).toBe('expected a boolean, got null');
  });

  it('names a list or an object rather than printing it', () => {
    expect(withFound('expected a mapping', [1, 2])).toBe('expected a mapping, got a list of 2');
    expect(withFound('expected a list', {})).toBe('expected a list, got an object');
    expect(withFound('expected a mapping', [])).toBe('expected a mapping, got an empty list');
  });

  it('cuts a long value at 60 characters and leaves a message that says what it got', () => {
    const long = 'x'.repeat(200);
    const message = withFound('expected an id', long);
    expect(message).toBe(`expected an id, got "${'x'.repeat(57)}…"`);
    expect(message.length).toBe('expected an id, got '.length + 60);
    expect(withFound('expected 2 GPUs, got 3', 3)).toBe('expected 2 GPUs, got 3');
  });
});
