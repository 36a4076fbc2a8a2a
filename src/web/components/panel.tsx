import type { ReactNode } from 'react';
import { Link } from '../router';

/** A titled box of a page; `to` links it to the page with the detail. */
export function Panel({
  title,
  to,
  linkText,
  children,
  className,
}: {
  title: string;
  to?: string;
  linkText?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id}>
      <header>
        <h2 id={id}>{title}</h2>
        {to && <Link to={to}>{linkText ?? `Open ${title.toLowerCase()}`}</Link>}
      </header>
      {children}
    </section>
  );
}

export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="stat">
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </div>
  );
}

/** A query's error, in the API's words. */
export function Failure({ error }: { error: unknown }) {
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
