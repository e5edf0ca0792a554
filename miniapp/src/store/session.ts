import { client, platformReady, type LoginResult, type Role } from '@/services';

/** The signed-in session (user, roles, token) for every page; the token itself lives in ApiClient's store. */
type Listener = (session: LoginResult | null) => void;
const listeners = new Set<Listener>();

export const sessionStore = {
  get: (): LoginResult | null => client.current(),
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Call after any login or logout so pages re-render. */
  changed(): void {
    const s = client.current();
    for (const l of listeners) l(s);
    if (s) platformReady().catch(() => undefined);
  },
  hasRole: (role: Role): boolean => client.current()?.user.roles.includes(role) ?? false,
};
