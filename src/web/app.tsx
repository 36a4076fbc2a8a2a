import type { ReactNode, SyntheticEvent } from 'react';
import { Suspense, lazy, useCallback, useState } from 'react';
import { Link, navigate, useLocation } from './router';
import { NOT_ACCEPTED, useSession } from './session';
import { pageOf, pagesFor } from './pages';
import type { LiveState } from './live';
import { useLive } from './live';

const pages: Record<string, ReturnType<typeof lazy>> = {
  '/': lazy(() => import('./pages/overview').then((m) => ({ default: m.OverviewPage }))),
  '/plan': lazy(() => import('./pages/plan').then((m) => ({ default: m.PlanPage }))),
  '/contracts': lazy(() => import('./pages/contracts').then((m) => ({ default: m.ContractsPage }))),
  '/offers': lazy(() => import('./pages/offers').then((m) => ({ default: m.OffersPage }))),
  '/buildout': lazy(() => import('./pages/buildout').then((m) => ({ default: m.BuildoutPage }))),
  '/inventory': lazy(() => import('./pages/inventory').then((m) => ({ default: m.InventoryPage }))),
  '/ledger': lazy(() => import('./pages/ledger').then((m) => ({ default: m.LedgerPage }))),
};

export function App() {
  const { me, checking } = useSession();
  if (checking) return <div className="boot" aria-busy="true" />;
  if (!me) return <SignIn />;
  return <Shell />;
}

function SignIn() {
  const { signIn, message } = useSession();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    const ok = await signIn(token);
    setBusy(false);
    if (ok) setToken('');
  };
  return (
    <main className="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">stargate</h1>
        <p className="muted">
          Paste the token <code>stargate serve</code> printed, or one an admin made for you.
        </p>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => {
            setToken(event.target.value);
          }}
          required
          autoFocus
        />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        {message && (
          <p role="alert" className="error">
            {message}
          </p>
        )}
      </form>
    </main>
  );
}

function Shell() {
  const { me, signOut } = useSession();
  const { path } = useLocation();
  const onUnauthorized = useCallback(() => {
    signOut(NOT_ACCEPTED);
  }, [signOut]);
  const live = useLive(me !== undefined, onUnauthorized);
  if (!me) return null;
  const allowed = pagesFor(me.role);
  const page = pageOf(path);
  let content: ReactNode;
  if (!page) {
    content = <Message title="Not found">There is no page {path}.</Message>;
  } else if (!page.roles.includes(me.role)) {
    content = (
      <Message title={page.title}>
        not available to role {me.role}
        {allowed[0] && (
          <>
            {' '}
            — go to <Link to={allowed[0].path}>{allowed[0].title}</Link>
          </>
        )}
      </Message>
    );
  } else {
    const Page = pages[page.path];
    content = Page ? (
      <Suspense fallback={<div className="page-loading" aria-busy="true" />}>
        <Page />
      </Suspense>
    ) : null;
  }
  return (
    <div className="shell">
      <header className="top">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <span className="brand">stargate</span>
        <nav aria-label="Pages">
          <ul>
            {allowed.map((item) => (
              <li key={item.path}>
                <Link to={item.path} aria-current={item.path === path ? 'page' : undefined}>
                  {item.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveBadge state={live} />
        <span className="who" title={`token ${me.tokenId}`}>
          {me.role}
          {me.provider ? ` · ${me.provider}` : ''}
          {me.sites.length > 0 ? ` · ${me.sites.join(', ')}` : ''}
        </span>
        <button
          type="button"
          className="quiet"
          onClick={() => {
            signOut();
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

function LiveBadge({ state }: { state: LiveState }) {
  const text = state === 'live' ? 'live' : state === 'connecting' ? 'connecting' : 'reconnecting';
  return (
    <span className={`live live-${state}`} role="status" aria-label={`updates: ${text}`}>
      {text}
    </span>
  );
}

function Message({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="page">
      <h1>{title}</h1>
      <p role="alert">{children}</p>
    </section>
  );
}
