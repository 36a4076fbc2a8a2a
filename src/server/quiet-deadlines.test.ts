import { describe, expect, it } from 'vitest';
import { QUIET_MARGIN_MS, QUIET_MS, quietDeadlines } from './quiet-deadlines.js';

const T = new Date('2029-03-01T12:00:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);

describe('the deadline check a process may skip', () => {
  const watch = (clock: { ms: number }) => quietDeadlines(() => clock.ms);

  it('is never skipped before a check, nor after one found an offer due and forgot', () => {
    const clock = { ms: 0 };
    const deadlines = watch(clock);
    expect(deadlines.quiet(T)).toBe(false);
    deadlines.learn(T, at(60_000));
    expect(deadlines.quiet(T)).toBe(true);
    deadlines.forget();
    expect(deadlines.quiet(T)).toBe(false);
  });

  it('is skipped until shortly before the next deadline, and for a second at most', () => {
    const clock = { ms: 0 };
    const deadlines = watch(clock);
    deadlines.learn(T, at(10_000));
    expect(deadlines.quiet(at(10_000 - QUIET_MARGIN_MS - 1))).toBe(true);
    expect(deadlines.quiet(at(10_000 - QUIET_MARGIN_MS))).toBe(false);
    expect(deadlines.quiet(at(20_000))).toBe(false);
    clock.ms = QUIET_MS - 1;
    expect(deadlines.quiet(T)).toBe(true);
    clock.ms = QUIET_MS;
    expect(deadlines.quiet(T)).toBe(false);
  });

  it('with nothing pending, holds for the check’s second: any offer made later is due a day on', () => {
    const clock = { ms: 0 };
    const deadlines = watch(clock);
    deadlines.learn(T, undefined);
    expect(deadlines.quiet(at(500))).toBe(true);
    clock.ms = QUIET_MS;
    expect(deadlines.quiet(at(500))).toBe(false);
  });
});
