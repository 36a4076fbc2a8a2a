import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './api';

describe('retryAfterMs', () => {
  it('waits the seconds the server asks, within 1 and 60 s', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(' 5 ')).toBe(5_000);
    expect(retryAfterMs('0')).toBe(1_000);
    expect(retryAfterMs('3600')).toBe(60_000);
  });
  it('waits 2 s where the header is missing or not whole seconds', () => {
    expect(retryAfterMs(null)).toBe(2_000);
    expect(retryAfterMs('1.5')).toBe(2_000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT')).toBe(2_000);
  });
});
