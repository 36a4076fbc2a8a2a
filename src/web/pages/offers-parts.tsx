import { useEffect, useRef } from 'react';
import { formatPrice, parseUSD } from '../../core/money.js';
import { useSecond } from '../use-second';
import { countdownText, shareLeft, urgencyOf } from './offers-time';

/**
 * The pieces both views of /offers share: the countdown to a deadline, state badges, and how
 * windows, prices and counts are read and written.
 */

/**
 * The time left to answer, as text (`2 d 04:13:09 left`, `lapsed`) with a bar of the window
 * left beside it; `onLapse` is called once when the deadline passes while the page is open.
 */
export function Countdown({
  createdAt,
  deadline,
  onLapse,
  bar = true,
}: {
  createdAt: string;
  deadline: string;
  onLapse?: () => void;
  bar?: boolean;
}) {
  const now = useSecond();
  const left = Date.parse(deadline) - now;
  const urgency = urgencyOf(left);
  const lapsed = urgency === 'lapsed';
  const reported = useRef(lapsed);
  useEffect(() => {
    if (lapsed && !reported.current) {
      reported.current = true;
      onLapse?.();
    }
  }, [lapsed, onLapse]);
  const share = shareLeft(createdAt, deadline, now);
  return (
    <span className={`countdown countdown-${urgency}`}>
      {bar && (
        <span className="countdown-bar" aria-hidden="true">
          <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
        </span>
      )}
      {/* A timer: read when asked, not announced every second. */}
      <span role="timer" aria-live="off" className="countdown-text">
        {countdownText(left)}
      </span>
    </span>
  );
}

const REQUEST_TONE: Record<string, string> = {
  offered: 'warn',
  cleared: '',
  awarded: 'good',
  fulfilled: 'good',
};
const OFFER_TONE: Record<string, string> = {
  pending: 'warn',
  accepted: 'good',
  declined: '',
  lapsed: 'bad',
};

/** A state as a badge: the word itself, the colour only a second signal. */
export function StateBadge({ state, of }: { state: string; of: 'request' | 'offer' }) {
  const tone = (of === 'request' ? REQUEST_TONE : OFFER_TONE)[state] ?? '';
  return <span className={`badge state ${tone}`}>{state}</span>;
}

/** A month range as `2029-10 to 2030-02`. */
export function windowText(window: { from: string; to: string }): string {
  return window.from === window.to ? window.from : `${window.from} to ${window.to}`;
}

/** A whole number typed in a field, or undefined when the field is empty. */
export function optionalWhole(text: string): number | undefined {
  const trimmed = text.trim().replace(/[,_\s]/g, '');
  return trimmed === '' ? undefined : Number(trimmed);
}

/** A price per GPU-hour as typed (`2.35`, `$2.35`) as the API takes it: decimal text. */
export function typedPrice(text: string): string {
  return text.trim().replace(/^\$/, '');
}

/** A price per GPU-hour as the API keeps it (decimal text) for people: `$2.35`. */
export function priceText(text: string): string {
  const parsed = parseUSD(text, 6);
  return parsed.ok ? formatPrice(parsed.micros) : text;
}
