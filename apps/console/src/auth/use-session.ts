import { useSyncExternalStore } from 'react';
import { session, type Principal, type Session } from './session-store';

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get);
}

/** The signed-in principal (pages under the shell only: the shell renders the sign-in page otherwise). */
export function usePrincipal(): Principal {
  const s = useSession();
  if (!s) throw new Error('usePrincipal outside a session');
  return s.principal;
}

export const isStaff = (p: Principal, ...departments: string[]) => p.kind === 'staff' && (departments.length === 0 || departments.includes(p.department));
export const hasRole = (p: Principal, ...roles: string[]) => roles.some((r) => p.roles.includes(r));
