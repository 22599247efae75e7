import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { ApiError, get, setUnauthorizedHandler } from './api/client';
import type { Session } from './api/types';

export const SESSION_KEY = ['session'];

interface SessionState {
  session: Session | undefined;
  loading: boolean;
  /** The key may change data (issue 19's `read` keys get a console whose actions are disabled). */
  canWrite: boolean;
  /** The key manages keys and channel accounts. */
  isAdmin: boolean;
}

const SessionContext = createContext<SessionState>({ session: undefined, loading: true, canWrite: false, isAdmin: false });

/** Asks the API who is signed in; a 401 (no cookie, expired, revoked key) means the sign-in page. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      try {
        return await get<Session>('/v1/sessions/current');
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 404)) return null;
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  useEffect(() => {
    setUnauthorizedHandler(() => queryClient.setQueryData(SESSION_KEY, null));
  }, [queryClient]);
  const session = query.data ?? undefined;
  const role = session?.app_key.role;
  const value: SessionState = { session, loading: query.isPending, canWrite: role === 'admin' || role === 'write', isAdmin: role === 'admin' };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
