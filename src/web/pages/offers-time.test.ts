import { describe, expect, it } from 'vitest';
import { countdownText, shareLeft, urgencyOf, utcText } from './offers-time';

describe('the offers page times', () => {
  it('counts down in days and a clock, to the second, then says lapsed', () => {
    expect(countdownText(2 * 86_400_000 + 4 * 3_600_000 + 13 * 60_000 + 9_000)).toBe(
      '2 d 04:13:09 left',
    );
    expect(countdownText(86_400_000)).toBe('1 d 00:00:00 left');
    expect(countdownText(86_399_000)).toBe('23:59:59 left');
    expect(countdownText(1)).toBe('00:00:01 left');
    expect(countdownText(1500)).toBe('00:00:02 left');
    expect(countdownText(0)).toBe('lapsed');
    expect(countdownText(-5000)).toBe('lapsed');
  });

  it('calls a deadline under a day soon', () => {
    expect(urgencyOf(-1)).toBe('lapsed');
    expect(urgencyOf(3_600_000)).toBe('soon');
    expect(urgencyOf(2 * 86_400_000)).toBe('later');
  });

  it('writes instants in UTC to the minute', () => {
    expect(utcText('2026-02-09T14:03:27.120Z')).toBe('2026-02-09 14:03 UTC');
    expect(utcText('not a date')).toBe('not a date');
  });

  it('gives the share of a response window left', () => {
    const from = '2026-01-01T00:00:00.000Z';
    const to = '2026-01-11T00:00:00.000Z';
    expect(shareLeft(from, to, Date.parse('2026-01-06T00:00:00.000Z'))).toBeCloseTo(0.5);
    expect(shareLeft(from, to, Date.parse('2026-02-01T00:00:00.000Z'))).toBe(0);
    expect(shareLeft(from, to, Date.parse('2025-12-01T00:00:00.000Z'))).toBe(1);
  });
});
