import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Me } from './api-types';
import { ApiError, setUnauthorizedHandler, storeToken, storedToken } from './api';
import type { FirstCheck } from './boot';
import { whoAmI } from './boot';

/**
 * Who is signed in. The token lives in sessionStorage (gone with the tab); `/v1/me` says what it
 * is. Any 401 later (a revoked token) ends the session with the same words as a bad sign-in.
 */
export const NOT_ACCEPTED = 'token not accepted';

interface Session {
  readonly me: Me | undefined;
  /** Still asking the server about a token from an earlier visit. */
  readonly checking: boolean;
  readonly message: string | undefined;
  readonly signIn: (token: string) => Promise<boolean>;
  readonly signOut: (message?: string) => void;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** What a failed check of a stored token says: a refused token is named; no answer is not. */
const checkFailure = (error: unknown) =>
  error instanceof ApiError && error.status === 401 ? NOT_ACCEPTED : undefined;

/**
 * `first`: the answer to `/v1/me` for the stored token, when boot.ts had it before React
 * mounted; the first render is then the page (or the sign-in form), not a blank wait.
 */
export function SessionProvider({
  children,
  first,
}: {
  children: ReactNode;
  first?: FirstCheck | undefined;
}) {
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | undefined>(first && 'me' in first ? first.me : undefined);
  const [checking, setChecking] = useState(() => first === undefined && storedToken() !== null);
  const [message, setMessage] = useState<string | undefined>(
    first && 'error' in first ? checkFailure(first.error) : undefined,
  );

  const signOut = useCallback(
    (why?: string) => {
      storeToken(null);
      setMe(undefined);
      setMessage(why);
      queries.clear();
    },
    [queries],
  );

  const signIn = useCallback(
    async (token: string) => {
      setMessage(undefined);
      try {
        const who = await whoAmI(token.trim());
        storeToken(token.trim());
        queries.clear();
        setMe(who);
        return true;
      } catch (error) {
        setMessage(
          error instanceof ApiError && error.status === 401
            ? NOT_ACCEPTED
            : `the server did not answer: ${error instanceof Error ? error.message : String(error)}`,
        );
        return false;
      }
    },
    [queries],
  );

  useEffect(() => {
    setUnauthorizedHandler(() => {
      signOut(NOT_ACCEPTED);
    });
    if (first) {
      // Checked already: a token the server did not take is forgotten, as below.
      if ('error' in first) storeToken(null);
      return;
    }
    const token = storedToken();
    if (token === null) return;
    whoAmI(token)
      .then(setMe)
      .catch((error: unknown) => {
        signOut(checkFailure(error));
      })
      .finally(() => {
        setChecking(false);
      });
  }, [signOut, first]);

  const value = useMemo(
    () => ({ me, checking, message, signIn, signOut }),
    [me, checking, message, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in caller; pages are rendered only when there is one. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
