/** The shortest response window: `responseDays` ≥ 1. */
const DAY_MS = 24 * 60 * 60 * 1000;

/** How long this process trusts what it learned of the next deadline (ms). */
export const QUIET_MS = 1000;

/**
 * How far before the next deadline this process checks again (ms). It must exceed how far the
 * request's time may lag the database's clock: a reading is used for at most a second (FRESH_MS
 * in app.ts), behind by at most its round trip.
 */
export const QUIET_MARGIN_MS = 2000;

/**
 * Until when no pending offer can be due, as this process last checked: a procurement request
 * within a second of the check, and more than QUIET_MARGIN_MS before the earliest pending
 * deadline the check saw, skips the deadline check (one round trip; under load, all but about
 * one request a second skip it; near a deadline every request checks). What keeps it right without a word from other
 * processes: a response window is at least one day (the scenario's `responseDays` is a whole
 * number ≥ 1), so an offer made anywhere after the check has its deadline at least a day later;
 * and a sweep that lapses an offer and makes the next (which may be due at once) lapses that one
 * too before it commits. So a request never finds a pending offer past its deadline, unless the
 * deadline was moved by hand in SQL in the last second.
 */
export function quietDeadlines(monotonic: () => number = () => performance.now()) {
  let known: { until: number; checkedAt: number } | undefined;
  return {
    /** Whether no pending offer can be due at `now` (the database's clock). */
    quiet(now: Date): boolean {
      return (
        known !== undefined &&
        monotonic() - known.checkedAt < QUIET_MS &&
        now.getTime() < known.until - QUIET_MARGIN_MS
      );
    },
    /** What a check found at `now`: the earliest pending deadline, or none. */
    learn(now: Date, next: Date | undefined): void {
      known = {
        // None pending: an offer made from now on is due a day later at the soonest.
        until: next === undefined ? now.getTime() + DAY_MS : next.getTime(),
        checkedAt: monotonic(),
      };
    },
    forget(): void {
      known = undefined;
    },
  };
}
