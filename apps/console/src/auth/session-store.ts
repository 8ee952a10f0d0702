/**
 * The signed-in person: a bearer token kept in sessionStorage (this tab only, gone when it closes;
 * never a cookie, so no other site can make the browser use it). The principal shown in the page is
 * read from the token's claims; the services verify the token itself on every request.
 */
export type Principal =
  | { kind: 'staff'; subject: string; department: string; roles: string[] }
  | { kind: 'partner'; subject: string; partnerId: string; roles: string[]; userId?: string };

export interface Session {
  token: string;
  principal: Principal;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** How the person signed in (the OIDC sign-out goes back to the identity provider). */
  method: 'local' | 'oidc' | 'partner';
}

const KEY = 'crm.console.session';
type Listener = () => void;
const listeners = new Set<Listener>();
let current: Session | null = read();
let expiredNotice = false;

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const l of listeners) l();
}

/** The claims of a JWT (not verified here: the services verify it). */
export function principalOfToken(token: string): { principal: Principal; expiresAt: number } {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  const roles = Array.isArray(claims['roles']) ? (claims['roles'] as string[]) : typeof claims['roles'] === 'string' ? claims['roles'].split(' ') : [];
  const subject = String(claims['sub'] ?? '');
  const expiresAt = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : Date.now() + 3600_000;
  const principal: Principal =
    claims['crm_kind'] === 'partner'
      ? {
          kind: 'partner',
          subject,
          partnerId: String(claims['partner_id'] ?? ''),
          roles,
          ...(typeof claims['partner_user'] === 'string' && { userId: claims['partner_user'] }),
        }
      : { kind: 'staff', subject, department: String(claims['dept'] ?? ''), roles };
  return { principal, expiresAt };
}

export const session = {
  get: (): Session | null => current,
  token: (): string | null => (current && current.expiresAt > Date.now() ? current.token : null),
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(token: string, method: Session['method']): Session {
    const { principal, expiresAt } = principalOfToken(token);
    current = { token, principal, expiresAt, method };
    sessionStorage.setItem(KEY, JSON.stringify(current));
    expiredNotice = false;
    emit();
    return current;
  },
  signOut(): void {
    current = null;
    sessionStorage.removeItem(KEY);
    emit();
  },
  /** The CRM refused the token (expired or revoked): sign out and say so on the sign-in page. */
  expire(): void {
    expiredNotice = true;
    session.signOut();
  },
  /** Whether the last sign-out was an expiry (read once by the sign-in page). */
  takeExpiredNotice(): boolean {
    const was = expiredNotice;
    expiredNotice = false;
    return was;
  },
};
