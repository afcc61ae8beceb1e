import { useCallback, useEffect, useState } from 'react';

/** The consoles route on the hash ('#/children/42'), so the server serves one index.html per console. */
export function parseHash(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function useHashRoute(): [string[], (path: string) => void] {
  const [parts, setParts] = useState(() => parseHash(globalThis.location?.hash ?? ''));
  useEffect(() => {
    const onChange = () => setParts(parseHash(globalThis.location.hash));
    globalThis.addEventListener('hashchange', onChange);
    return () => globalThis.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((path: string) => {
    globalThis.location.hash = path.startsWith('/') ? path : `/${path}`;
  }, []);
  return [parts, go];
}
