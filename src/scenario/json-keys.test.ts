import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatsKey } from './json-keys.js';

describe('repeatsKey', () => {
  it('finds a key repeated in one object, at any depth', () => {
    expect(repeatsKey('{"a": 1, "a": 2}')).toBe(true);
    expect(repeatsKey('{"x": [{"b": 1}, {"c": {"d": 1, "e": 2, "d": 3}}]}')).toBe(true);
  });

  it('finds a repeat spelled with an escape', () => {
    expect(repeatsKey('{"a": 1, "\\u0061": 2}')).toBe(true);
  });

  it('lets the same key stand in different objects, and in values', () => {
    expect(repeatsKey('{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "c": "a"}')).toBe(false);
    expect(repeatsKey('{"a": "x", "b": ["a", "a"], "c": {"q": "\\"a\\"", "a": 1}}')).toBe(false);
    expect(repeatsKey('[1, "a", {"a": 1}, {"a": 2}]')).toBe(false);
  });

  it('agrees with a count of keys on any JSON document', () => {
    // JSON.stringify never repeats a key; adding one repeat must be found.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify({ root: value, other: value });
        expect(repeatsKey(text)).toBe(false);
        expect(repeatsKey(`{"k": ${text}, "k": 1}`)).toBe(true);
      }),
    );
  });
});
