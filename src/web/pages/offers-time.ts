/**
 * Times on the offers page: the countdown to a holder's deadline and instants in UTC, the zone
 * the API and the contracts speak in, so a holder and the lab read the same deadline.
 */

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * What is left until a deadline, to the second: `2 d 04:13:09 left`, `04:13:09 left` under a
 * day, and `lapsed` once it has passed.
 *
 * @example countdownText(2 * 86_400_000 + 15_189_000) // '2 d 04:13:09 left'
 */
export function countdownText(msLeft: number): string {
  if (msLeft <= 0) return 'lapsed';
  // Whole seconds, rounded up: "00:00:01 left" until the deadline itself, never "00:00:00".
  const seconds = Math.ceil(msLeft / SECOND);
  const days = Math.floor(seconds / 86_400);
  const clock = `${two(Math.floor((seconds % 86_400) / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return days > 0 ? `${days} d ${clock} left` : `${clock} left`;
}

/** How urgent a deadline is: under a day is `soon`. */
export function urgencyOf(msLeft: number): 'lapsed' | 'soon' | 'later' {
  if (msLeft <= 0) return 'lapsed';
  return msLeft < DAY ? 'soon' : 'later';
}

/**
 * An ISO instant as `2026-02-09 14:03 UTC`.
 *
 * @example utcText('2026-02-09T14:03:27.120Z') // '2026-02-09 14:03 UTC'
 */
export function utcText(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The part of an offer's response window still left, 0 to 1 (for its bar). */
export function shareLeft(createdAt: string, deadline: string, now: number): number {
  const start = Date.parse(createdAt);
  const end = Date.parse(deadline);
  if (!(end > start)) return now < end ? 1 : 0;
  return Math.min(1, Math.max(0, (end - now) / (end - start)));
}
