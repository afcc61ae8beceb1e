import type { AccountKindName, Tier } from '@tiergate/contracts';

/** What a console keeps of a login: the token pair and who it belongs to. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  tier: Tier;
  account: { id: string; kind: AccountKindName; name: string };
}

export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
}

/** One session per console (the consoles share an origin, so each has its own key). */
export function localSessionStore(key: string, storage: Storage = globalThis.localStorage): SessionStore {
  return {
    get() {
      const raw = storage.getItem(key);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as Session;
      } catch {
        storage.removeItem(key);
        return null;
      }
    },
    set(session) {
      if (session) storage.setItem(key, JSON.stringify(session));
      else storage.removeItem(key);
    },
  };
}

/** In-memory store, for tests and for pages that must not persist a login. */
export function memorySessionStore(initial: Session | null = null): SessionStore {
  let current = initial;
  return {
    get: () => current,
    set: (session) => {
      current = session;
    },
  };
}
