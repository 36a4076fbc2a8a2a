import type { ReactNode } from 'react';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Me } from './api-types';
import { ApiError, apiFetch, setUnauthorizedHandler, storeToken, storedToken } from './api';

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

/** `/v1/me` for a token; a 401 is the caller's to report (the token is given, not taken). */
export async function whoAmI(token: string): Promise<Me> {
  return (await (await apiFetch('/v1/me', { token })).json()) as Me;
}

/**
 * `pendingMe`: `/v1/me` for the stored token, already asked (boot.ts) before the first render;
 * used by the first check only.
 */
export function SessionProvider({
  children,
  pendingMe,
}: {
  children: ReactNode;
  pendingMe?: Promise<Me> | undefined;
}) {
  const queries = useQueryClient();
  const pending = useRef(pendingMe);
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [checking, setChecking] = useState(() => storedToken() !== null);
  const [message, setMessage] = useState<string | undefined>(undefined);

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
    const token = storedToken();
    if (token === null) return;
    const asked = pending.current;
    pending.current = undefined;
    (asked ?? whoAmI(token))
      .then(setMe)
      .catch((error: unknown) => {
        signOut(error instanceof ApiError && error.status === 401 ? NOT_ACCEPTED : undefined);
      })
      .finally(() => {
        setChecking(false);
      });
  }, [signOut]);

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
